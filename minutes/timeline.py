"""One view of a child across every panel: agenda appearances, discussions, decisions, actions and reviews,
newest first, only what the viewer may read (restricted sections only for those who hold them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from agendas.context import reason_title
from agendas.models import AgendaItem
from agendas.selectors import statutory_meetings_due_for
from minutes.models import Action, Decision, MinuteDocument, NextReview
from panels import permissions
from panels.enums import MeetingStatus, Section
from panels.models import Child
from panels.permissions import Viewer

SECTION_LABELS = dict(Section.choices)


@dataclass
class TimelineEntry:
    when: datetime
    kind: str  # agenda | discussion | decision | action | review
    panel: str
    meeting_id: int
    title: str
    detail: str = ""
    tags: list[tuple[str, str]] = field(default_factory=list)  # (text, colour)


def child_timeline(*, child: Child, viewer: Viewer, today: date) -> list[TimelineEntry]:
    """A constant number of queries, whatever the history's length."""
    readable = permissions.readable_sections(viewer, service_id=child.service_id)
    entries: list[TimelineEntry] = []
    for item in AgendaItem.objects.filter(child=child).exclude(meeting__status=MeetingStatus.CANCELLED) \
            .select_related("meeting__panel"):
        m = item.meeting
        held = m.status in (MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED)
        codes = ", ".join(r.get("explanation") or reason_title(r["code"]) for r in item.reasons[:3])
        tags = [("Late", "red")] if item.late and not held else []
        if item.state != AgendaItem.State.LISTED:
            tags.append((item.get_state_display(), "grey"))
        entries.append(TimelineEntry(m.starts_at, "agenda", m.panel.name, m.pk,
                                     "Discussed" if held else "Due to be discussed", codes, tags))
    for doc in MinuteDocument.objects.filter(child=child, section__in=readable).exclude(text="") \
            .select_related("meeting__panel"):
        entries.append(TimelineEntry(doc.meeting.starts_at, "discussion", doc.meeting.panel.name, doc.meeting_id,
                                     f"Minutes: {SECTION_LABELS[doc.section]}", doc.text[:400],
                                     [("Restricted", "orange")] if doc.section != Section.GENERAL else []))
    for decision in Decision.objects.filter(child=child, withdrawn=False).select_related("meeting__panel"):
        entries.append(TimelineEntry(decision.created_at, "decision", decision.meeting.panel.name,
                                     decision.meeting_id, "Decision", decision.text))
    for action in Action.objects.filter(child=child).select_related("meeting__panel", "owner", "owner_agency"):
        standing = action.standing(today)
        entries.append(TimelineEntry(action.created_at, "action", action.meeting.panel.name, action.meeting_id,
                                     f"Action: {action.description}",
                                     f"{action.owner or action.owner_agency.name}, due {action.due_date:%-d %b %Y}",
                                     [(action.get_status_display(), "blue")]
                                     + ([(standing.label, standing.colour)] if standing.rag != "grey" else [])))
    for review in NextReview.objects.filter(child=child).select_related("meeting__panel"):
        entries.append(TimelineEntry(review.updated_at, "review", review.meeting.panel.name, review.meeting_id,
                                     f"Next review by {review.review_by:%-d %b %Y}"))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


@dataclass
class CaseloadRow:
    child: Child
    key_dates: list
    actions: list[Action]
    next_panels: list[AgendaItem]
    today: date
    meetings_due: list[dict] = field(default_factory=list)  # agendas.selectors.statutory_meetings_due_for

    @property
    def overdue(self) -> int:
        return sum(1 for a in self.actions if a.rag(self.today) == "red")

    @property
    def meetings_overdue(self) -> int:
        return sum(1 for d in self.meetings_due if d["overdue"])


def caseload(*, children: list[Child], today: date, key_dates_for) -> list[CaseloadRow]:
    """Per child: next key dates, the statutory meetings the agenda rules say are due, every open action (whoever
    owns it) with its RAG, the next panels due."""
    ids = [c.pk for c in children]
    actions: dict[int, list[Action]] = {pk: [] for pk in ids}
    for action in Action.objects.filter(child_id__in=ids, status__in=Action.OPEN_STATUSES).select_related(
            "owner", "owner_agency", "meeting__panel").order_by("due_date"):
        actions[action.child_id].append(action)
    panels: dict[int, list[AgendaItem]] = {pk: [] for pk in ids}
    for item in AgendaItem.objects.filter(child_id__in=ids, state=AgendaItem.State.LISTED,
                                          meeting__status__in=(MeetingStatus.DRAFT, MeetingStatus.SCHEDULED),
                                          meeting__starts_at__date__gte=today).select_related(
            "meeting__panel").order_by("meeting__starts_at"):
        panels[item.child_id].append(item)
    due = statutory_meetings_due_for(children=children, today=today)
    return [CaseloadRow(c, key_dates_for(c), actions[c.pk], panels[c.pk][:3], today, due[c.pk]) for c in children]
