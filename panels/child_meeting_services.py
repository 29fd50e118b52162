"""Writes for the child's statutory meetings (issue 16, point 2): plan, change, record as held, cancel, record
that one did not take place.

Each write is one transaction, audited with the child. Callers have already checked the actor may see the child
(``panels.selectors.child_get_for_user``). Recording a meeting as held sets the child's matching ``*_held_on``
field (``child_meetings.HELD_FIELDS``) to the latest held date of its kind, so the agenda reason ends; undoing it
(did not take place, a corrected date) puts back what the held meetings left say, or, with none left, what the
field said before Convene first recorded one. Planning, changing and cancelling emit
``panels.child_meeting.changed``: notifications keeps the invitees' calendars in line in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from panels import child_meetings
from panels.audit import audit_record
from panels.enums import ChildMeetingKind, ChildMeetingPlace, ChildMeetingStatus
from panels.events import ChildMeetingChanged, ChildMeetingRecorded, event_emit
from panels.models import Child, ChildMeeting, ChildMeetingParticipant, NetworkMember, User

Status = ChildMeetingStatus


def child_identifiers(child: Child) -> list[str]:
    return [n for n in (child.given_name, child.family_name, child.preferred_name, child.reference) if n]


def _where_errors(child: Child, *, kind: str, starts_at: datetime | None, ends_at: datetime | None, place: str,
                  location: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind not in ChildMeetingKind.values:
        errors["kind"] = "Choose which meeting this is."
    if place not in ChildMeetingPlace.values:
        errors["place"] = "Choose where the meeting is: at the establishment, by video or in the community."
    if starts_at is None:
        errors["starts_at"] = "Give the day and time the meeting starts."
    elif ends_at is None or ends_at <= starts_at:
        errors["ends_at"] = "The meeting must end after it starts."
    elif ends_at - starts_at > timedelta(minutes=child_meetings.MAX_MINUTES):
        errors["ends_at"] = "A meeting about one child lasts at most 8 hours."
    if len(location) > child_meetings.LOCATION_LIMIT:
        errors["location"] = f"Say where in at most {child_meetings.LOCATION_LIMIT} characters."
    elif named := child_meetings.names_in(location, child_identifiers(child)):
        errors["location"] = (f"The place goes into calendar invites: leave out the child's name or reference "
                              f"({', '.join(named)}).")
    return errors


def _people(child: Child, members: Iterable[NetworkMember], staff: Iterable[User]) -> list[dict]:
    """Who the meeting invites, once per email address (a network member first)."""
    errors, people, seen = {}, [], set()
    for member in members:
        if member.child_id != child.pk:
            errors["members"] = "Choose people from this child's network."
            continue
        email = member.contact_email.lower()
        if email and email in seen:
            continue
        seen.add(email)
        people.append({"member": member, "user": member.user, "name": member.display_name, "email": email,
                       "role": member.get_role_display()})
    for user in staff:
        if user.agency_id != child.service_id or not user.is_active:
            errors["staff"] = "Choose staff of the child's youth justice service."
            continue
        email = user.email.lower()
        if email and email in seen:
            continue
        seen.add(email)
        role = "Case manager" if user.pk == child.case_manager_id else (user.job_title or "Youth justice service")
        people.append({"member": None, "user": user, "name": user.get_full_name() or user.username,
                       "email": email, "role": role[:120]})
    if errors:
        raise ValidationError(errors)
    return people


def _participants_set(meeting: ChildMeeting, people: list[dict]) -> bool:
    """Make the meeting's invitees these people (kept ones keep their answers). True if the list changed."""
    existing = list(meeting.participants.select_related("member", "user"))

    def key(member: NetworkMember | None, user: User | None) -> tuple:
        return ("member", member.pk) if member is not None else ("user", user.pk if user else None)

    wanted = {key(p["member"], p["user"]): p for p in people}
    changed = False
    for participant in existing:
        if key(participant.member, participant.user) not in wanted:
            participant.delete()
            changed = True
    have = {key(p.member, p.user) for p in existing}
    for k, person in wanted.items():
        if k not in have:
            ChildMeetingParticipant.objects.create(child_meeting=meeting, **person)
            changed = True
    return changed


def _changed(meeting: ChildMeeting, actor: User, action: str, **detail) -> None:
    audit_record(actor=actor, action=f"child.meeting_{action}", child=meeting.child,
                 detail={"child_meeting": meeting.pk, "kind": meeting.kind, **detail})
    event_emit(ChildMeetingChanged(child_meeting_id=meeting.pk, action=action))


@transaction.atomic
def child_meeting_plan(*, child: Child, actor: User, kind: str, starts_at: datetime | None,
                       ends_at: datetime | None, place: str, location: str = "", video_link: str = "",
                       members: Iterable[NetworkMember] = (), staff: Iterable[User] = ()) -> ChildMeeting:
    """Plan a statutory meeting and invite these people (calendar invites go out with the commit)."""
    location = location.strip()
    errors = _where_errors(child, kind=kind, starts_at=starts_at, ends_at=ends_at, place=place, location=location)
    if errors:
        raise ValidationError(errors)
    people = _people(child, members, staff)
    assert starts_at is not None and ends_at is not None  # (_where_errors names a missing time)
    meeting = ChildMeeting.objects.create(child=child, kind=kind, starts_at=starts_at, ends_at=ends_at, place=place,
                                          location=location, video_link=video_link.strip(), created_by=actor)
    _participants_set(meeting, people)
    _changed(meeting, actor, "planned", invited=len(people))
    return meeting


@transaction.atomic
def child_meeting_change(*, meeting: ChildMeeting, actor: User, kind: str, starts_at: datetime | None,
                         ends_at: datetime | None, place: str, location: str = "", video_link: str = "",
                         members: Iterable[NetworkMember] = (), staff: Iterable[User] = ()) -> ChildMeeting:
    """Change a planned meeting: its kind, time, place or invitees (an update goes to the invitees)."""
    meeting = ChildMeeting.objects.select_for_update().select_related("child").get(pk=meeting.pk)
    if meeting.status != Status.PLANNED:
        raise ValidationError({"status": f"This meeting is {meeting.get_status_display().lower()}: only a planned "
                                         "meeting can be changed."})
    location = location.strip()
    errors = _where_errors(meeting.child, kind=kind, starts_at=starts_at, ends_at=ends_at, place=place,
                           location=location)
    if errors:
        raise ValidationError(errors)
    people = _people(meeting.child, members, staff)
    assert starts_at is not None and ends_at is not None  # (_where_errors names a missing time)
    meeting.kind, meeting.starts_at, meeting.ends_at = kind, starts_at, ends_at
    meeting.place, meeting.location, meeting.video_link = place, location, video_link.strip()
    meeting.save()
    _participants_set(meeting, people)
    _changed(meeting, actor, "changed")
    return meeting


def _held_field_sync(meeting: ChildMeeting, *, before: date | None) -> str | None:
    """Set the child's field for this kind from the held meetings of the kind. Returns the field if it changed."""
    field = child_meetings.HELD_FIELDS.get(meeting.kind)
    if field is None:
        return None
    child = Child.objects.select_for_update().get(pk=meeting.child_id)
    dates = ChildMeeting.objects.filter(child_id=child.pk, kind=meeting.kind, status=Status.HELD).values_list(
        "held_on", flat=True)
    value = child_meetings.held_field_after(dates, before=before)
    if getattr(child, field) == value:
        return None
    setattr(child, field, value)
    child.save(update_fields=[field, "updated_at"])
    setattr(meeting.child, field, value)
    return field


def _field_before(meeting: ChildMeeting) -> date | None:
    """What the child's field said before Convene first recorded a meeting of this kind as held."""
    field = child_meetings.HELD_FIELDS.get(meeting.kind)
    if field is None:
        return None
    earlier = (ChildMeeting.objects.filter(child_id=meeting.child_id, kind=meeting.kind, status=Status.HELD)
               .exclude(pk=meeting.pk).order_by("updated_at", "pk").first())
    return earlier.held_field_before if earlier is not None else getattr(meeting.child, field)


def _rebuild(meeting: ChildMeeting, field: str | None) -> None:
    if field is not None:  # the agenda rules read the field: rebuild, as after an import
        event_emit(ChildMeetingRecorded(service_id=meeting.child.service_id, child_id=meeting.child_id, field=field))


@transaction.atomic
def child_meeting_record_held(*, meeting: ChildMeeting, actor: User, held_on: date | None, outcome: str = "",
                              child_attended: bool | None = None, family_attended: bool | None = None,
                              attended: Iterable[int] = ()) -> ChildMeeting:
    """Record that the meeting was held (or correct what was recorded): the day, who took part (the invitees
    whose ids are in ``attended``, the child, parents or carers) and the outcome. Sets the child's field."""
    meeting = ChildMeeting.objects.select_for_update().select_related("child").get(pk=meeting.pk)
    errors: dict[str, str] = {}
    if meeting.status == Status.CANCELLED:
        errors["status"] = "This meeting was cancelled: plan a new one instead."
    if held_on is None:
        errors["held_on"] = "Give the day the meeting was held."
    elif held_on > timezone.localdate():
        errors["held_on"] = "The day the meeting was held cannot be in the future."
    outcome = outcome.strip()
    if len(outcome) > child_meetings.OUTCOME_LIMIT:
        errors["outcome"] = (f"The outcome is {len(outcome):,} characters: at most "
                             f"{child_meetings.OUTCOME_LIMIT:,}.")
    if errors:
        raise ValidationError(errors)
    correcting = meeting.status == Status.HELD
    if not correcting:
        meeting.held_field_before = _field_before(meeting)
    meeting.status, meeting.held_on, meeting.outcome = Status.HELD, held_on, outcome
    meeting.child_attended, meeting.family_attended = child_attended, family_attended
    meeting.cancelled_reason = ""
    meeting.save()
    present = set(attended)
    for participant in meeting.participants.all():
        value = participant.pk in present
        if participant.attended != value:
            participant.attended = value
            participant.save(update_fields=["attended"])
    field = _held_field_sync(meeting, before=meeting.held_field_before)
    audit_record(actor=actor, action="child.meeting_corrected" if correcting else "child.meeting_held",
                 child=meeting.child, detail={"child_meeting": meeting.pk, "kind": meeting.kind,
                                              "held_on": held_on.isoformat() if held_on else None, "field": field})
    _rebuild(meeting, field)
    return meeting


@transaction.atomic
def child_meeting_cancel(*, meeting: ChildMeeting, actor: User, reason: str = "",
                         not_held: bool = False) -> ChildMeeting:
    """Cancel a planned meeting (its invitees' calendars are cancelled), or record that a planned or held one
    did not take place (``not_held``: a held one is undone and the child's field put back)."""
    meeting = ChildMeeting.objects.select_for_update().select_related("child").get(pk=meeting.pk)
    reason = reason.strip()
    allowed = (Status.PLANNED, Status.HELD) if not_held else (Status.PLANNED,)
    if meeting.status not in allowed:
        raise ValidationError({"status": f"This meeting is {meeting.get_status_display().lower()}: it cannot be "
                                         f"{'recorded as not held' if not_held else 'cancelled'}."})
    if len(reason) > child_meetings.REASON_LIMIT:
        raise ValidationError({"reason": f"Give the reason in at most {child_meetings.REASON_LIMIT} characters."})
    if not not_held and (named := child_meetings.names_in(reason, child_identifiers(meeting.child))):
        raise ValidationError({"reason": f"The reason goes to the invitees: leave out the child's name or "
                                             f"reference ({', '.join(named)})."})
    was_held = meeting.status == Status.HELD
    meeting.status = Status.NOT_HELD if not_held else Status.CANCELLED
    meeting.cancelled_reason = reason
    if was_held:
        meeting.held_on = None
    meeting.save()
    field = _held_field_sync(meeting, before=meeting.held_field_before) if was_held else None
    _changed(meeting, actor, "not_held" if not_held else "cancelled", undone=was_held, field=field)
    _rebuild(meeting, field)
    return meeting
