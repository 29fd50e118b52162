"""Reminders and escalations of actions between meetings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from agendas.models import AgendaItem
from minutes.models import Action
from notifications.ladder import STATUTORY_STEP_LABELS, STEP_LABELS, Ladder, StatutoryLadder
from panels.enums import ResponseStatus
from panels.models import Child, ChildMeeting, Meeting, Panel


class ReminderPolicy(models.Model):
    """A panel's reminder and escalation ladders (defaults when a panel has none): ``settings`` for its actions,
    ``statutory_settings`` for the missed statutory timescales of the children it oversees."""

    panel = models.OneToOneField(Panel, on_delete=models.CASCADE, related_name="reminder_policy")
    settings = models.JSONField(default=dict, blank=True)
    statutory_settings = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "reminder policies"

    def __str__(self) -> str:
        return f"Reminders for {self.panel}"

    @property
    def ladder(self) -> Ladder:
        ladder, _ = Ladder.from_dict(self.settings)
        return ladder or Ladder()

    @property
    def statutory_ladder(self) -> StatutoryLadder:
        ladder, _ = StatutoryLadder.from_dict(self.statutory_settings)
        return ladder or StatutoryLadder()


class ActionNotice(models.Model):
    """One step of the ladder for one action and one recipient: recorded once, sent at most once."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="notices")
    step = models.CharField(max_length=16, choices=list(STEP_LABELS.items()))
    step_date = models.DateField(help_text="The day the ladder put this step on.")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="action_notices")
    recipient_email = models.EmailField(blank=True, help_text="Empty: nobody to tell (no owner, no contact).")
    superseded = models.BooleanField(default=False, help_text="Recorded, not sent: a later step went instead.")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", help_text="Set for an escalation made by hand.")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["action", "created_at", "id"]
        # once per step of the ladder as it stands: moving the due date starts a new ladder
        constraints = [models.UniqueConstraint(fields=["action", "step", "step_date", "recipient_email"],
                                               name="action_notice_once")]
        indexes = [models.Index(fields=["sent_at", "superseded"])]

    def __str__(self) -> str:
        return f"{self.get_step_display()} to {self.recipient_email}"


class RequirementNotice(models.Model):
    """One step of the escalation ladder for one missed statutory requirement of a child (issue 17 point 5):
    recorded once (the unique constraint: two runs, or two workers, cannot both record it), then audited and
    handed to the outbox once (``handled_at``, under a row lock). Moving the due date starts a new ladder."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="requirement_notices")
    panel = models.ForeignKey(Panel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              help_text="The panel whose settings and strategic lead applied.")
    code = models.CharField(max_length=40, help_text="The statutory requirement (agenda rules v2 code).")
    label = models.CharField(max_length=200)
    due_date = models.DateField()
    step = models.CharField(max_length=16, choices=list(STATUTORY_STEP_LABELS.items()))
    step_date = models.DateField(help_text="The day the ladder put this step on.")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="requirement_notices")
    recipient_email = models.EmailField(blank=True, help_text="Empty: nobody to tell.")
    may_see_child = models.BooleanField(default=False, help_text="False: the email names neither the child nor "
                                                                 "their reference, and links to nothing.")
    superseded = models.BooleanField(default=False, help_text="Recorded, not sent: a later step went instead.")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True, help_text="Audited (and emailed if it had to be).")
    emailed = models.BooleanField(default=False)

    class Meta:
        ordering = ["child", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["child", "code", "due_date", "step"],
                                               name="requirement_notice_once_per_step")]
        indexes = [models.Index(fields=["handled_at"])]

    def __str__(self) -> str:
        return f"{self.code}: {self.get_step_display()} to {self.recipient_email or 'nobody'}"


class OutboxMessage(models.Model):
    """One email to one address, written in the same transaction as the change that causes it.

    A worker delivers it later (``notifications.outbox.outbox_deliver``), retrying with backoff while the
    mail server is unreachable; a message is marked sent only after the server accepted it, and keeps
    one Message-ID for life, so a retry is recognisable as the same message.
    """

    class Kind(models.TextChoices):
        INVITE = "invite", "Invitation or update"
        CANCEL = "cancel", "Cancellation"
        REMINDER = "reminder", "Action reminder"
        ESCALATION = "escalation", "Missed statutory timescale"
        AGENDA = "agenda", "Agenda published"
        MINUTES = "minutes", "Minutes approved"
        ACTION = "action", "Action assigned"
        ACCOUNT = "account", "Account"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        RETRYING = "retrying", "Not sent yet: will retry"
        FAILED = "failed", "Gave up"
        SUPERSEDED = "superseded", "Replaced by a later message"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    to = models.EmailField()
    from_email = models.CharField(max_length=320)
    reply_to = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    ics = models.TextField(blank=True, help_text="An iTIP calendar object sent as text/calendar.")
    ics_method = models.CharField(max_length=10, blank=True)
    meeting = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    panel = models.ForeignKey(Panel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    merge_key = models.CharField(max_length=300, blank=True, db_index=True,
                                 help_text="A waiting message with the same key is replaced by a newer one.")
    message_id = models.CharField(max_length=200, unique=True)
    not_before = models.DateTimeField(help_text="Not sent before this time (debounce, backoff).")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "not_before"]), models.Index(fields=["panel", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to}: {self.subject}"


class CalendarEntry(models.Model):
    """One VEVENT Convene organises: a whole meeting, one child's slot within it (``item`` set), or a child's
    statutory meeting (``child_meeting`` set, ``meeting`` empty: notifications.child_invites).

    Its SEQUENCE is the organiser's: bumped when what the event says (time, place, attendee list,
    cancellation) changes after it was first sent, never by an attendee's reply.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="calendar_entries")
    child_meeting = models.ForeignKey(ChildMeeting, on_delete=models.CASCADE, null=True, blank=True,
                                      related_name="calendar_entries")
    item = models.ForeignKey(AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    uid = models.CharField(max_length=255, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(max_length=64, blank=True)
    material = models.CharField(max_length=64, blank=True,
                                help_text="Hash of start, end, place and video link: a change resets every answer.")
    cancelled = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meeting", "item", "id"]
        verbose_name_plural = "calendar entries"
        constraints = [models.CheckConstraint(
            name="calendar_entry_of_one_meeting",
            condition=Q(meeting__isnull=False, child_meeting__isnull=True)
            | Q(meeting__isnull=True, child_meeting__isnull=False, item__isnull=True))]

    def __str__(self) -> str:
        return self.uid


class CalendarCopy(models.Model):
    """What one attendee's calendar holds of an entry, as far as Convene told it, and what they replied."""

    entry = models.ForeignKey(CalendarEntry, on_delete=models.CASCADE, related_name="copies")
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    sequence = models.PositiveIntegerField(default=0, help_text="The SEQUENCE of the last message sent.")
    method = models.CharField(max_length=10, default="REQUEST", help_text="REQUEST or CANCEL, last sent.")
    response = models.CharField(max_length=20, choices=ResponseStatus.choices, default=ResponseStatus.NEEDS_ACTION)
    comment = models.CharField(max_length=500, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    answered_sequence = models.PositiveIntegerField(null=True, blank=True,
                                                    help_text="The SEQUENCE the current answer was given for.")
    answered_stamp = models.DateTimeField(null=True, blank=True, help_text="The DTSTAMP of the current answer.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["entry", "email"]
        constraints = [models.UniqueConstraint(fields=["entry", "email"], name="calendar_copy_once_per_address")]

    def __str__(self) -> str:
        return f"{self.entry.uid} at {self.email}"


class FeedToken(models.Model):
    """A person's secret calendar-feed address. Only its hash is kept; a new one kills the old URL."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_token")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


class EmailPreference(models.Model):
    """Which optional emails a person wants. Invites, cancellations and reminders always go."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference")
    agenda_published = models.BooleanField(default=True, help_text="When an agenda I am invited to is published.")
    minutes_approved = models.BooleanField(default=True, help_text="When minutes of a meeting I attended are approved.")
    action_assigned = models.BooleanField(default=True, help_text="When an action is given to me or my agency.")

    def __str__(self) -> str:
        return f"Email preferences of {self.user}"


class Notification(models.Model):
    """An in-app notice: what happened, where to look. Never a child's name."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=10, choices=OutboxMessage.Kind.choices)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class ReplyRecord(models.Model):
    """Every answer an attendee gave about one calendar entry, applied or not: the invitee's history.

    ``outcome`` says what became of it: applied, kept for an earlier version of the event (changes
    nothing; the chair sees "answered an earlier time"), or overtaken by a later answer (older DTSTAMP)."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        EARLIER = "earlier", "Answered an earlier time"
        OVERTAKEN = "overtaken", "Overtaken by a later answer"

    copy = models.ForeignKey(CalendarCopy, on_delete=models.CASCADE, related_name="replies")
    sender = models.EmailField(help_text="Who sent it: the email's From, the link's address or the signed-in user.")
    response = models.CharField(max_length=20, choices=ResponseStatus.choices)
    comment = models.CharField(max_length=500, blank=True)
    sequence = models.PositiveIntegerField(help_text="The SEQUENCE of the version it answers.")
    stamp = models.DateTimeField(help_text="Its DTSTAMP (when the attendee's calendar wrote it).")
    source = models.CharField(max_length=10)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["copy", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.sender}: {self.response} (SEQUENCE {self.sequence}, {self.outcome})"


class DelegationRequest(models.Model):
    """An invitee asked to send a deputy who is not a user of their own agency: nobody is invited, and
    the deputy sees nothing, until the meeting's chair or coordinator accepts it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the chair"
        ACCEPTED = "accepted", "Accepted: the deputy is invited"
        DECLINED = "declined", "Declined"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="delegation_requests")
    entry = models.ForeignKey(CalendarEntry, on_delete=models.CASCADE, related_name="+",
                              help_text="The whole meeting, or the one slot the delegator was invited to.")
    delegator = models.ForeignKey("panels.MeetingInvitee", on_delete=models.CASCADE, related_name="+")
    deputy_name = models.CharField(max_length=200)
    deputy_email = models.EmailField()
    source = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["meeting", "created_at", "id"]
        indexes = [models.Index(fields=["meeting", "status"])]

    def __str__(self) -> str:
        return f"{self.delegator} asks to send {self.deputy_email}"


class AlternativeAddress(models.Model):
    """Another address a user sends calendar replies from (a shared or secure mailbox, e.g. CJSM).

    A reply is applied only when its sender is the attendee or one of the attendee's registered addresses."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alternative_addresses")
    email = models.EmailField()

    class Meta:
        ordering = ["user", "email"]
        constraints = [models.UniqueConstraint(fields=["user", "email"], name="alternative_address_once")]

    def __str__(self) -> str:
        return f"{self.email} (for {self.user})"
