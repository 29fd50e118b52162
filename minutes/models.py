"""Minutes: collaborative text per item and section, decisions, actions, attendance, approved revisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from panels.enums import Section
from panels.models import Agency, Child, Meeting


class MinuteDocument(models.Model):
    """One shared text: the minute of one child's item (or of the meeting as a whole) in one section.

    The live state is the Yjs update log (``MinuteUpdate``); ``text`` is the server's plain-text
    snapshot of it, refreshed as updates arrive, for search, exports and approval.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minute_documents")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    section = models.CharField(max_length=12, choices=Section.choices, default=Section.GENERAL)
    text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meeting", "child", "section"]
        constraints = [  # one document per item and section; "the meeting itself" has no child
            models.UniqueConstraint(fields=["meeting", "child", "section"], name="minute_document_unique",
                                    condition=Q(child__isnull=False)),
            models.UniqueConstraint(fields=["meeting", "section"], name="minute_document_unique_meeting",
                                    condition=Q(child__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"Minute {self.room}"

    @property
    def room(self) -> str:
        return f"minutes.{self.meeting_id}.{self.child_id or 'meeting'}.{self.section}"


class MinuteUpdate(models.Model):
    """Append-only Yjs update log of a document, compacted into one row from time to time."""

    document = models.ForeignKey(MinuteDocument, on_delete=models.CASCADE, related_name="updates")
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "id"]

    def __str__(self) -> str:
        return f"Update {self.pk} of document {self.document_id}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        REMOTE = "remote", "Joined remotely"
        APOLOGIES = "apologies", "Apologies"
        ABSENT = "absent", "Absent"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                              help_text="Empty: the whole meeting; set: only that child's item.")
    name = models.CharField(max_length=200)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["meeting", "child", "name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "child", "name"], name="attendance_once",
                                    condition=Q(child__isnull=False)),
            models.UniqueConstraint(fields=["meeting", "name"], name="attendance_once_meeting",
                                    condition=Q(child__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.get_status_display()}"


class NextReview(models.Model):
    """The date by which a child's case comes back to this panel, set at the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="next_reviews")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    review_by = models.DateField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meeting", "child"]
        constraints = [models.UniqueConstraint(fields=["meeting", "child"], name="next_review_once")]

    def __str__(self) -> str:
        return f"Review of {self.child_id} by {self.review_by}"


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, null=True, blank=True, related_name="decisions")
    text = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    withdrawn = models.BooleanField(default=False)

    class Meta:
        ordering = ["meeting", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Action(models.Model):
    """Who does what by when. Never deleted: cancelled with a reason; every change is in its history."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        BLOCKED = "blocked", "Blocked by another agency"
        DONE = "done", "Done"
        VERIFIED = "verified", "Verified by the panel"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS, Status.BLOCKED)

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="actions")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, null=True, blank=True, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="actions_owned")
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="actions_owned")
    due_date = models.DateField()
    pathway = models.CharField(max_length=60, blank=True)
    resettlement_pathway = models.ForeignKey(
        "panels.Pathway", on_delete=models.PROTECT, null=True, blank=True, related_name="actions",
        help_text="The pathway of the service's set this action belongs to (its name is copied to pathway).")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    evidence = models.TextField(blank=True, help_text="How completion can be checked (a note, a reference).")
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["child", "status"]), models.Index(fields=["owner", "status", "due_date"])]

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def rag(self, today, *, amber_within_days: int = 7) -> str:
        """Red: open and overdue; amber: open and due within a week; green: open and later; grey: closed."""
        return self.standing(today, due_soon_days=amber_within_days).rag

    def standing(self, today, *, due_soon_days: int = 7):
        """Where the action stands on ``today``, in the one vocabulary of minutes.standing."""
        from minutes.standing import action_standing

        return action_standing(status=self.status, due=self.due_date, today=today, due_soon_days=due_soon_days)


class ActionEvent(models.Model):
    """Append-only history of an action."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="history")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    actor_label = models.CharField(max_length=254, blank=True,
                                   help_text="Who acted when not signed in (the address a link was sent to).")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    note = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["action", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


class DueDateRequest(models.Model):
    """An owner asks for more time; the panel's chair or coordinator decides."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for the panel"
        AGREED = "agreed", "Agreed"
        REFUSED = "refused", "Refused"

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="due_date_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    requested_by_label = models.CharField(max_length=254, blank=True)
    new_due_date = models.DateField()
    reason = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["action"], condition=Q(status="open"),
                                               name="one_open_due_date_request")]

    def __str__(self) -> str:
        return f"New date {self.new_due_date} for action {self.action_id}"


class MeetingEvent(models.Model):
    """The meeting's event log: increasing ids, broadcast after commit; clients resume from their last id."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=60)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.pk}: {self.kind}"


class MinutesRevision(models.Model):
    """An immutable, numbered snapshot of the whole record, made when the chair approves the minutes."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes_revisions")
    number = models.PositiveIntegerField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=500, blank=True, help_text="Why a new revision (after the first).")
    snapshot = models.JSONField()

    class Meta:
        ordering = ["meeting", "-number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="minutes_revision_number")]

    def __str__(self) -> str:
        return f"Minutes revision {self.number} of {self.meeting}"


class CorrectionRequest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted (a new revision follows)"
        DECLINED = "declined", "Declined"

    revision = models.ForeignKey(MinutesRevision, on_delete=models.PROTECT, related_name="corrections")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               help_text="The requester's agency when they asked.")
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True, help_text="The chair's answer to the requester.")
    corrected_in = models.ForeignKey(MinutesRevision, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="corrections_made", help_text="The revision that made it.")

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(name="correction_has_text", condition=~Q(text=""))]

    def __str__(self) -> str:
        return f"Correction to revision {self.revision_id}"
