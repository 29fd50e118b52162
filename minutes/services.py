"""Writes for the structured record of a meeting: attendance, decisions, actions, approval.

Every write is versioned (compare-and-set: a stale ``expected_version`` raises ``RecordConflict``),
appends to the meeting's event log (increasing ids) and is broadcast after commit. Actions are never
deleted and keep an append-only history.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from minutes.models import Action, ActionEvent, Attendance, Decision, MeetingEvent, MinuteDocument, MinutesRevision
from panels.audit import audit_record
from panels.enums import MeetingStatus
from panels.events import event_emit
from panels.models import Agency, Child, Meeting, User

EDITABLE = (MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED)


class RecordConflict(Exception):
    """Someone else changed the record first; ``current`` is what they saved."""

    def __init__(self, current):
        super().__init__(f"This was changed by someone else (now version {current.version}); review and retry.")
        self.current = current


def _log(meeting: Meeting, kind: str, *, child: Child | None = None, **payload: Any) -> MeetingEvent:
    event = MeetingEvent.objects.create(meeting=meeting, kind=kind, child=child, payload=payload)
    event_emit("minutes.event", {"meeting_id": meeting.pk, "event_id": event.pk, "kind": kind,
                                 "status": meeting.status})
    return event


def _require_editable(meeting: Meeting) -> None:
    if meeting.status not in EDITABLE:
        raise ValidationError({"meeting": "The minutes can be written once the meeting is open."})
    if meeting.minutes_revisions.exists():
        raise ValidationError({"meeting": "The minutes are approved: changes need a new revision with a reason."})


def _cas(model, obj, expected_version: int, **values):
    """Compare-and-set update; returns the fresh object or raises RecordConflict."""
    updated = model.objects.filter(pk=obj.pk, version=expected_version).update(version=F("version") + 1, **values)
    obj.refresh_from_db()
    if not updated:
        raise RecordConflict(obj)
    return obj


# --- attendance ----------------------------------------------------------------------------------
@transaction.atomic
def attendance_set(*, meeting: Meeting, actor: User, name: str, status: str, agency: Agency | None = None,
                   user: User | None = None, child: Child | None = None,
                   expected_version: int | None = None) -> Attendance:
    _require_editable(meeting)
    if status not in Attendance.Status.values:
        raise ValidationError({"status": f"{status!r} is not an attendance status."})
    if not name.strip():
        raise ValidationError({"name": "Give the person's name."})
    record = Attendance.objects.filter(meeting=meeting, child=child, name=name.strip()).first()
    if record is None:
        record = Attendance.objects.create(meeting=meeting, child=child, name=name.strip(), agency=agency, user=user,
                                           status=status)
    else:
        record = _cas(Attendance, record, expected_version if expected_version is not None else record.version,
                      status=status, agency=agency or record.agency)
    _log(meeting, "attendance.set", child=child, id=record.pk, name=record.name, status=status,
         version=record.version)
    return record


# --- decisions -----------------------------------------------------------------------------------
@transaction.atomic
def decision_record(*, meeting: Meeting, actor: User, text: str, child: Child | None = None) -> Decision:
    _require_editable(meeting)
    if not text.strip():
        raise ValidationError({"text": "Write the decision."})
    decision = Decision.objects.create(meeting=meeting, child=child, text=text.strip(), recorded_by=actor)
    _log(meeting, "decision.recorded", child=child, id=decision.pk, version=decision.version)
    return decision


@transaction.atomic
def decision_edit(*, decision: Decision, actor: User, text: str, expected_version: int) -> Decision:
    _require_editable(decision.meeting)
    if not text.strip():
        raise ValidationError({"text": "Write the decision."})
    decision = _cas(Decision, decision, expected_version, text=text.strip())
    _log(decision.meeting, "decision.edited", child=decision.child, id=decision.pk, version=decision.version)
    return decision


# --- actions -------------------------------------------------------------------------------------
@transaction.atomic
def action_create(*, meeting: Meeting, actor: User, description: str, owner_agency: Agency, due_date: date,
                  child: Child | None = None, owner: User | None = None, pathway: str = "") -> Action:
    _require_editable(meeting)
    errors = {}
    if not description.strip():
        errors["description"] = "Say what is to be done."
    if owner is not None and owner.agency_id != owner_agency.pk:
        errors["owner"] = f"{owner} does not work for {owner_agency}."
    if due_date < meeting.local_date:
        errors["due_date"] = "The due date is before the meeting."
    if errors:
        raise ValidationError(errors)
    action = Action.objects.create(meeting=meeting, child=child, description=description.strip(), owner=owner,
                                   owner_agency=owner_agency, due_date=due_date, pathway=pathway.strip(),
                                   created_by=actor)
    ActionEvent.objects.create(action=action, actor=actor, to_status=action.status, note="Set at the meeting.")
    audit_record(actor=actor, action="action.created", child=child, meeting=meeting,
                 detail={"action_id": action.pk, "owner_agency": owner_agency.name})
    _log(meeting, "action.created", child=child, id=action.pk, version=action.version)
    return action


ALLOWED_MOVES = {
    Action.Status.OPEN: {Action.Status.IN_PROGRESS, Action.Status.BLOCKED, Action.Status.DONE, Action.Status.CANCELLED},
    Action.Status.IN_PROGRESS: {Action.Status.OPEN, Action.Status.BLOCKED, Action.Status.DONE,
                                Action.Status.CANCELLED},
    Action.Status.BLOCKED: {Action.Status.OPEN, Action.Status.IN_PROGRESS, Action.Status.DONE,
                            Action.Status.CANCELLED},
    Action.Status.DONE: {Action.Status.VERIFIED, Action.Status.IN_PROGRESS},
    Action.Status.VERIFIED: set(),
    Action.Status.CANCELLED: set(),
}


@transaction.atomic
def action_update_status(*, action: Action, actor: User, status: str, expected_version: int, note: str = "") -> Action:
    """Move an action on; cancelling needs a reason. Concurrent updates are refused, never overwritten."""
    if status not in ALLOWED_MOVES.get(action.status, set()):
        target = Action.Status(status).label.lower() if status in Action.Status.values else repr(status)
        raise ValidationError({"status": f"An action that is {action.get_status_display().lower()} cannot become "
                                         f"{target}."})
    if status == Action.Status.CANCELLED and not note.strip():
        raise ValidationError({"note": "Give a reason for cancelling the action."})
    previous = action.status
    action = _cas(Action, action, expected_version, status=status, updated_at=timezone.now())
    ActionEvent.objects.create(action=action, actor=actor, from_status=previous, to_status=status, note=note.strip())
    audit_record(actor=actor, action="action.status_changed", child=action.child, meeting=action.meeting,
                 detail={"action_id": action.pk, "from": previous, "to": status})
    _log(action.meeting, "action.updated", child=action.child, id=action.pk, version=action.version)
    return action


# --- closing and approving -----------------------------------------------------------------------
def _snapshot(meeting: Meeting) -> dict[str, Any]:
    return {
        "sections": [
            {"child_id": d.child_id, "section": d.section, "text": d.text}
            for d in MinuteDocument.objects.filter(meeting=meeting).order_by("child_id", "section")
        ],
        "decisions": [
            {"id": d.pk, "child_id": d.child_id, "text": d.text}
            for d in meeting.decisions.filter(withdrawn=False).order_by("id")
        ],
        "actions": [
            {"id": a.pk, "child_id": a.child_id, "description": a.description, "owner": str(a.owner or ""),
             "owner_agency": a.owner_agency.name, "due_date": a.due_date.isoformat(), "status": a.status}
            for a in meeting.actions.select_related("owner", "owner_agency").order_by("id")
        ],
        "attendance": [
            {"child_id": a.child_id, "name": a.name, "agency": a.agency.name if a.agency else "", "status": a.status}
            for a in meeting.attendance.select_related("agency").order_by("child_id", "name")
        ],
    }


@transaction.atomic
def minutes_approve(*, meeting: Meeting, actor: User, reason: str = "") -> MinutesRevision:
    """Freeze the record as the next numbered revision. After the first, a reason is required."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.CLOSED:
        raise ValidationError({"meeting": "Close the meeting before approving its minutes."})
    previous = meeting.minutes_revisions.order_by("-number").first()
    if previous and not reason.strip():
        raise ValidationError({"reason": "Say why the approved minutes are being revised."})
    revision = MinutesRevision.objects.create(
        meeting=meeting, number=(previous.number + 1) if previous else 1, approved_by=actor,
        reason=reason.strip(), snapshot=_snapshot(meeting))
    audit_record(actor=actor, action="minutes.approved", meeting=meeting, panel=meeting.panel,
                 detail={"revision": revision.number, "reason": revision.reason})
    _log(meeting, "minutes.approved", number=revision.number)
    event_emit("minutes.approved", {"meeting_id": meeting.pk, "revision": revision.number,
                                    "status": meeting.status})
    return revision


def events_since(*, meeting: Meeting, after: int, limit: int = 500) -> tuple[list[MeetingEvent], bool]:
    """Events after a client's last id, and whether it must refresh instead (too far behind)."""
    events = list(meeting.events.filter(id__gt=after).order_by("id")[: limit + 1])
    return events[:limit], len(events) > limit
