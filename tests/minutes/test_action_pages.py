"""Actions between meetings: "My actions", the action page, signed links, the panel's register."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from minutes import services
from minutes.links import LINK_DAYS, action_link_token
from minutes.models import Action, ActionEvent
from panels.enums import MeetingStatus
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world):
    w = world
    w.meeting.status = MeetingStatus.IN_PROGRESS
    w.meeting.starts_at = timezone.now() - timedelta(days=1)
    w.meeting.ends_at = w.meeting.starts_at + timedelta(hours=2)
    w.meeting.save()
    due = timezone.localdate() + timedelta(days=10)
    w.action = services.action_create(meeting=w.meeting, actor=w.users["chair"], child=w.child,
                                      description="Confirm the release address", owner_agency=w.probation,
                                      owner=w.users["invited_partner"], due_date=due)
    w.other_action = services.action_create(meeting=w.meeting, actor=w.users["chair"], child=w.other_child,
                                            description="Share the custody plan", owner_agency=w.stc, due_date=due)
    return w


# who may open an action: its owner and owner agency, the panel's managers, the service's staff with a reason
ACTION_READERS = {"coordinator", "chair", "case_manager", "invited_partner"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_action_page_is_need_to_know(held, login, persona, django_assert_max_num_queries):
    client = login(held, persona)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("action_detail", args=[held.action.pk]))
    expected = 302 if persona == "anonymous" else (200 if persona in ACTION_READERS else 404)
    assert response.status_code == expected
    if expected == 200:
        assert "Confirm the release address" in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_my_actions_lists_only_what_the_user_or_their_agency_owns(held, login, persona,
                                                                    django_assert_max_num_queries):
    client = login(held, persona)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("my_actions"))
    if persona == "anonymous":
        assert response.status_code == 302
        return
    body = response.content.decode()
    assert ("Confirm the release address" in body) == (persona == "invited_partner")
    assert ("Share the custody plan" in body) == (persona == "invited_stc")  # the STC owns it, nobody named


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_register_is_for_the_services_staff(held, login, persona, django_assert_max_num_queries):
    client = login(held, persona)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("action_register", args=[held.panel.pk]))
    staff = {"coordinator", "chair"}  # those who see the panel (case managers see only their own children)
    if persona == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code in ((200,) if persona in staff else (404,))


def test_register_filters(held, login):
    client = login(held, "chair")
    url = reverse("action_register", args=[held.panel.pk])
    body = client.get(url, {"status": "open", "owner_agency": held.stc.pk}).content.decode()
    assert "Share the custody plan" in body and "Confirm the release address" not in body
    body = client.get(url, {"status": "open", "child": "YJ-0001"}).content.decode()
    assert "Confirm the release address" in body and "Share the custody plan" not in body
    assert "No actions match" in client.get(url, {"status": "open", "overdue": "on"}).content.decode()
    Action.objects.filter(pk=held.action.pk).update(due_date=timezone.localdate() - timedelta(days=2))
    body = client.get(url, {"status": "open", "overdue": "on"}).content.decode()
    assert "Confirm the release address" in body and "Overdue" in body


def test_the_owner_updates_asks_for_time_and_the_chair_verifies(held, login):
    a = held.action
    owner = login(held, "invited_partner")
    url = reverse("action_detail", args=[a.pk])
    owner.post(url, {"form": "update", "version": a.version, "status": "blocked", "note": ""})
    a.refresh_from_db()
    assert a.status == "open"  # blocked needs to say by whom
    owner.post(url, {"form": "update", "version": a.version, "status": "blocked", "note": "Waiting for housing"})
    owner.post(url, {"form": "date", "new_due_date": (a.due_date + timedelta(14)).isoformat(), "reason": "Panel"})
    owner.post(url, {"form": "decide", "agree": "1"})  # not the owner's to decide
    a.refresh_from_db()
    assert a.status == "blocked" and a.due_date_requests.get().status == "open"
    chair = login(held, "chair")
    chair.post(url, {"form": "decide", "agree": "1"})
    a.refresh_from_db()
    assert a.due_date_requests.get().status == "agreed"
    owner = login(held, "invited_partner")
    owner.post(url, {"form": "update", "version": a.version, "status": "done", "evidence": "Tenancy T-4471"})
    a.refresh_from_db()
    assert a.status == "done" and a.evidence == "Tenancy T-4471"
    owner.post(url, {"form": "update", "version": a.version, "status": "verified"})
    a.refresh_from_db()
    assert a.status == "done"  # only the chair verifies
    stale = a.version
    login(held, "chair").post(url, {"form": "update", "version": stale, "status": "verified"})
    a.refresh_from_db()
    assert a.status == "verified"
    assert list(a.history.values_list("to_status", flat=True)) == ["open", "blocked", "blocked", "blocked", "done",
                                                                   "verified"]


def test_a_signed_link_opens_one_action_only(held, client):
    a, other = held.other_action, held.action  # the STC's action, nobody named: its mailbox holds the link
    token = action_link_token(action_id=a.pk, user_id=None, email="duty@stc.example", agency_id=held.stc.pk)
    url = reverse("action_link", args=[a.pk, token])
    response = client.get(url)
    assert response.status_code == 200 and "Share the custody plan" in response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"
    client.post(url, {"form": "update", "version": a.version, "status": "in_progress", "note": "Booked"})
    event = ActionEvent.objects.filter(action=a).latest("id")
    assert event.to_status == "in_progress" and event.actor is None and event.actor_label == "duty@stc.example"
    # the same token for another action, a tampered token, an expired token: refused
    assert client.get(reverse("action_link", args=[other.pk, token])).status_code == 403
    assert client.get(reverse("action_link", args=[a.pk, token[:-2] + "xx"])).status_code == 403
    with time_machine.travel(timezone.now() + timedelta(days=LINK_DAYS, hours=1)):
        refused = client.get(url)
    assert refused.status_code == 403 and "expired" in refused.content.decode()
    # no browsing beyond the action: the link does not sign anyone in
    assert client.get(reverse("my_actions")).status_code == 302
    assert client.get(reverse("action_detail", args=[a.pk])).status_code == 302
    assert Action.objects.get(pk=other.pk).status == "open"


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_childs_timeline_is_need_to_know(held, login, persona, django_assert_max_num_queries):
    from minutes.models import MinuteDocument

    MinuteDocument.objects.create(meeting=held.meeting, child=held.child, section="general", text="Address found.")
    MinuteDocument.objects.create(meeting=held.meeting, child=held.child, section="health", text="CAMHS referral.")
    services.decision_record(meeting=held.meeting, actor=held.users["chair"], child=held.child, text="Keep on panel")
    client = login(held, persona)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("child_timeline", args=[held.child.pk]))
    readers = {"coordinator", "case_manager"}  # the service's managers, and the child's own case manager
    if persona == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == (200 if persona in readers else 404)
    if response.status_code == 200:
        body = response.content.decode()
        assert "Address found." in body and "Keep on panel" in body and "Confirm the release address" in body
        assert "CAMHS referral." in body  # both roles hold the restricted sections


@pytest.mark.parametrize("persona", PERSONAS)
def test_my_children_for_case_managers(held, login, persona, django_assert_max_num_queries):
    client = login(held, persona)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("my_children"))
    if persona == "anonymous":
        assert response.status_code == 302
        return
    staff = {"coordinator", "chair", "case_manager", "other_case_manager", "outsider"}  # any service's staff
    assert response.status_code == (200 if persona in staff else 404)
    body = response.content.decode()
    if persona != "case_manager":
        assert "YJ-0001" not in body  # only one's own caseload
    if persona == "case_manager":
        assert "YJ-0001" in body and "YJ-0002" not in body and "Confirm the release address" in body
        assert "On track" in body
