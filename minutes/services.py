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

from minutes.documents import meeting_snapshots_refresh
from minutes.models import (
    Action,
    ActionEvent,
    Attendance,
    CorrectionRequest,
    Decision,
    DueDateRequest,
    MeetingEvent,
    MinutesRevision,
    NextReview,
)
from minutes.selectors import record_snapshot
from panels import permissions
from panels.audit import audit_record
from panels.enums import MeetingStatus
from panels.events import event_emit
from panels.models import Agency, Child, Meeting, PanelMembership, Pathway, User
from panels.permissions import Viewer

EDITABLE = (MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED)


class RecordConflict(Exception):
    """Someone else changed the record first; ``current`` is what they saved."""

    def __init__(self, current):
        super().__init__(f"This was changed by someone else (now version {current.version}); review and retry.")
        self.current = current


def _log(meeting: Meeting, kind: str, *, child: Child | None = None, **payload: Any) -> MeetingEvent:
    event = MeetingEvent.objects.create(meeting=meeting, kind=kind, child=child, payload=payload)
    event_emit("minutes.event", {"meeting_id": meeting.pk, "event_id": event.pk, "kind": kind,
                                 "status": meeting.status, "record_id": payload.get("id")})
    return event


def actor_manages(actor: User, meeting: Meeting) -> bool:
    membership = PanelMembership.objects.filter(panel_id=meeting.panel_id, user=actor).values_list("role", flat=True)
    return permissions.can_manage_panel(Viewer.of(actor), service_id=meeting.panel.service_id,
                                        membership=membership.first())


def _require_editable(meeting: Meeting, actor: User) -> None:
    """Everyone with edit rights writes while the meeting is open; once it is closed only the panel's
    chair and coordinator tidy or amend the record (an amendment is approved as a new revision)."""
    if meeting.status not in EDITABLE:
        raise ValidationError({"meeting": "The minutes can be written once the meeting is open."})
    if meeting.status == MeetingStatus.CLOSED and not actor_manages(actor, meeting):
        raise ValidationError({"meeting": "The meeting is closed: only its chair or coordinator can change the "
                                          "minutes now."})


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
    _require_editable(meeting, actor)
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


@transaction.atomic
def attendance_register(*, meeting: Meeting, actor: User, child: Child | None,
                        entries: list[tuple[str, str, Agency | None]]) -> list[Attendance]:
    """Record several people's attendance at once ((name, status, agency) each): all of it, or none."""
    return [attendance_set(meeting=meeting, actor=actor, name=name, status=status, agency=agency, child=child)
            for name, status, agency in entries]


# --- decisions -----------------------------------------------------------------------------------
@transaction.atomic
def decision_record(*, meeting: Meeting, actor: User, text: str, child: Child | None = None) -> Decision:
    _require_editable(meeting, actor)
    if not text.strip():
        raise ValidationError({"text": "Write the decision."})
    decision = Decision.objects.create(meeting=meeting, child=child, text=text.strip(), recorded_by=actor)
    _log(meeting, "decision.recorded", child=child, id=decision.pk, version=decision.version)
    return decision


@transaction.atomic
def decision_edit(*, decision: Decision, actor: User, text: str, expected_version: int) -> Decision:
    _require_editable(decision.meeting, actor)
    if not text.strip():
        raise ValidationError({"text": "Write the decision."})
    decision = _cas(Decision, decision, expected_version, text=text.strip())
    _log(decision.meeting, "decision.edited", child=decision.child, id=decision.pk, version=decision.version)
    return decision


# --- next review ---------------------------------------------------------------------------------
@transaction.atomic
def next_review_set(*, meeting: Meeting, actor: User, child: Child, review_by: date,
                    expected_version: int | None = None) -> NextReview:
    """Set (or move) the date by which the child's case comes back to the panel."""
    _require_editable(meeting, actor)
    if review_by <= meeting.local_date:
        raise ValidationError({"review_by": "The next review must be after this meeting."})
    record = NextReview.objects.filter(meeting=meeting, child=child).first()
    if record is None:
        record = NextReview.objects.create(meeting=meeting, child=child, review_by=review_by, set_by=actor)
    else:
        record = _cas(NextReview, record, expected_version if expected_version is not None else record.version,
                      review_by=review_by, set_by=actor, updated_at=timezone.now())
    _log(meeting, "review.set", child=child, id=record.pk, review_by=review_by.isoformat(), version=record.version)
    return record


# --- one item's record at once (the cockpit) ------------------------------------------------------
class ItemRecordError(Exception):
    """One part of an item's record was refused (``part``: attendance, decision, action or review)."""

    def __init__(self, part: str, error: ValidationError):
        super().__init__(f"{part}: {error}")
        self.part, self.error = part, error


@transaction.atomic
def item_record(*, meeting: Meeting, actor: User, child: Child | None, attendance: list | None = None,
                decision: str = "", action: dict | None = None, review_by: date | None = None) -> None:
    """What the panel recorded for one item in one go: attendance ((name, status, agency) each), a decision,
    an action (``action_create``'s arguments) and the next review. All of it is saved, or none of it."""
    steps = [
        ("attendance", attendance and (lambda: attendance_register(meeting=meeting, actor=actor, child=child,
                                                                    entries=attendance))),
        ("decision", decision and (lambda: decision_record(meeting=meeting, actor=actor, text=decision,
                                                           child=child))),
        ("action", action and (lambda: action_create(meeting=meeting, actor=actor, child=child, **action))),
        ("review", review_by and child and (lambda: next_review_set(meeting=meeting, actor=actor, child=child,
                                                                    review_by=review_by))),
    ]
    for part, step in steps:
        if step:
            try:
                step()
            except ValidationError as error:
                raise ItemRecordError(part, error) from error


# --- the cockpit's focus -------------------------------------------------------------------------
def focus_move(*, meeting: Meeting, actor: User, child: Child | None) -> MeetingEvent | None:
    """The chair moved the meeting on to ``child`` (None: the meeting's own business).

    Recorded as a ``focus`` event (its time is when that item's discussion began) while the meeting is in
    progress; staying on the same item records nothing. Pages that follow the chair hear ``minutes.focus``.
    """
    if meeting.status != MeetingStatus.IN_PROGRESS:
        return None
    last = meeting.events.filter(kind="focus").order_by("-id").values("child_id").first()
    if last is not None and last["child_id"] == (child.pk if child else None):
        return None
    event = MeetingEvent.objects.create(meeting=meeting, kind="focus", child=child, payload={"by": actor.pk})
    event_emit("minutes.focus", {"meeting_id": meeting.pk, "status": meeting.status})
    return event


# --- actions -------------------------------------------------------------------------------------
@transaction.atomic
def action_create(*, meeting: Meeting, actor: User, description: str, owner_agency: Agency | None, due_date: date,
                  child: Child | None = None, owner: User | None = None, pathway: str = "",
                  resettlement_pathway: Pathway | None = None, allow_past_due: bool = False) -> Action:
    """An action owned by a named person (an active user of the owner agency) or, when nobody is named, by an
    agency; a named person's agency is the owner agency when none is given. A due date in the past is refused
    (``allow_past_due``: only for recording history, such as the demo's past meetings). It may belong to one of
    the service's resettlement pathways."""
    _require_editable(meeting, actor)
    errors = {}
    if resettlement_pathway is not None:
        if resettlement_pathway.service_id != meeting.panel.service_id:
            errors["resettlement_pathway"] = "Choose one of the service's pathways."
        pathway = pathway.strip() or resettlement_pathway.name[:60]
    if not description.strip():
        errors["description"] = "Say what is to be done."
    if owner is not None and owner_agency is None:
        owner_agency = owner.agency
    if owner is None and owner_agency is None:
        errors["owner_agency"] = "Choose who owns the action: a person, an agency, or both."
    elif owner is not None and not owner.is_active:
        errors["owner"] = f"{owner} can no longer sign in: choose someone else."
    elif owner is not None and owner_agency is not None and owner.agency_id != owner_agency.pk:
        errors["owner"] = f"{owner} does not work for {owner_agency}: leave the agency empty to use theirs."
    if owner_agency is None and not errors:
        errors["owner"] = f"{owner} belongs to no agency: choose the owner agency too."
    if due_date < meeting.local_date:
        errors["due_date"] = "The due date is before the meeting."
    elif due_date < timezone.localdate() and not allow_past_due:
        errors["due_date"] = "The due date is in the past: give a date from today on."
    if errors:
        raise ValidationError(errors)
    action = Action.objects.create(meeting=meeting, child=child, description=description.strip(), owner=owner,
                                   owner_agency=owner_agency, due_date=due_date, pathway=pathway.strip(),
                                   resettlement_pathway=resettlement_pathway, created_by=actor)
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
def action_update_status(*, action: Action, actor: User | None, status: str, expected_version: int, note: str = "",
                         evidence: str = "", actor_label: str = "") -> Action:
    """Move an action on, with a progress note and optional evidence. Cancelling needs a reason; only the
    panel's chair or coordinator verifies a completed action. Concurrent updates are refused, never
    overwritten. ``actor`` is None for someone acting through a signed link (``actor_label`` says who)."""
    if status not in ALLOWED_MOVES.get(action.status, set()):
        target = Action.Status(status).label.lower() if status in Action.Status.values else repr(status)
        raise ValidationError({"status": f"An action that is {action.get_status_display().lower()} cannot become "
                                         f"{target}."})
    if status == Action.Status.CANCELLED and not note.strip():
        raise ValidationError({"note": "Give a reason for cancelling the action."})
    if status == Action.Status.BLOCKED and not note.strip():
        raise ValidationError({"note": "Say which agency it is waiting for, and what for."})
    if status == Action.Status.VERIFIED and (actor is None or not actor_manages(actor, action.meeting)):
        raise ValidationError({"status": "Only the panel's chair or coordinator verifies a completed action."})
    previous = action.status
    values = {"status": status, "updated_at": timezone.now()}
    if evidence.strip():
        values["evidence"] = evidence.strip()
    action = _cas(Action, action, expected_version, **values)
    ActionEvent.objects.create(action=action, actor=actor, actor_label=actor_label, from_status=previous,
                               to_status=status, note=note.strip(),
                               changes={"evidence": evidence.strip()} if evidence.strip() else {})
    audit_record(actor=actor, action="action.status_changed", child=action.child, meeting=action.meeting,
                 detail={"action_id": action.pk, "from": previous, "to": status, "via": actor_label or None})
    _log(action.meeting, "action.updated", child=action.child, id=action.pk, version=action.version)
    return action


@transaction.atomic
def action_note_add(*, action: Action, actor: User | None, note: str, actor_label: str = "") -> ActionEvent:
    """A progress note without a change of status."""
    if not note.strip():
        raise ValidationError({"note": "Write the progress note."})
    return ActionEvent.objects.create(action=action, actor=actor, actor_label=actor_label, from_status=action.status,
                                      to_status=action.status, note=note.strip())


def action_progress(*, action: Action, actor: User | None, status: str, expected_version: int, note: str = "",
                    evidence: str = "", actor_label: str = "") -> Action | ActionEvent:
    """What the action page's update form records: a new status (``action_update_status``), or, with no new
    status, a progress note (``action_note_add``)."""
    if status:
        return action_update_status(action=action, actor=actor, status=status, expected_version=expected_version,
                                    note=note, evidence=evidence, actor_label=actor_label)
    return action_note_add(action=action, actor=actor, note=note, actor_label=actor_label)


@transaction.atomic
def due_date_request(*, action: Action, actor: User | None, new_due_date: date, reason: str,
                     actor_label: str = "") -> DueDateRequest:
    """The owner asks for more time; the panel decides. One open request per action."""
    errors = {}
    if not action.is_open:
        errors["action"] = f"The action is {action.get_status_display().lower()}: its date no longer matters."
    if new_due_date <= action.due_date:
        errors["new_due_date"] = "Ask for a date after the current due date."
    elif new_due_date < timezone.localdate():
        errors["new_due_date"] = "The date asked for is in the past: ask for a date from today on."
    if not reason.strip():
        errors["reason"] = "Say why more time is needed."
    if action.due_date_requests.filter(status=DueDateRequest.Status.OPEN).exists():
        errors["action"] = "A request for a new date is already waiting for the panel."
    if errors:
        raise ValidationError(errors)
    request = DueDateRequest.objects.create(action=action, requested_by=actor, requested_by_label=actor_label,
                                            new_due_date=new_due_date, reason=reason.strip())
    ActionEvent.objects.create(action=action, actor=actor, actor_label=actor_label, from_status=action.status,
                               to_status=action.status, note=f"Asked to move the due date to {new_due_date:%-d %b %Y}:"
                                                             f" {reason.strip()}")
    _log(action.meeting, "action.date_requested", child=action.child, id=action.pk, request=request.pk)
    return request


@transaction.atomic
def due_date_decide(*, request: DueDateRequest, actor: User, agree: bool, note: str = "") -> DueDateRequest:
    action = request.action
    if not actor_manages(actor, action.meeting):
        raise ValidationError({"request": "Only the panel's chair or coordinator decides a new due date."})
    if not agree and not note.strip():
        raise ValidationError({"note": "Say why the date stays as it is."})
    updated = DueDateRequest.objects.filter(pk=request.pk, status=DueDateRequest.Status.OPEN).update(
        status=DueDateRequest.Status.AGREED if agree else DueDateRequest.Status.REFUSED, decided_by=actor,
        decided_at=timezone.now(), decision_note=note.strip())
    request.refresh_from_db()
    if not updated:
        raise ValidationError({"request": f"This request is already {request.get_status_display().lower()}."})
    if agree:
        previous = action.due_date
        action = _cas(Action, action, action.version, due_date=request.new_due_date, updated_at=timezone.now())
        ActionEvent.objects.create(action=action, actor=actor, from_status=action.status, to_status=action.status,
                                   note=f"Due date moved from {previous:%-d %b %Y} to {action.due_date:%-d %b %Y}.",
                                   changes={"due_date": [previous.isoformat(), action.due_date.isoformat()]})
    else:
        ActionEvent.objects.create(action=action, actor=actor, from_status=action.status, to_status=action.status,
                                   note=f"New due date refused: {note.strip()}")
    audit_record(actor=actor, action="action.date_decided", child=action.child, meeting=action.meeting,
                 detail={"action_id": action.pk, "agreed": agree})
    _log(action.meeting, "action.updated", child=action.child, id=action.pk, version=action.version)
    return request


# --- closing and approving -----------------------------------------------------------------------
def draft_snapshot(meeting: Meeting) -> dict[str, Any]:
    """Everything the approved record shows, frozen, as stored JSON (``minutes.record``, with its schema version)."""
    return record_snapshot(meeting).to_json()


@transaction.atomic
def minutes_approve(*, meeting: Meeting, actor: User, reason: str = "",
                    corrections: list[CorrectionRequest] | None = None) -> MinutesRevision:
    """Freeze the record as the next numbered revision. After the first, a reason is required; the
    open correction requests it answers are marked accepted and linked to it."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != MeetingStatus.CLOSED:
        raise ValidationError({"meeting": "Close the meeting before approving its minutes."})
    previous = meeting.minutes_revisions.order_by("-number").first()
    if previous and not reason.strip():
        raise ValidationError({"reason": "Say why the approved minutes are being revised."})
    meeting_snapshots_refresh(meeting_id=meeting.pk)  # the live text, not a snapshot a moment old
    revision = MinutesRevision.objects.create(
        meeting=meeting, number=(previous.number + 1) if previous else 1, approved_by=actor,
        reason=reason.strip(), snapshot=draft_snapshot(meeting))
    if corrections:
        accepted = CorrectionRequest.objects.filter(pk__in=[c.pk for c in corrections],
                                                    revision__meeting=meeting, status=CorrectionRequest.Status.OPEN)
        accepted.update(status=CorrectionRequest.Status.ACCEPTED, resolved_by=actor, resolved_at=timezone.now(),
                        corrected_in=revision, resolution=f"Corrected in revision {revision.number}.")
    audit_record(actor=actor, action="minutes.approved", meeting=meeting, panel=meeting.panel,
                 detail={"revision": revision.number, "reason": revision.reason})
    _log(meeting, "minutes.approved", number=revision.number)
    event_emit("minutes.approved", {"meeting_id": meeting.pk, "revision": revision.number,
                                    "status": meeting.status})
    return revision


# --- corrections ---------------------------------------------------------------------------------
@transaction.atomic
def correction_request(*, revision: MinutesRevision, actor: User, text: str) -> CorrectionRequest:
    """An agency asks for approved minutes to be corrected; the chair and coordinator see it."""
    if not text.strip():
        raise ValidationError({"text": "Say what is wrong and what it should say."})
    if revision.meeting.minutes_revisions.filter(number__gt=revision.number).exists():
        raise ValidationError({"revision": "A newer revision has been approved: ask for a correction to that one."})
    request = CorrectionRequest.objects.create(revision=revision, requested_by=actor, agency=actor.agency,
                                               text=text.strip())
    audit_record(actor=actor, action="minutes.correction_requested", meeting=revision.meeting,
                 panel=revision.meeting.panel, detail={"revision": revision.number, "correction_id": request.pk})
    _log(revision.meeting, "correction.requested", id=request.pk, revision=revision.number)
    return request


@transaction.atomic
def correction_decline(*, correction: CorrectionRequest, actor: User, resolution: str) -> CorrectionRequest:
    if not resolution.strip():
        raise ValidationError({"resolution": "Tell the requester why the minutes stand as approved."})
    updated = CorrectionRequest.objects.filter(pk=correction.pk, status=CorrectionRequest.Status.OPEN).update(
        status=CorrectionRequest.Status.DECLINED, resolved_by=actor, resolved_at=timezone.now(),
        resolution=resolution.strip())
    correction.refresh_from_db()
    if not updated:
        raise ValidationError({"correction": f"This request is already {correction.get_status_display().lower()}."})
    meeting = correction.revision.meeting
    audit_record(actor=actor, action="minutes.correction_declined", meeting=meeting, panel=meeting.panel,
                 detail={"correction_id": correction.pk})
    _log(meeting, "correction.declined", id=correction.pk)
    return correction


def events_since(*, meeting: Meeting, after: int, limit: int = 500) -> tuple[list[MeetingEvent], bool]:
    """Events after a client's last id, and whether it must refresh instead (too far behind)."""
    events = list(meeting.events.filter(id__gt=after).order_by("id")[: limit + 1])
    return events[:limit], len(events) > limit
