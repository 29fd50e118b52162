"""Reads for the minutes page: the items and sections a viewer may see, in agenda order."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404

from agendas.models import AgendaItem
from minutes.access import minutes_editor
from minutes.models import Action, Attendance, Decision, MinuteDocument
from panels import permissions
from panels.enums import Section
from panels.models import PanelMembership, User
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
    establishments = current_establishments([r.child_id for r in rows])
    items = [ItemView(None, "", "The meeting")]
    for row in rows:
        if permissions.can_view_child_in_meeting(viewer, service_id=service_id, child_id=row.child_id,
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
    """"My actions": what the user owns, and what their agency owns without a named person."""
    mine = Q(owner=user)
    if user.agency_id is not None:
        mine |= Q(owner=None, owner_agency_id=user.agency_id)
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
    from panels.models import User

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
