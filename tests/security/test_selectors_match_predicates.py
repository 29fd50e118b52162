"""The access rules are written twice: as pure predicates (``panels/permissions.py``) and as query filters in the
list selectors. For every persona of the route matrix, over the matrix's seeded world, each list selector returns
exactly the objects its predicate allows: ``set(selector(user)) == {o for o in everything if predicate(user, o)}``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404

from agendas.models import AgendaItem
from minutes.access import document_access
from minutes.models import Action
from minutes.selectors import action_list_for_user, minutes_view
from panels import permissions
from panels import selectors as panel_selectors
from panels.enums import Section
from panels.models import Child, Meeting, MeetingInvitee, Panel, PanelMembership
from panels.permissions import Viewer
from tests.security.matrix import PERSONAS, build_matrix_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def mw(world):
    """The matrix world, plus another service's panel (a partner invited to its meeting, a partner member, a
    draft), a child of that service and an action owned by an agency with nobody named."""
    from minutes import services as minutes_services
    from panels.enums import MeetingStatus, MembershipRole
    from tests.factories import ChildFactory, InviteeFactory, MeetingFactory, MembershipFactory, PanelFactory

    mw = build_matrix_world(world)
    u = mw.users
    other_panel = PanelFactory(service=world.other_service, name="Southmere Panel")
    MembershipFactory(panel=other_panel, user=u["uninvited_partner"], role=MembershipRole.PARTNER)
    other_meeting = MeetingFactory(panel=other_panel, status=MeetingStatus.SCHEDULED)
    InviteeFactory(meeting=other_meeting, user=u["invited_partner"])
    MeetingFactory(panel=other_panel, status=MeetingStatus.DRAFT, starts_at=other_meeting.starts_at
                   + timedelta(days=7), ends_at=other_meeting.ends_at + timedelta(days=7))
    ChildFactory(service=world.other_service, reference="SM-0001", case_manager=u["outsider"])
    minutes_services.action_create(meeting=mw.held, actor=u["chair"], child=world.child, description="Check the bed",
                                   owner_agency=world.probation, owner=None,
                                   due_date=mw.held.local_date + timedelta(days=7), allow_past_due=True)
    return mw


def _user(mw, persona: str):
    if persona == "anonymous":
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser()
    user = mw.users[persona]
    user.refresh_from_db()
    return user


def _membership(user, panel_id: int) -> str | None:
    if not user.is_authenticated:
        return None
    return PanelMembership.objects.filter(panel_id=panel_id, user_id=user.pk).values_list("role", flat=True).first()


def _panels(user):
    viewer = Viewer.of(user)
    allowed = {p.pk for p in Panel.objects.all()
               if permissions.can_view_panel(viewer, service_id=p.service_id, membership=_membership(user, p.pk))}
    return set(panel_selectors.panel_list_for_user(user=user).values_list("pk", flat=True)), allowed


def _managed_panels(user):
    viewer = Viewer.of(user)
    allowed = {p.pk for p in Panel.objects.all()
               if permissions.can_manage_panel(viewer, service_id=p.service_id, membership=_membership(user, p.pk))}
    return set(panel_selectors.panel_list_managed_by(user=user).values_list("pk", flat=True)), allowed


def _meetings(user):
    viewer = Viewer.of(user)
    allowed = {
        m.pk for m in Meeting.objects.select_related("panel")
        if permissions.can_view_meeting(
            viewer, service_id=m.panel.service_id, membership=_membership(user, m.panel_id), status=m.status,
            invited=user.is_authenticated and MeetingInvitee.objects.filter(meeting=m, user_id=user.pk).exists())
    }
    return set(panel_selectors.meeting_list_for_user(user=user).values_list("pk", flat=True)), allowed


def _children(user):
    viewer = Viewer.of(user)
    allowed = {c.pk for c in Child.objects.all()
               if permissions.can_view_child(viewer, service_id=c.service_id, case_manager_id=c.case_manager_id)}
    return set(panel_selectors.child_list_for_user(user=user).values_list("pk", flat=True)), allowed


def _my_actions(user):
    viewer = Viewer.of(user)
    allowed = {a.pk for a in Action.objects.all()
               if permissions.holds_action(viewer, owner_id=a.owner_id, owner_agency_id=a.owner_agency_id)}
    mine = set(action_list_for_user(user=user).values_list("pk", flat=True)) if user.is_authenticated else set()
    return mine, allowed


def _rooms_allowed_one_by_one(user, meeting) -> set[str]:
    children = [None, *AgendaItem.objects.filter(meeting=meeting, state=AgendaItem.State.LISTED)
                .values_list("child_id", flat=True)]
    allowed = set()
    for child_id in children:
        for section in Section.values:
            try:
                document_access(user=user, meeting_id=meeting.pk, child_id=child_id, section=section)
            except Http404:
                continue
            allowed.add(f"{meeting.pk}.{'meeting' if child_id is None else child_id}.{section}")
    return allowed


def _minute_documents(user):
    """The minutes page lists the rooms (item × section) whose documents ``document_access`` opens, for every
    meeting still in draft minutes (once approved, others read the approved record instead)."""
    listed, allowed = set(), set()
    for meeting in Meeting.objects.filter(minutes_revisions__isnull=True):
        try:
            access = panel_selectors.meeting_get_for_user(user=user, meeting_id=meeting.pk)
        except Http404:
            allowed |= _rooms_allowed_one_by_one(user, meeting)  # must stay empty
            continue
        items, _ = minutes_view(access)
        listed |= {s.room for item in items for s in item.sections}
        allowed |= _rooms_allowed_one_by_one(user, meeting)
    return listed, allowed


LIST_SELECTORS = {
    "panels (panel_list_for_user / can_view_panel)": _panels,
    "managed panels (panel_list_managed_by / can_manage_panel)": _managed_panels,
    "meetings (meeting_list_for_user / can_view_meeting)": _meetings,
    "children (child_list_for_user / can_view_child)": _children,
    "my actions (action_list_for_user / holds_action)": _my_actions,
    "minute documents (minutes_view / document_access)": _minute_documents,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_list_selector_returns_exactly_what_its_predicate_allows(mw, persona):
    user = _user(mw, persona)
    disagreements = {}
    for label, compare in LIST_SELECTORS.items():
        listed, allowed = compare(user)
        if listed != allowed:
            disagreements[label] = {"listed, not allowed": listed - allowed, "allowed, not listed": allowed - listed}
    assert disagreements == {}


def test_the_world_gives_every_selector_something_to_list(mw):
    """Guards the test above against passing on an empty world: someone sees something in each list."""
    empty = [label for label, compare in LIST_SELECTORS.items()
             if not any(compare(_user(mw, persona))[1] for persona in PERSONAS)]
    assert empty == []
