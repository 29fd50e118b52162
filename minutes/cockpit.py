"""The meeting cockpit: one page to run a meeting, one item (the meeting itself, or one child) at a time.

Reads only (a selector module). Everything a viewer sees here goes through the minutes page's own
visibility (``minutes_view``: the items and sections this viewer may read) and the agenda's
(``agenda_view_for``: why each child is here, due by when, late); this module adds what a chair needs
beside them: where the meeting is (the chair's current item, time used against the slot, whether the
meeting will overrun), this panel's open actions for the child and the panel's last decisions.

The chair leads: each move of the panel's chair is recorded as a ``focus`` meeting event (the start of
that item's discussion). Others may follow it or move on their own; ``focus_for`` tells a viewer where
the chair is only when the viewer may see that item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.http import Http404
from django.utils import timezone

from agendas.presenters import ItemView as AgendaItemView
from agendas.presenters import agenda_view_for
from minutes.access import can_write_minutes
from minutes.models import Action, Attendance, Decision, MeetingEvent
from minutes.selectors import ItemView, minutes_view
from panels import permissions
from panels.enums import MeetingStatus
from panels.models import Meeting, MeetingInvitee
from panels.selectors import MeetingAccess

MEETING_KEY = "meeting"
FOCUS = "focus"


@dataclass
class Entry:
    """One line of the jump list."""

    key: str  # "meeting" or the child's id
    number: int  # 1-based position among the items this viewer sees
    minutes: ItemView
    agenda: AgendaItemView | None

    @property
    def label(self) -> str:
        return self.minutes.name

    @property
    def late(self) -> bool:
        return bool(self.agenda and self.agenda.late)

    @property
    def slot_minutes(self) -> int | None:
        return self.agenda.slot_minutes if self.agenda else None


@dataclass
class Focus:
    key: str
    since: datetime


@dataclass
class Pace:
    """Where the meeting stands against its planned end, from the slots still to come."""

    used_minutes: int | None  # on the current item, since the chair opened it
    slot_minutes: int | None
    projected_end: datetime
    planned_end: datetime

    @property
    def item_over_by(self) -> int:
        if self.used_minutes is None or not self.slot_minutes:
            return 0
        return max(0, self.used_minutes - self.slot_minutes)

    @property
    def meeting_over_by(self) -> int:
        return max(0, int((self.projected_end - self.planned_end).total_seconds() // 60))


@dataclass
class Attendee:
    name: str
    agency: str
    status: str  # "" when not recorded yet
    invitee_id: int | None = None


@dataclass
class Cockpit:
    access: MeetingAccess
    entries: list[Entry]
    current: Entry
    writable: bool
    leads: bool  # this viewer is the panel's chair: their moves are the meeting's focus
    focus: Focus | None
    pace: Pace
    open_actions: list[Action] = field(default_factory=list)  # this panel's, set at earlier meetings
    earlier_decisions: list[Decision] = field(default_factory=list)  # this panel's, at earlier meetings
    attendees: list[Attendee] = field(default_factory=list)
    next_meeting_on: date | None = None  # the panel's next meeting: the default due date of an action

    @property
    def meeting(self):
        return self.access.meeting

    @property
    def previous(self) -> Entry | None:
        index = self.entries.index(self.current)
        return self.entries[index - 1] if index > 0 else None

    @property
    def next(self) -> Entry | None:
        index = self.entries.index(self.current)
        return self.entries[index + 1] if index + 1 < len(self.entries) else None


def _entries(access: MeetingAccess) -> list[Entry]:
    items, _editor = minutes_view(access)
    agenda = {item.child_id: item for item in agenda_view_for(access=access).items}
    return [Entry(MEETING_KEY if item.child_id is None else str(item.child_id), number, item,
                  agenda.get(item.child_id) if item.child_id else None)
            for number, item in enumerate(items, start=1)]


def is_panel_chair(access: MeetingAccess) -> bool:
    return permissions.can_lead_meeting(membership=access.membership)


def _focus(meeting) -> Focus | None:
    event = MeetingEvent.objects.filter(meeting=meeting, kind=FOCUS).order_by("-id").first()
    if event is None:
        return None
    return Focus(str(event.child_id) if event.child_id else MEETING_KEY, event.created_at)


def focus_for(access: MeetingAccess) -> Focus | None:
    """The chair's current item, or None when there is none or this viewer may not see it."""
    focus = _focus(access.meeting)
    if focus is None or focus.key == MEETING_KEY:
        return focus
    visible = {e.key for e in _entries(access)}
    return focus if focus.key in visible else None


def _pace(meeting, entries: list[Entry], current: Entry, focus: Focus | None, now: datetime) -> Pace:
    used = None
    if focus is not None and focus.key == current.key:
        used = int((now - focus.since).total_seconds() // 60)
    slot = current.slot_minutes
    left_here = max(0, (slot or 0) - (used or 0))
    after = entries[entries.index(current) + 1:]
    remaining = left_here + sum(e.slot_minutes or 0 for e in after)
    start = max(now, meeting.starts_at)
    return Pace(used, slot, start + timedelta(minutes=remaining), meeting.ends_at)


def _attendees(access: MeetingAccess, current: Entry) -> list[Attendee]:
    """Who may be ticked for this item: the meeting's invitees (the item's own for a child), then anyone
    already recorded (a guest, added once, stays on the list)."""
    meeting = access.meeting
    child_id = current.minutes.child_id
    invitees = MeetingInvitee.objects.filter(meeting=meeting).select_related("agency")
    if child_id is not None:
        invitees = invitees.filter(item_invitations__item__child_id=child_id) | invitees.filter(
            item_invitations__isnull=True)
    for_item = Attendance.objects.filter(meeting=meeting)
    for_item = for_item.filter(child_id=child_id) if child_id is not None else for_item.filter(child__isnull=True)
    recorded = {a.name: a for a in for_item.select_related("agency")}
    people = []
    for invitee in invitees.distinct().order_by("name"):
        record = recorded.pop(invitee.name, None)
        people.append(Attendee(invitee.name, invitee.agency.name if invitee.agency else "",
                               record.status if record else "", invitee.pk))
    for record in recorded.values():
        people.append(Attendee(record.name, record.agency.name if record.agency else "", record.status))
    return people


def cockpit_for(access: MeetingAccess, *, key: str | None, now: datetime | None = None) -> Cockpit:
    """The cockpit at one item (``key``: "meeting" or a child's id; None: the chair's item, else the first)."""
    now = now or timezone.now()
    entries = _entries(access)
    focus = _focus(access.meeting)
    visible = {e.key: e for e in entries}
    if key is None:
        key = focus.key if focus is not None and focus.key in visible else entries[0].key
    current = visible.get(key)
    if current is None:
        raise Http404("No such item")
    cockpit = Cockpit(access=access, entries=entries, current=current, writable=can_write_minutes(access),
                      leads=is_panel_chair(access), focus=focus if focus and focus.key in visible else None,
                      pace=_pace(access.meeting, entries, current, focus, now))
    child_id = current.minutes.child_id
    if child_id is not None:
        panel_id = access.meeting.panel_id
        cockpit.open_actions = list(
            Action.objects.filter(child_id=child_id, meeting__panel_id=panel_id, status__in=Action.OPEN_STATUSES)
            .exclude(meeting=access.meeting).select_related("owner", "owner_agency", "meeting")
            .order_by("due_date", "id"))
        cockpit.earlier_decisions = list(
            Decision.objects.filter(child_id=child_id, meeting__panel_id=panel_id, withdrawn=False,
                                    meeting__starts_at__lt=access.meeting.starts_at)
            .select_related("meeting").order_by("-meeting__starts_at", "-id")[:3])
    if cockpit.writable:
        cockpit.attendees = _attendees(access, current)
        following = (Meeting.objects.filter(panel_id=access.meeting.panel_id, starts_at__gt=access.meeting.starts_at)
                     .exclude(status=MeetingStatus.CANCELLED).order_by("starts_at").first())
        cockpit.next_meeting_on = following.local_date if following else None
    return cockpit
