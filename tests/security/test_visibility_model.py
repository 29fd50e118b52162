"""The visibility model (issue 14), as a table: who sees which child of a meeting, and which sections.

- core members of a panel (its members, the service's managers, whoever is invited to the whole meeting) see
  every child on its agendas;
- the secure estate sees the children it holds;
- anyone invited for a child's item sees that child only;
- a deputy sees no more than the person who delegated to them (children and sections).

Each row is checked on every surface that lists a meeting's children: the agenda page, the agenda API and the
live minutes page; and the sections through the minutes rooms' access check.
"""

from __future__ import annotations

import pytest
from django.http import Http404

from agendas import services as agenda_services
from minutes.access import document_access
from panels.enums import UserRole
from tests.factories import InviteeFactory, UserFactory
from tests.security.matrix import add_guest_and_deputy

pytestmark = pytest.mark.django_db

BOTH, CHILD, OTHER, NONE = {"YJ-0001", "YJ-0002"}, {"YJ-0001"}, {"YJ-0002"}, None  # NONE: the meeting is 404
TABLE = {
    # persona: (children seen, sections of the child's item readable)
    "coordinator": (BOTH, {"general", "victim", "health", "police_intel"}),
    "chair": (BOTH, {"general"}),  # a practitioner chairing: core member, no restricted section
    "invited_partner": (BOTH, {"general", "victim"}),  # probation, invited to the whole meeting
    "invited_yoi": (CHILD, {"general"}),  # the secure estate: the child it holds
    "invited_stc": (OTHER, set()),
    "guest": (CHILD, {"general", "police_intel"}),  # police, invited for the child's item only
    "deputy": (CHILD, {"general"}),  # police, sent by the YOI user: no more than the YOI user
    "probation_deputy": (BOTH, {"general", "victim"}),  # a probation colleague sent by the probation invitee
    "uninvited_partner": (NONE, set()),
    "case_manager": (NONE, set()),  # not a member of this panel
    "outsider": (NONE, set()),
}
SURFACES = {
    "agenda page": lambda w: f"/meetings/{w.meeting.pk}/agenda/",
    "agenda API": lambda w: f"/api/meetings/{w.meeting.pk}/agenda/",
    "minutes page": lambda w: f"/meetings/{w.meeting.pk}/minutes/",
}


@pytest.fixture
def w(world):
    chair = world.users["chair"]
    for child in (world.child, world.other_child):
        agenda_services.agenda_child_add(meeting=world.meeting, child=child, reason="Risk", actor=chair)
    agenda_services.agenda_publish(meeting=world.meeting, actor=chair)
    add_guest_and_deputy(world, [world.meeting])
    colleague = UserFactory(username="probation2", agency=world.probation, role=UserRole.PARTNER)
    InviteeFactory(meeting=world.meeting, user=colleague,
                   delegate_of=world.meeting.invitees.get(user=world.users["invited_partner"]))
    world.users["probation_deputy"] = colleague
    return world


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("persona", TABLE)
def test_who_sees_which_child(w, client, persona, surface):
    client.force_login(w.users[persona])
    response = client.get(SURFACES[surface](w))
    expected = TABLE[persona][0]
    if expected is NONE:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    body = response.content.decode()
    seen = {ref for ref in BOTH if ref in body}
    assert seen == expected


@pytest.mark.parametrize("persona", TABLE)
def test_which_sections_of_the_childs_item(w, persona):
    readable = set()
    for section in ("general", "victim", "health", "police_intel"):
        try:
            document_access(user=w.users[persona], meeting_id=w.meeting.pk, child_id=w.child.pk, section=section)
        except Http404:
            continue
        readable.add(section)
    assert readable == TABLE[persona][1]


def test_withdrawing_the_delegator_withdraws_their_deputy(w, client):
    from panels.services import invitee_remove

    invitee_remove(invitee=w.meeting.invitees.get(user=w.users["invited_yoi"]), actor=w.users["chair"])
    client.force_login(w.users["deputy"])
    assert client.get(f"/meetings/{w.meeting.pk}/agenda/").status_code == 404
