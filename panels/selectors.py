"""Reads, filtered by need to know. Each ``*_get_for_user`` raises Http404 for anyone without it.

The query filters here express exactly the predicates in ``panels.permissions``; the tests check the
two against each other for every persona.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from panels import permissions
from panels.enums import SERVICE_WIDE_ROLES, AgencyKind, MeetingStatus, ReleaseAddressStatus
from panels.models import (
    Agency,
    Child,
    LegalEpisode,
    Meeting,
    MeetingInvitee,
    Panel,
    PanelMembership,
    ReleaseAddressChange,
)
from panels.permissions import Viewer


def _service_wide_agency(viewer: Viewer) -> int | None:
    if viewer.is_service_staff and viewer.role in SERVICE_WIDE_ROLES:
        return viewer.agency_id
    return None


# --- panels --------------------------------------------------------------------------------------
def panel_list_for_user(*, user) -> QuerySet[Panel]:
    viewer = Viewer.of(user)
    if not viewer.is_authenticated:
        return Panel.objects.none()
    q = Q(Exists(PanelMembership.objects.filter(panel=OuterRef("pk"), user_id=viewer.id)))
    if (service_id := _service_wide_agency(viewer)) is not None:
        q |= Q(service_id=service_id)
    return Panel.objects.filter(q).select_related("service").order_by("name")


def panel_list_managed_by(*, user) -> QuerySet[Panel]:
    """Panels whose meetings, agendas and referrals the user may manage (same rule as can_manage_panel)."""
    viewer = Viewer.of(user)
    if not viewer.is_service_staff:
        return Panel.objects.none()
    if (service_id := _service_wide_agency(viewer)) is not None:
        return Panel.objects.filter(service_id=service_id)
    return Panel.objects.filter(
        Exists(PanelMembership.objects.filter(panel=OuterRef("pk"), user_id=viewer.id,
                                              role__in=permissions.EDITING_MEMBERSHIPS)),
        service_id=viewer.agency_id,
    )


@dataclass(frozen=True)
class PanelAccess:
    panel: Panel
    membership: str | None
    can_manage: bool


def panel_get_for_user(*, user, panel_id: int) -> PanelAccess:
    viewer = Viewer.of(user)
    panel = Panel.objects.select_related("service").filter(pk=panel_id).first()
    if panel is None or not viewer.is_authenticated:
        raise Http404("No such panel")
    membership = (
        PanelMembership.objects.filter(panel=panel, user_id=viewer.id).values_list("role", flat=True).first()
    )
    if not permissions.can_view_panel(viewer, service_id=panel.service_id, membership=membership):
        raise Http404("No such panel")
    return PanelAccess(
        panel=panel,
        membership=membership,
        can_manage=permissions.can_manage_panel(viewer, service_id=panel.service_id, membership=membership),
    )


def panel_get_managed(*, user, panel_id: int) -> PanelAccess:
    """The panel, for its chair, coordinator or the service's managers; anyone else is told it does not exist."""
    access = panel_get_for_user(user=user, panel_id=panel_id)
    if not access.can_manage:
        raise Http404("No such panel")
    return access


# --- meetings ------------------------------------------------------------------------------------
def meeting_list_for_user(*, user) -> QuerySet[Meeting]:
    viewer = Viewer.of(user)
    if not viewer.is_authenticated:
        return Meeting.objects.none()
    is_member = Exists(PanelMembership.objects.filter(panel=OuterRef("panel_id"), user_id=viewer.id))
    is_invited = Exists(MeetingInvitee.objects.filter(meeting=OuterRef("pk"), user_id=viewer.id))
    q = (is_member | is_invited) & ~Q(status=MeetingStatus.DRAFT)
    if viewer.is_service_staff:
        q |= is_member & Q(panel__service_id=viewer.agency_id)
    if (service_id := _service_wide_agency(viewer)) is not None:
        q |= Q(panel__service_id=service_id)
    return Meeting.objects.filter(q).select_related("panel", "panel__service")


@dataclass(frozen=True)
class MeetingAccess:
    meeting: Meeting
    membership: str | None
    invited: bool
    can_manage: bool
    viewer: Viewer


def meeting_get_for_user(*, user, meeting_id: int) -> MeetingAccess:
    viewer = Viewer.of(user)
    if not viewer.is_authenticated:
        raise Http404("No such meeting")
    meeting = (
        Meeting.objects.select_related("panel", "panel__service")
        .annotate(
            _membership=PanelMembership.objects.filter(panel=OuterRef("panel_id"), user_id=viewer.id).values(
                "role"
            )[:1],
            _invited=Exists(MeetingInvitee.objects.filter(meeting=OuterRef("pk"), user_id=viewer.id)),
        )
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting")
    service_id = meeting.panel.service_id
    if not permissions.can_view_meeting(
        viewer, service_id=service_id, membership=meeting._membership, invited=meeting._invited,
        status=meeting.status,
    ):
        raise Http404("No such meeting")
    if meeting._invited and meeting._membership is None:
        viewer = _narrowed_to_invitation(viewer, meeting)
    return MeetingAccess(
        meeting=meeting,
        membership=meeting._membership,
        invited=meeting._invited,
        can_manage=permissions.can_manage_panel(viewer, service_id=service_id, membership=meeting._membership),
        viewer=viewer,
    )


def _narrowed_to_invitation(viewer: Viewer, meeting: Meeting) -> Viewer:
    """An invitee who is not a member of the panel: narrowed to the children of their item invitations
    (agendas.ItemInvitation) if they have only those, and, when every invitation they hold is a deputy's,
    capped by the rights of the invitee who delegated (``Viewer.ceiling``). One query, two for a deputy."""
    rows = list(MeetingInvitee.objects.filter(meeting=meeting, user_id=viewer.id)
                .values_list("pk", "delegate_of_id", "item_invitations__item__child_id"))
    items: dict[int, set] = {}
    delegators: set[int | None] = set()
    for pk, delegate_of_id, child_id in rows:
        items.setdefault(pk, set()).add(child_id)
        delegators.add(delegate_of_id)
    slots = set().union(*items.values()) if items else set()
    if not viewer.is_staff_of(meeting.panel.service_id) and None not in slots:
        viewer = replace(viewer, slot_children=frozenset(slots))
    if None not in delegators and delegators:
        viewer = replace(viewer, ceiling=_delegator(meeting, min(delegators)))
    return viewer


def _delegator(meeting: Meeting, invitee_id: int) -> Viewer:
    delegator = (MeetingInvitee.objects.select_related("agency", "user__agency")
                 .filter(meeting=meeting, pk=invitee_id).first())
    if delegator is None:  # the delegator's invitation was withdrawn: the deputy sees no child
        return permissions.delegator_viewer(user_id=None, agency_id=None, agency_kind=None, role=None,
                                            slot_children=frozenset())
    user = delegator.user if delegator.user is not None and delegator.user.is_active else None
    agency = user.agency if user is not None else delegator.agency
    children = set(MeetingInvitee.objects.filter(pk=invitee_id, item_invitations__isnull=False)
                   .values_list("item_invitations__item__child_id", flat=True))
    return permissions.delegator_viewer(
        user_id=user.pk if user else None, agency_id=agency.pk if agency else None,
        agency_kind=agency.kind if agency else None, role=user.role if user else None,
        slot_children=frozenset(children) if children else None)


def meeting_get_managed(*, user, meeting_id: int) -> MeetingAccess:
    """The meeting, for its panel's chair, coordinator or the service's managers; anyone else is told it does not
    exist."""
    access = meeting_get_for_user(user=user, meeting_id=meeting_id)
    if not access.can_manage:
        raise Http404("No such meeting")
    return access


def meeting_invitees(*, meeting: Meeting) -> list[MeetingInvitee]:
    return list(meeting.invitees.select_related("agency", "user", "delegate_of").order_by("role", "name"))


# --- children ------------------------------------------------------------------------------------
def _children_visible_q(viewer: Viewer) -> Q | None:
    if not viewer.is_service_staff:
        return None
    if (service_id := _service_wide_agency(viewer)) is not None:
        return Q(service_id=service_id)
    return Q(service_id=viewer.agency_id, case_manager_id=viewer.id)


def children_with_episodes(qs: QuerySet[Child]) -> QuerySet[Child]:
    return qs.select_related("case_manager", "service").prefetch_related(
        Prefetch(
            "episodes",
            queryset=LegalEpisode.objects.filter(is_current=True).select_related("establishment"),
            to_attr="current_episodes",
        )
    )


def current_establishments(child_ids) -> dict[int, int | None]:
    """Where each child is held now (the sentence's establishment before the remand's; None: not held), one
    query."""
    child_ids = list(child_ids)
    found: dict[int, int | None] = dict.fromkeys(child_ids)
    for child_id, establishment_id, kind in LegalEpisode.objects.filter(
        child_id__in=child_ids, is_current=True, establishment__isnull=False
    ).values_list("child_id", "establishment_id", "kind"):
        if found[child_id] is None or kind == "sentence":
            found[child_id] = establishment_id
    return found


def child_list_for_user(*, user) -> QuerySet[Child]:
    q = _children_visible_q(Viewer.of(user))
    if q is None:
        return Child.objects.none()
    return children_with_episodes(Child.objects.filter(q)).order_by("reference")


def child_get_for_user(*, user, child_id: int) -> Child:
    q = _children_visible_q(Viewer.of(user))
    child = None if q is None else children_with_episodes(Child.objects.filter(q, pk=child_id)).first()
    if child is None:
        raise Http404("No such child")
    return child


# --- the release address on a date (issue 16, point 4) -----------------------------------------------------------
# For escalation and reports: the status on a day and the date the standing address was confirmed, from the history
# (``ReleaseAddressChange``). They take children the caller may already see; they never widen who sees what.
def release_address_on(child: Child | int, day: date) -> str | None:
    """The child's release-address status at the end of ``day`` (``none``, ``proposed``, ``assessed``,
    ``confirmed``; None: nothing recorded by then). One query."""
    return release_addresses_on([_pk(child)], day)[_pk(child)]


def release_address_confirmed_on(child: Child | int) -> date | None:
    """The date the child's release address was last confirmed, when it is confirmed now (the latest change
    says ``confirmed``); None otherwise (never confirmed, or it fell through or went back since). One query."""
    return release_addresses_confirmed_on([_pk(child)])[_pk(child)]


def release_addresses_on(child_ids: Iterable[int], day: date) -> dict[int, str | None]:
    """``release_address_on`` for many children: one query whatever their number."""
    found: dict[int, str | None] = dict.fromkeys(child_ids)
    for child_id, status in (ReleaseAddressChange.objects.filter(child_id__in=list(found), on__lte=day)
                             .order_by("child_id", "on", "id").values_list("child_id", "status")):
        found[child_id] = status  # the last one of each child's run stays
    return found


def release_addresses_confirmed_on(child_ids: Iterable[int]) -> dict[int, date | None]:
    """``release_address_confirmed_on`` for many children: one query whatever their number."""
    found: dict[int, date | None] = dict.fromkeys(child_ids)
    for child_id, status, on in (ReleaseAddressChange.objects.filter(child_id__in=list(found))
                                 .order_by("child_id", "on", "id").values_list("child_id", "status", "on")):
        found[child_id] = on if status == ReleaseAddressStatus.CONFIRMED else None  # the last change decides
    return found


def _pk(child: Child | int) -> int:
    return child if isinstance(child, int) else child.pk


# --- agencies ------------------------------------------------------------------------------------
def agency_list_for_user(*, user) -> QuerySet[Agency]:
    """The directory of agencies is open to every signed-in user: it names organisations, not people."""
    if not Viewer.of(user).is_authenticated:
        return Agency.objects.none()
    return Agency.objects.order_by("kind", "name")


def agency_get_for_user(*, user, agency_id: int) -> tuple[Agency, bool]:
    """The agency and whether its staff list may be shown (own agency, or the service's managers)."""
    viewer = Viewer.of(user)
    agency = agency_list_for_user(user=user).filter(pk=agency_id).first()
    if agency is None:
        raise Http404("No such agency")
    can_list_staff = viewer.agency_id == agency.pk or (
        viewer.is_service_staff and viewer.role in SERVICE_WIDE_ROLES
    )
    return agency, can_list_staff


def establishments() -> QuerySet[Agency]:
    return Agency.objects.filter(kind=AgencyKind.SECURE_ESTATE)


def meeting_panels_for_user(*, user) -> list[Panel]:
    """The panels of the meetings ``user`` may see (the Meetings page's filter), by name: one query."""
    visible = meeting_list_for_user(user=user).values("panel_id")
    return list(Panel.objects.filter(pk__in=visible).order_by("name"))


def meeting_ids_visible_to(*, user, meeting_ids) -> set[int]:
    """Which of ``meeting_ids`` the user may open (one query): pages link only to those, never to a 404."""
    ids = {i for i in meeting_ids if i is not None}
    if not ids:
        return set()
    return set(meeting_list_for_user(user=user).filter(pk__in=ids).values_list("pk", flat=True))
