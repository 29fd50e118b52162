"""Writes for the release address and ETE on release (issue 16, point 4; docs/resettlement-record.md).

- ``release_address_record``: one dated change of the address status, with who recorded it. The child's
  ``release_address_status`` (the cohort field the agenda rules read, ``RS_ACCOMMODATION``) is set to the status of
  the latest change in the same transaction, and the change is audited with the child.
- ``address_changes_from_import``: a cohort import that changes the status adds a change dated the import day.
- ``release_ete_set``: the planned education, training or employment, and the interview date
  (``Child.ete_interview_on``, which ends ``ED_RELEASE_ETE``).

Callers have already checked that the actor may see the child (``panels.selectors.child_get_for_user``). The
address summary is sensitive: it never goes into the audit detail, an event, an email or a calendar entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from panels.audit import audit_record
from panels.enums import AddressKind, EteKind, ReleaseAddressStatus
from panels.events import event_emit
from panels.models import Child, ReleaseAddressChange, ReleaseEte, User

SUMMARY_LIMIT = 200  # the models' max_length
NOTE_LIMIT = 500
PROVIDER_LIMIT = 200
ETE_NOTES_LIMIT = 500
MAX_HOURS = 60


def _latest_status(child: Child) -> str | None:
    latest = ReleaseAddressChange.objects.filter(child=child).order_by("-on", "-id").values_list("status",
                                                                                                  flat=True).first()
    return latest


def _rules_changed(child: Child) -> None:
    # the agenda rules read the status and the interview date: rebuild the service's upcoming agendas
    event_emit("panels.child.release_changed", {"service_id": child.service_id, "child_id": child.pk})


@transaction.atomic
def release_address_record(*, child: Child, actor: User, status: str, on: date | None, today: date,
                           kind: str = "", summary: str = "", note: str = "",
                           fell_through: bool = False) -> ReleaseAddressChange:
    """Record that the release address became ``status`` on ``on`` (``fell_through``: the address recorded before
    fell through, and the status goes back to ``none``). A change may be recorded late (``on`` in the past); the
    child's status is always the latest change's."""
    summary, note = summary.strip(), note.strip()
    if fell_through:
        status = ReleaseAddressStatus.NONE
    errors: dict[str, str] = {}
    if status not in ReleaseAddressStatus.values:
        errors["status"] = "Choose the address status: no address yet, proposed, assessed or confirmed."
    if on is None:
        errors["on"] = "Give the date of the change, like 2026-11-03."
    elif on > today:
        errors["on"] = f"The date of the change cannot be after today ({today:%-d %B %Y}): record it when it happens."
    elif on < child.date_of_birth:
        errors["on"] = "The date of the change cannot be before the child's date of birth."
    if kind and kind not in AddressKind.values:
        errors["kind"] = "Choose what kind of place it is, or leave it blank."
    if len(summary) > SUMMARY_LIMIT:
        errors["summary"] = f"Say where in {SUMMARY_LIMIT} characters or fewer (it has {len(summary)})."
    if len(note) > NOTE_LIMIT:
        errors["note"] = f"Keep the note to {NOTE_LIMIT} characters or fewer (it has {len(note)})."
    if errors or on is None:
        raise ValidationError(errors)
    change = ReleaseAddressChange.objects.create(
        child=child, status=status, fell_through=fell_through, on=on, kind=kind, summary=summary, note=note,
        source=ReleaseAddressChange.Source.PAGE, recorded_by=actor)
    before = child.release_address_status
    child.release_address_status = _latest_status(child)
    if child.release_address_status != before:
        child.save(update_fields=["release_address_status", "updated_at"])
        _rules_changed(child)
    audit_record(actor=actor, action="child.release_address_recorded", child=child,
                 detail={"change": change.pk, "status": status, "on": on.isoformat(), "fell_through": fell_through,
                         "current": child.release_address_status})
    return change


def address_changes_from_import(changes: Iterable[tuple[Child, str | None, str | None]], *, day: date,
                                actor: User | None) -> list[ReleaseAddressChange]:
    """Inside the import's transaction: for each (child, status before, status after) that differ, a change dated
    the import day (``source = import``). One statement."""
    rows = [ReleaseAddressChange(child=child, status=after, on=day, source=ReleaseAddressChange.Source.IMPORT,
                                 recorded_by=actor)
            for child, before, after in changes if before != after]
    return ReleaseAddressChange.objects.bulk_create(rows, batch_size=500)


@transaction.atomic
def release_ete_set(*, child: Child, actor: User, kind: str = "", provider: str = "",
                    hours_per_week: int | None = None, starts_on: date | None = None, notes: str = "",
                    interview_on: date | None = None) -> ReleaseEte:
    """The education, training or employment planned for release, and the date of the interview
    (``Child.ete_interview_on``: recorded, it ends ``ED_RELEASE_ETE``; cleared, the reason comes back)."""
    provider, notes = provider.strip(), notes.strip()
    errors: dict[str, str] = {}
    if kind and kind not in EteKind.values:
        errors["kind"] = "Choose education, training or employment, or leave it blank."
    if len(provider) > PROVIDER_LIMIT:
        errors["provider"] = f"Name the provider in {PROVIDER_LIMIT} characters or fewer (it has {len(provider)})."
    if hours_per_week is not None and not 1 <= hours_per_week <= MAX_HOURS:
        errors["hours_per_week"] = f"Give the hours a week as a whole number from 1 to {MAX_HOURS}."
    if len(notes) > ETE_NOTES_LIMIT:
        errors["notes"] = f"Keep the notes to {ETE_NOTES_LIMIT} characters or fewer (they have {len(notes)})."
    for name, value in (("starts_on", starts_on), ("interview_on", interview_on)):
        if value is not None and value < child.date_of_birth:
            errors[name] = "The date cannot be before the child's date of birth."
    if errors:
        raise ValidationError(errors)
    ete, _ = ReleaseEte.objects.get_or_create(child=child)
    ete.kind, ete.provider, ete.hours_per_week = kind, provider, hours_per_week
    ete.starts_on, ete.notes, ete.updated_by = starts_on, notes, actor
    ete.save()
    changed: dict[str, Any] = {}
    if child.ete_interview_on != interview_on:
        changed["interview_on"] = interview_on.isoformat() if interview_on else None
        child.ete_interview_on = interview_on
        child.save(update_fields=["ete_interview_on", "updated_at"])
        _rules_changed(child)
    audit_record(actor=actor, action="child.release_ete_set", child=child,
                 detail={"kind": kind, "hours_per_week": hours_per_week, **changed})
    return ete
