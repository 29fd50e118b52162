"""Reminders and escalations of actions between meetings."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from minutes.models import Action
from notifications.ladder import STEP_LABELS, Ladder
from panels.models import Panel


class ReminderPolicy(models.Model):
    """A panel's reminder and escalation ladder (defaults when a panel has none)."""

    panel = models.OneToOneField(Panel, on_delete=models.CASCADE, related_name="reminder_policy")
    settings = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "reminder policies"

    def __str__(self) -> str:
        return f"Reminders for {self.panel}"

    @property
    def ladder(self) -> Ladder:
        ladder, _ = Ladder.from_dict(self.settings)
        return ladder or Ladder()


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
