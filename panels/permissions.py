"""Need-to-know predicates (pure: plain facts in, booleans out; no ORM).

Every selector in every app filters with the same rules, and every view answers 404 when a predicate
says no: IDs in URLs are not secrets, and a user who may not know a thing exists is not told.

The rules:
- Staff of the owning youth justice service: managers and coordinators see every panel, meeting and
  child of their service; case managers and practitioners see their own caseload and the panels they
  are members of.
- Partner-agency users see a meeting only when invited to it (and never while it is a draft) or when
  they hold a membership of its panel. Within a meeting (the visibility model, docs/security.md):
  - core members (the panel's members, and whoever is invited to the whole meeting) see every child on
    its agenda;
  - the secure estate sees only the children held at its establishment;
  - anyone invited for a child's item (slot) sees that child only;
  - a deputy sees no more than the invitee who delegated to them (children and sections): the delegator's
    rights are the deputy's ceiling (``Viewer.ceiling``).
- Restricted sections (victim, health, police intelligence) are readable by the service's staff with a
  need to know and, among partners, only by the agencies that hold that kind of information.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from panels.enums import (
    RESTRICTED_SECTIONS,
    SERVICE_WIDE_ROLES,
    AgencyKind,
    MeetingStatus,
    MembershipRole,
    Section,
    UserRole,
)

EDITING_MEMBERSHIPS = frozenset({MembershipRole.CHAIR, MembershipRole.COORDINATOR})

# Which partner agencies hold which restricted information.
SECTIONS_BY_AGENCY_KIND: dict[str, frozenset[str]] = {
    AgencyKind.VICTIM_SERVICES: frozenset({Section.VICTIM}),
    AgencyKind.PROBATION: frozenset({Section.VICTIM}),  # victim liaison officers sit in probation
    AgencyKind.HEALTH: frozenset({Section.HEALTH}),
    AgencyKind.POLICE: frozenset({Section.POLICE_INTEL}),
}


@dataclass(frozen=True)
class Viewer:
    """What the rules need to know about the person asking."""

    id: int | None
    is_authenticated: bool
    agency_id: int | None = None
    agency_kind: str | None = None
    role: str = UserRole.PARTNER
    is_active: bool = True
    # Within one meeting: the children whose slots alone this person is invited to (None: not limited).
    slot_children: frozenset[int] | None = None
    # Within one meeting, for a deputy: the person who delegated to them. A deputy never sees more than them.
    ceiling: Viewer | None = None

    @classmethod
    def of(cls, user: Any) -> Viewer:
        if user is None or not user.is_authenticated or not user.is_active:
            return ANONYMOUS
        agency = user.agency  # callers select_related("agency") on the request user
        return cls(
            id=user.pk,
            is_authenticated=True,
            agency_id=user.agency_id,
            agency_kind=agency.kind if agency else None,
            role=user.role,
        )

    @property
    def is_service_staff(self) -> bool:
        return self.is_authenticated and self.agency_kind == AgencyKind.YJS

    def is_staff_of(self, service_id: int) -> bool:
        return self.is_service_staff and self.agency_id == service_id

    def sees_whole_service(self, service_id: int) -> bool:
        return self.is_staff_of(service_id) and self.role in SERVICE_WIDE_ROLES


ANONYMOUS = Viewer(id=None, is_authenticated=False, is_active=False)


def can_view_panel(viewer: Viewer, *, service_id: int, membership: str | None) -> bool:
    if not viewer.is_authenticated:
        return False
    return viewer.sees_whole_service(service_id) or membership is not None


def can_manage_panel(viewer: Viewer, *, service_id: int, membership: str | None) -> bool:
    """Change settings, generate and schedule meetings, edit invitees."""
    if not viewer.is_authenticated:
        return False
    return viewer.sees_whole_service(service_id) or (
        viewer.is_staff_of(service_id) and membership in EDITING_MEMBERSHIPS
    )


def can_view_meeting(
    viewer: Viewer, *, service_id: int, membership: str | None, invited: bool, status: str
) -> bool:
    if not viewer.is_authenticated:
        return False
    if viewer.sees_whole_service(service_id):
        return True
    if membership is not None and viewer.is_staff_of(service_id):
        return True
    # Partners (and standing partner members) see only what has been sent out.
    return (invited or membership is not None) and status != MeetingStatus.DRAFT


def can_view_child(viewer: Viewer, *, service_id: int, case_manager_id: int | None) -> bool:
    """The child's own page (and what names the child outside a meeting, e.g. an escalation email): the
    service's managers and coordinators, and the child's case manager (``selectors._children_visible_q``).
    Partners reach children only through the meetings they are invited to."""
    return viewer.sees_whole_service(service_id) or (
        viewer.is_staff_of(service_id) and case_manager_id is not None and case_manager_id == viewer.id)


def can_list_children(viewer: Viewer) -> bool:
    """The Children page: staff of a youth justice service (each sees the children ``can_view_child`` allows)."""
    return viewer.is_service_staff


def can_view_forward_look(viewer: Viewer, *, service_id: int) -> bool:
    """A panel's forward look (which children the rules will list at its next meetings): the owning service's
    staff who may see the panel. Partners see only published agendas."""
    return viewer.is_staff_of(service_id)


def can_manage_own_service(viewer: Viewer) -> bool:
    """The service-wide pages of one's own service (the cohort import, the pathway set): its managers and
    coordinators."""
    return viewer.agency_id is not None and viewer.sees_whole_service(viewer.agency_id)


def can_view_child_in_meeting(
    viewer: Viewer, *, service_id: int, establishment_id: int | None, can_view_meeting: bool,
    child_id: int | None = None,
) -> bool:
    """Whether a viewer of a meeting may see a given child's item within it. Someone invited for one
    child's slot only sees that child (``viewer.slot_children``, set by the meeting's selector)."""
    if not can_view_meeting:
        return False
    if viewer.ceiling is not None and not can_view_child_in_meeting(
        viewer.ceiling, service_id=service_id, establishment_id=establishment_id, can_view_meeting=True,
        child_id=child_id,
    ):
        return False
    if viewer.is_staff_of(service_id):
        return True
    if viewer.slot_children is not None and child_id not in viewer.slot_children:
        return False
    if viewer.agency_kind == AgencyKind.SECURE_ESTATE:
        return establishment_id is not None and establishment_id == viewer.agency_id
    return True


def readable_sections(viewer: Viewer, *, service_id: int) -> frozenset[str]:
    if not viewer.is_authenticated:
        return frozenset()
    if viewer.is_staff_of(service_id) and viewer.role in {*SERVICE_WIDE_ROLES, UserRole.CASE_MANAGER}:
        own: frozenset[str] = frozenset({Section.GENERAL.value, *RESTRICTED_SECTIONS})
    else:
        own = frozenset({Section.GENERAL.value, *SECTIONS_BY_AGENCY_KIND.get(viewer.agency_kind or "", frozenset())})
    if viewer.ceiling is not None:  # a deputy: no section the delegator could not read
        own &= readable_sections(viewer.ceiling, service_id=service_id)
    return own


def delegator_viewer(*, user_id: int | None, agency_id: int | None, agency_kind: str | None, role: str | None,
                     slot_children: frozenset[int] | None) -> Viewer:
    """The rights of the invitee who delegated (a deputy's ceiling), from what their invitation says."""
    return Viewer(id=user_id, is_authenticated=True, agency_id=agency_id, agency_kind=agency_kind,
                  role=role or UserRole.PARTNER, slot_children=slot_children)


def requires_two_factor(viewer: Viewer, *, chairs_a_panel: bool) -> bool:
    """Staff roles that must sign in with a second factor: the youth justice service's managers and
    coordinators, and anyone who chairs a panel. Everyone else may enrol but need not."""
    if not viewer.is_authenticated:
        return False
    return (viewer.is_service_staff and viewer.role in SERVICE_WIDE_ROLES) or chairs_a_panel


def can_lead_meeting(*, membership: str | None) -> bool:
    """Lead a meeting from the cockpit (move everyone's focus to an item): the panel's chair."""
    return membership == MembershipRole.CHAIR


def can_manage_users(viewer: Viewer, *, agency_id: int | None) -> bool:
    """An agency admin: a manager of that agency (a partner agency's or the service's own)."""
    return (
        viewer.is_authenticated and viewer.role == UserRole.MANAGER
        and viewer.agency_id is not None and viewer.agency_id == agency_id
    )


def can_view_audit(viewer: Viewer) -> bool:
    """The audit log of a service: its coordinators and managers (entries are scoped to their service)."""
    return viewer.is_service_staff and viewer.role in SERVICE_WIDE_ROLES


def can_view_reports(viewer: Viewer, *, service_id: int, leads_or_chairs_a_panel: bool) -> bool:
    """The oversight reports and board pack of a service (issue 17): its service managers, and the strategic
    leads and chairs of its panels. The figures are the whole service's; a report's list of children shows
    only the children the viewer may see case by case (``panels.selectors.child_ids_visible_to``)."""
    if not viewer.is_authenticated:
        return False
    return (viewer.is_staff_of(service_id) and viewer.role == UserRole.MANAGER) or leads_or_chairs_a_panel


@dataclass(frozen=True)
class ActionRights:
    """What one person may do with one action: read it, update it (status, notes, a new date), manage it
    (verify, decide dates)."""

    read: bool = False
    update: bool = False
    manage: bool = False


NO_ACTION_RIGHTS = ActionRights()


def holds_action(viewer: Viewer, *, owner_id: int | None, owner_agency_id: int) -> bool:
    """An action is "mine": named to me while I work for the owner agency, or owned by my agency with nobody
    named ("My actions")."""
    if not viewer.is_authenticated or viewer.agency_id is None or viewer.agency_id != owner_agency_id:
        return False
    return owner_id is None or viewer.id == owner_id


def action_rights(
    viewer: Viewer, *, owner_id: int | None, owner_line_manager_id: int | None, owner_agency_id: int,
    manages_panel: bool, strategic_lead_id: int | None = None, child_case_manager_id: int | None = None,
) -> ActionRights:
    """Who may open an action (issue 14). An action named to a person is theirs, their line manager's and the
    panel's chair's and coordinator's (the escalation ladder); the owner agency's other users see it only while
    no person is named. The panel's strategic lead (escalation) and the child's case manager (who reads the
    child's whole record anyway) read it without changing it."""
    if not viewer.is_authenticated:
        return NO_ACTION_RIGHTS
    if manages_panel:
        return ActionRights(read=True, update=True, manage=True)
    holds = holds_action(viewer, owner_id=owner_id, owner_agency_id=owner_agency_id) or (
        owner_id is not None and owner_line_manager_id is not None and viewer.id == owner_line_manager_id)
    if holds:
        return ActionRights(read=True, update=True)
    if viewer.id is not None and viewer.id in (strategic_lead_id, child_case_manager_id):
        return ActionRights(read=True)
    return NO_ACTION_RIGHTS
