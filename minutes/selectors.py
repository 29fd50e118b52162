"""Reads for the minutes page: the items and sections a viewer may see, in agenda order."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404

from agendas.models import AgendaItem
from minutes.access import minutes_editor
from minutes.models import Action, MinuteDocument
from minutes.presenters import RecordAction, RecordAttendance, RecordDecision, record_items
from minutes.record import (
    ActionEntry,
    AttendanceEntry,
    ChildEntry,
    DecisionEntry,
    MeetingFacts,
    RecordSnapshot,
    ReviewEntry,
    SectionEntry,
)
from panels import permissions
from panels.enums import Section
from panels.models import Child, PanelMembership, User
from panels.permissions import Viewer
from panels.selectors import MeetingAccess, current_establishments


@dataclass
class SectionView:
    section: str
    label: str
    room: str
    text: str


@dataclass
class ItemView:
    """One item of the live minutes page: its live sections (one editor each) and, from the record's snapshot as
    this viewer may read it (``presenters.record_items``), what the meeting recorded for it."""

    child_id: int | None
    reference: str
    name: str
    sections: list[SectionView] = field(default_factory=list)
    decisions: tuple[RecordDecision, ...] = ()
    actions: tuple[RecordAction, ...] = ()
    attendance: tuple[RecordAttendance, ...] = ()
    review_by: date | None = None


def minutes_view(access: MeetingAccess) -> tuple[list[ItemView], bool]:
    """The items (the meeting itself first, then each child on the agenda this viewer may see) with the sections
    this viewer may read. Seven queries."""
    meeting, viewer = access.meeting, access.viewer
    service_id = meeting.panel.service_id
    snapshot = record_snapshot(meeting, listed_only=True)
    records, _hidden = record_items(snapshot, viewer=viewer, service_id=service_id)
    readable = [s for s in Section.values if s in permissions.readable_sections(viewer, service_id=service_id)]
    texts = {(e.child_id, e.section): e.text for e in snapshot.sections}
    labels = dict(Section.choices)
    items = []
    for record in records:
        key = "meeting" if record.child_id is None else record.child_id
        items.append(ItemView(
            record.child_id, record.reference, record.name,
            sections=[SectionView(section, labels[section], f"{meeting.pk}.{key}.{section}",
                                  texts.get((record.child_id, section), "")) for section in readable],
            decisions=record.decisions, actions=record.actions, attendance=record.attendance,
            review_by=record.review_by))
    return items, minutes_editor(access)


def record_snapshot(meeting, *, listed_only: bool = False) -> RecordSnapshot:
    """The meeting's record as it stands, frozen (``minutes.record``): who each child was and where they were held
    at the meeting (so a partner's view of an old revision does not change when a child moves), the minute text,
    decisions, actions, attendance and next reviews. The children: those on the agenda, in its order, then any
    other child the record mentions (``listed_only``: the agenda's only, as the live page shows them). Fourteen
    queries (seven with ``listed_only``), whatever the size of the record."""
    rows = meeting.agenda_items.filter(state=AgendaItem.State.LISTED).order_by("position")
    if listed_only:
        listed = list(rows.select_related("child"))
        order = [row.child_id for row in listed]
        children = {row.child_id: row.child for row in listed}
    else:
        order = list(rows.values_list("child_id", flat=True))
        mentioned: set[int] = set()
        for related in (meeting.minute_documents, meeting.decisions, meeting.actions, meeting.attendance,
                        meeting.next_reviews):
            mentioned.update(related.exclude(child=None).values_list("child_id", flat=True))
        children = {c.pk: c for c in Child.objects.filter(pk__in=set(order) | mentioned)}
        order += sorted(mentioned - set(order), key=lambda pk: children[pk].reference)
    establishments = current_establishments(order)
    return RecordSnapshot(
        meeting=MeetingFacts(meeting.panel.name, meeting.starts_at, meeting.panel.location),
        items=tuple(ChildEntry(pk, children[pk].reference, children[pk].display_name, establishments.get(pk))
                    for pk in order),
        sections=tuple(SectionEntry(d.child_id, d.section, d.text)
                       for d in MinuteDocument.objects.filter(meeting=meeting).order_by("child_id", "section")),
        decisions=tuple(DecisionEntry(d.pk, d.child_id, d.text, str(d.recorded_by or ""))
                        for d in meeting.decisions.filter(withdrawn=False).select_related("recorded_by")
                        .order_by("id")),
        actions=tuple(ActionEntry(a.pk, a.child_id, a.description, str(a.owner or ""), a.owner_agency.name,
                                  a.owner_agency_id, a.due_date, a.status, a.pathway or "")
                      for a in meeting.actions.select_related("owner", "owner_agency").order_by("id")),
        attendance=tuple(AttendanceEntry(a.child_id, a.name, a.agency.name if a.agency else "", a.status)
                         for a in meeting.attendance.select_related("agency").order_by("child_id", "name")),
        reviews=tuple(ReviewEntry(r.child_id, r.review_by) for r in meeting.next_reviews.order_by("child_id")),
    )


# --- actions between meetings ----------------------------------------------------------------------
@dataclass(frozen=True)
class ActionAccess:
    action: Action
    can_update: bool  # the named owner (else the owner agency's people), their line manager, the panel's managers
    can_manage: bool  # the panel's chair or coordinator (and the service's managers): verify, decide dates


ACTION_RELATED = ("child", "owner", "owner_agency", "meeting__panel", "created_by")


def _action_access(user, action: Action) -> ActionAccess | None:
    viewer = Viewer.of(user)
    if not viewer.is_authenticated:
        return None
    panel = action.meeting.panel
    membership = PanelMembership.objects.filter(panel=panel, user=user).values_list("role", flat=True).first()
    rights = permissions.action_rights(
        viewer, owner_id=action.owner_id, owner_agency_id=action.owner_agency_id,
        owner_line_manager_id=action.owner.line_manager_id if action.owner is not None else None,
        manages_panel=permissions.can_manage_panel(viewer, service_id=panel.service_id, membership=membership),
        strategic_lead_id=panel.strategic_lead_id,
        child_case_manager_id=action.child.case_manager_id if action.child is not None else None,
    )
    if not rights.read:
        return None
    return ActionAccess(action, can_update=rights.update, can_manage=rights.manage)


def action_get_for_user(*, user, action_id: int) -> ActionAccess:
    """One action, for someone with a reason to see it (``permissions.action_rights``); 404 for everyone else."""
    action = Action.objects.select_related(*ACTION_RELATED).filter(pk=action_id).first()
    access = _action_access(user, action) if action is not None and user.is_authenticated else None
    if access is None:
        raise Http404("No such action")
    return access


LINK_GONE = "This link no longer works. Sign in to Convene, or ask the panel's coordinator."
LINK_CLOSED = "This action is closed, so its link no longer works. Sign in to Convene to see it."


@dataclass(frozen=True)
class LinkAccess:
    access: ActionAccess
    actor: User | None  # the user the link was sent to, or None (an agency mailbox)


def action_get_for_link(*, link) -> LinkAccess:
    """The action a signed link opens, with the rights its person still has. A link dies with the action's
    closure, with its person (deactivated, moved to another agency, no longer owner or line manager) and, for
    an agency mailbox, once a person is named. Raises ``LinkRefused``; 404 when the action does not exist."""
    from minutes.links import LinkRefused

    action = Action.objects.select_related(*ACTION_RELATED).filter(pk=link.action_id).first()
    if action is None:
        raise Http404("No such action")
    if not action.is_open:
        raise LinkRefused(LINK_CLOSED)
    if link.user_id is None:  # the owner agency's mailbox: while the agency holds it and no person is named
        if action.owner_id is not None or (link.agency_id is not None and link.agency_id != action.owner_agency_id):
            raise LinkRefused(LINK_GONE)
        return LinkAccess(ActionAccess(action, can_update=True, can_manage=False), None)
    user = User.objects.select_related("agency").filter(pk=link.user_id, is_active=True).first()
    if user is None or (link.agency_id is not None and user.agency_id != link.agency_id):
        raise LinkRefused(LINK_GONE)
    access = _action_access(user, action)
    if access is None:
        raise LinkRefused(LINK_GONE)
    return LinkAccess(ActionAccess(action, can_update=access.can_update, can_manage=False), user)


def action_list_for_user(*, user) -> QuerySet[Action]:
    """"My actions": what the user holds (``permissions.holds_action``): named to them while they work for the owner
    agency, and what their agency owns without a named person."""
    if not user.is_authenticated or user.agency_id is None:
        return Action.objects.none()
    mine = Q(owner_agency_id=user.agency_id) & (Q(owner=user) | Q(owner=None))
    return Action.objects.filter(mine).select_related(*ACTION_RELATED).order_by("due_date", "id")


def action_register(*, panel, status: str = "", owner_agency_id: int | None = None, child_id: int | None = None,
                    overdue_on=None) -> QuerySet[Action]:
    """A panel's action register, filtered. ``status`` may be "open" for every open status."""
    actions = Action.objects.filter(meeting__panel=panel).select_related(*ACTION_RELATED)
    if status == "open":
        actions = actions.filter(status__in=Action.OPEN_STATUSES)
    elif status:
        actions = actions.filter(status=status)
    if owner_agency_id:
        actions = actions.filter(owner_agency_id=owner_agency_id)
    if child_id:
        actions = actions.filter(child_id=child_id)
    if overdue_on is not None:
        actions = actions.filter(status__in=Action.OPEN_STATUSES, due_date__lt=overdue_on)
    return actions.order_by("due_date", "id")


def action_owner_choices(*, meeting) -> list[tuple[str, list[tuple[int, str]]]]:
    """Who may be named as an action's owner, grouped for a select: the meeting's invitees with an account first,
    then every active user by agency. Two queries."""

    invited = list(User.objects.filter(invitations__meeting=meeting, is_active=True).select_related("agency")
                   .order_by("last_name", "first_name").distinct())
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    if invited:
        groups.append(("Invited to this meeting", [(u.pk, _person(u)) for u in invited]))
    by_agency: dict[str, list[tuple[int, str]]] = {}
    for user in User.objects.filter(is_active=True, agency__isnull=False).select_related("agency").order_by(
            "agency__name", "last_name", "first_name"):
        by_agency.setdefault(user.agency.name if user.agency else "", []).append((user.pk, _person(user, agency=False)))
    groups += list(by_agency.items())
    return groups


def _person(user, *, agency: bool = True) -> str:
    name = user.get_full_name() or user.username
    if agency and user.agency_id:
        return f"{name} ({user.agency.short_name or user.agency.name})"
    return f"{name}{f', {user.job_title}' if getattr(user, 'job_title', '') else ''}"


def minutes_record_empty(*, meeting) -> bool:
    """Whether the record holds nothing at all: no minute text, decision, action, attendance or next review
    (approving it would publish an empty record: the chair is asked to confirm first). At most six queries."""
    from minutes.models import MinuteDocument

    texts = MinuteDocument.objects.filter(meeting=meeting).exclude(text="").values_list("text", flat=True)
    if any(text.strip() for text in texts):
        return False
    return not any(related.exists() for related in (
        meeting.decisions.filter(withdrawn=False), meeting.actions.all(), meeting.attendance.all(),
        meeting.next_reviews.all()))
