"""Who wants which email, and each panel's reminder ladder: the reads (``*_for``) and writes (``*_save``) behind
the email-preferences and reminder-settings pages."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from notifications.ladder import Ladder, StatutoryLadder
from notifications.models import EmailPreference, ReminderPolicy
from panels.audit import audit_record
from panels.models import Panel, User

OPTIONAL_EMAILS = ("agenda_published", "minutes_approved", "action_assigned")


def email_choices_for(*, user: User) -> list[tuple[str, str, bool]]:
    """Each optional email as (field, what it is, whether the user gets it)."""
    preference = EmailPreference.objects.filter(user=user).first() or EmailPreference(user=user)
    return [(field, str(getattr(EmailPreference._meta.get_field(field), "help_text", "")),
             bool(getattr(preference, field))) for field in OPTIONAL_EMAILS]


@transaction.atomic
def email_preferences_save(*, user: User, digest: bool, wanted: Iterable[str]) -> EmailPreference:
    """Reminders one by one or as a daily digest; the optional emails in ``wanted`` on, the others off."""
    if digest != user.digest_emails:
        user.digest_emails = digest
        user.save(update_fields=["digest_emails"])
    wanted = set(wanted)
    preference = EmailPreference.objects.filter(user=user).first() or EmailPreference(user=user)
    for field in OPTIONAL_EMAILS:
        setattr(preference, field, field in wanted)
    preference.save()
    return preference


def reminder_ladder_for(*, panel: Panel) -> Ladder:
    """The panel's reminder and escalation ladder (the default one until it is changed)."""
    policy = ReminderPolicy.objects.filter(panel=panel).first()
    return policy.ladder if policy else Ladder()


def statutory_ladder_for(*, panel: Panel) -> StatutoryLadder:
    """The panel's escalation ladder of missed statutory timescales (the default one until it is changed)."""
    policy = ReminderPolicy.objects.filter(panel=panel).first()
    return policy.statutory_ladder if policy else StatutoryLadder()


@transaction.atomic
def statutory_ladder_save(*, panel: Panel, ladder: StatutoryLadder, actor: User) -> None:
    """Store the panel's statutory escalation ladder (the next daily run uses it). Audited."""
    ReminderPolicy.objects.update_or_create(panel=panel, defaults={"statutory_settings": ladder.to_dict()})
    audit_record(actor=actor, action="panel.escalation_changed", panel=panel, detail=ladder.to_dict())


@transaction.atomic
def reminder_ladder_save(*, panel: Panel, ladder: Ladder, actor: User) -> None:
    """Store the panel's ladder (the next daily run uses it). Audited."""
    ReminderPolicy.objects.update_or_create(panel=panel, defaults={"settings": ladder.to_dict()})
    audit_record(actor=actor, action="panel.reminders_changed", panel=panel, detail=ladder.to_dict())
