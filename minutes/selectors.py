"""Reads for the minutes page: the items and sections a viewer may see, in agenda order."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from agendas.models import AgendaItem
from minutes.access import establishments_of, minutes_editor
from minutes.models import Action, Attendance, Decision, MinuteDocument
from panels import permissions
from panels.enums import Section
from panels.selectors import MeetingAccess


@dataclass
class SectionView:
    section: str
    label: str
    room: str
    text: str


@dataclass
class ItemView:
    child_id: int | None
    reference: str
    name: str
    sections: list[SectionView] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    attendance: list[Attendance] = field(default_factory=list)
    review_by: date | None = None


def minutes_view(access: MeetingAccess) -> tuple[list[ItemView], bool]:
    """The items (the meeting itself first, then each child) with the sections this viewer may read."""
    meeting, viewer = access.meeting, access.viewer
    service_id = meeting.panel.service_id
    readable = [s for s in Section.values if s in permissions.readable_sections(viewer, service_id=service_id)]
    rows = list(meeting.agenda_items.filter(state=AgendaItem.State.LISTED).select_related("child")
                .order_by("position"))
    establishments = establishments_of([r.child_id for r in rows])
    items = [ItemView(None, "", "The meeting")]
    for row in rows:
        if permissions.can_view_child_in_meeting(viewer, service_id=service_id,
                                                 establishment_id=establishments.get(row.child_id),
                                                 can_view_meeting=True):
            items.append(ItemView(row.child_id, row.child.reference, row.child.display_name))
    texts = {(d.child_id, d.section): d.text for d in MinuteDocument.objects.filter(meeting=meeting)}
    by_child = {item.child_id: item for item in items}
    labels = dict(Section.choices)
    for item in items:
        for section in readable:
            key = "meeting" if item.child_id is None else item.child_id
            item.sections.append(SectionView(section, labels[section], f"{meeting.pk}.{key}.{section}",
                                             texts.get((item.child_id, section), "")))
    for decision in meeting.decisions.filter(withdrawn=False).select_related("recorded_by"):
        if decision.child_id in by_child:
            by_child[decision.child_id].decisions.append(decision)
    for action in meeting.actions.select_related("owner", "owner_agency"):
        if action.child_id in by_child:
            by_child[action.child_id].actions.append(action)
    for child_id, review_by in meeting.next_reviews.values_list("child_id", "review_by"):
        if child_id in by_child:
            by_child[child_id].review_by = review_by
    for record in meeting.attendance.select_related("agency"):
        if record.child_id in by_child:
            by_child[record.child_id].attendance.append(record)
    return items, minutes_editor(access)
