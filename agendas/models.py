"""Agendas: the items of a meeting (one per child), referrals, the chair's decisions, published versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from panels.models import Agency, Child, Meeting, MeetingInvitee, Panel


class Referral(models.Model):
    """A case manager asks a panel to discuss a child; the chair accepts or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the chair"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="referrals")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="referrals")
    reason = models.TextField()
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)
    discussed_at = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The meeting where the referral was heard; it stops appearing after that.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "child"], condition=Q(status="pending"), name="referral_one_pending_per_child"
            )
        ]

    def __str__(self) -> str:
        return f"Referral of {self.child.reference} to {self.panel}"


class AgendaDecision(models.Model):
    """The chair adds a child to, or removes one from, a meeting's agenda. Audited: never deleted."""

    class Action(models.TextChoices):
        ADD = "add", "Added by the chair"
        REMOVE = "remove", "Removed by the chair"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_decisions")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=6, choices=Action.choices)
    reason = models.CharField(max_length=500)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    superseded = models.BooleanField(default=False, help_text="A later decision about the same child replaced it.")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.child.reference}"


class AgendaItem(models.Model):
    """One child on one meeting's working agenda, rebuilt from the rules; slots and presenter are kept."""

    class State(models.TextChoices):
        LISTED = "listed", "On the agenda"
        REMOVED = "removed", "Removed by the chair"
        NO_LONGER_DUE = "no_longer_due", "Published, but no longer due: confirm or remove"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="agenda_items")
    state = models.CharField(max_length=14, choices=State.choices, default=State.LISTED)
    reasons = models.JSONField(default=list, help_text="[{code, kind, due, late, explanation}] sorted by code")
    late = models.BooleanField(default=False)
    earliest_due = models.DateField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    slot_start = models.TimeField(null=True, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every write (compare-and-set).")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [models.UniqueConstraint(fields=["meeting", "child"], name="agenda_item_once_per_meeting")]

    def __str__(self) -> str:
        return f"{self.child.reference} on {self.meeting}"

    @property
    def codes(self) -> list[str]:
        return [r["code"] for r in self.reasons]


class AgendaVersion(models.Model):
    """A published, frozen agenda. Partners see the latest published version only."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_versions")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    items = models.JSONField(help_text="The frozen items: child id and reference, reasons, slot, presenter.")
    changes = models.JSONField(default=dict, help_text="{added: [...], removed: [...], moved: [...]} vs previous")
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["meeting", "-number"]
        constraints = [models.UniqueConstraint(fields=["meeting", "number"], name="agenda_version_unique_number")]

    def __str__(self) -> str:
        return f"Agenda v{self.number} of {self.meeting}"



class ItemInvitation(models.Model):
    """An invitee asked for one child's slot only: their invite is for that slot's time, not the meeting,
    and within the meeting they see that child's item only."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="invitations")
    invitee = models.ForeignKey(MeetingInvitee, on_delete=models.CASCADE, related_name="item_invitations")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "invitee"]
        constraints = [models.UniqueConstraint(fields=["item", "invitee"], name="item_invitation_once")]

    def __str__(self) -> str:
        return f"{self.invitee} for item {self.item_id}"


class OversightRows(models.Model):
    """The oversight reports' rows of one service, computed in the background once per change (a job of
    ``panels/jobs.py``, kind "oversight_rows"; agendas/oversight/snapshots.py) so that no reader waits for them.
    The row is both the last complete snapshot and the job that makes the next one."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Computing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    service = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.READY)
    key = models.CharField(max_length=64, blank=True,
                           help_text="What the stored rows were made from (the data stamp, the panels' settings).")
    rows = models.BinaryField(default=b"", help_text="The rows, pickled, compressed and signed.")
    built_at = models.DateTimeField(null=True, blank=True, help_text="When the stored rows were computed.")
    requested_at = models.DateTimeField(null=True, blank=True, help_text="When a rebuild was last asked for.")
    started_at = models.DateTimeField(null=True, blank=True, help_text="When a run last took the job.")
    again = models.BooleanField(default=False, help_text="A change came while the job ran: run it once more.")
    message = models.TextField(blank=True, help_text="Why the last rebuild failed.")

    class Meta:
        verbose_name_plural = "oversight rows"

    def __str__(self) -> str:
        return f"Oversight rows of service {self.service_id} ({self.get_status_display()})"


class BoardPackFile(models.Model):
    """The board pack PDF of one period and audience as one reader asked for it, made in the background (a job
    of ``panels/jobs.py``, kind "board_pack_pdf"; agendas/oversight/board_files.py): the row is the job and,
    once done, the file. Its case list is the children its reader may see, so each reader has their own."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Being prepared"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    service = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=7, help_text="The month of the pack, YYYY-MM.")
    audience = models.CharField(max_length=10, help_text="full or summary (agendas/oversight/views.py AUDIENCES).")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    message = models.TextField(blank=True, help_text="Why the last run failed.")
    requested_at = models.DateTimeField(help_text="When the PDF was last asked for.")
    started_at = models.DateTimeField(null=True, blank=True, help_text="When a run last took the job.")
    finished_at = models.DateTimeField(null=True, blank=True, help_text="When the stored PDF was made.")
    rows_key = models.CharField(max_length=64, blank=True,
                                help_text="The key of the oversight rows the PDF was made from (stale when it moves).")
    children = models.JSONField(default=list, blank=True,
                                help_text="[id, reference] of the children listed in the PDF (audited on download).")
    pdf = models.BinaryField(default=b"", help_text="The PDF, once made.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "period", "audience", "requested_by"],
                                               name="board_pack_file_once_per_reader")]

    def __str__(self) -> str:
        return f"Board pack {self.period} ({self.audience}) of service {self.service_id}: {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
