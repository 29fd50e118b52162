"""Actions between meetings: "My actions", the action page, signed links, the panel's register."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from agendas.selectors import statutory_meetings_due
from minutes import services
from minutes.links import LINK_DAYS, action_link_token
from minutes.models import Action, ActionEvent
from panels.enums import MeetingStatus
from tests.conftest import PERSONAS
from tests.factories import ChildFactory, EpisodeFactory

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
    update, date = reverse("action_update", args=[a.pk]), reverse("action_date_request", args=[a.pk])
    owner.post(update, {"version": a.version, "status": "blocked", "note": ""})
    a.refresh_from_db()
    assert a.status == "open"  # blocked needs to say by whom
    owner.post(update, {"version": a.version, "status": "blocked", "note": "Waiting for housing"})
    owner.post(date, {"new_due_date": (a.due_date + timedelta(14)).isoformat(), "reason": "Panel"})
    asked = a.due_date_requests.get()
    decide = reverse("action_date_decide", args=[a.pk, asked.pk])
    assert owner.post(decide, {"agree": "1"}).status_code == 404  # not the owner's to decide
    a.refresh_from_db()
    assert a.status == "blocked" and a.due_date_requests.get().status == "open"
    chair = login(held, "chair")
    chair.post(decide, {"agree": "1"})
    a.refresh_from_db()
    assert a.due_date_requests.get().status == "agreed"
    owner = login(held, "invited_partner")
    owner.post(update, {"version": a.version, "status": "done", "evidence": "Tenancy T-4471"})
    a.refresh_from_db()
    assert a.status == "done" and a.evidence == "Tenancy T-4471"
    owner.post(update, {"version": a.version, "status": "verified"})
    a.refresh_from_db()
    assert a.status == "done"  # only the chair verifies
    stale = a.version
    login(held, "chair").post(update, {"version": stale, "status": "verified"})
    a.refresh_from_db()
    assert a.status == "verified"
    assert list(a.history.values_list("to_status", flat=True)) == ["open", "blocked", "blocked", "blocked", "done",
                                                                   "verified"]


def test_each_form_goes_back_to_the_page_with_what_happened(held, login, django_assert_max_num_queries):
    a = held.action
    owner = login(held, "invited_partner")
    with django_assert_max_num_queries(16):
        response = owner.post(reverse("action_update", args=[a.pk]),
                              {"version": a.version, "status": "in_progress", "note": "Booked"})
    assert response["Location"] == reverse("action_detail", args=[a.pk])
    assert "Action updated." in owner.get(response["Location"]).content.decode()


def test_a_refused_date_request_names_what_is_wrong_and_stores_nothing(held, login):
    a = held.action
    response = login(held, "invited_partner").post(reverse("action_date_request", args=[a.pk]), {
        "new_due_date": (a.due_date - timedelta(1)).isoformat(), "reason": "Sooner"}, follow=True)
    assert "Ask for a date after the current due date." in response.content.decode()
    assert not a.due_date_requests.exists()


def test_a_progress_note_without_a_status_keeps_the_status(held, login):
    a = held.action
    login(held, "invited_partner").post(reverse("action_update", args=[a.pk]),
                                        {"version": a.version, "status": "", "note": "Called the landlord"})
    event = ActionEvent.objects.filter(action=a).latest("id")
    assert (event.from_status, event.to_status, event.note) == ("open", "open", "Called the landlord")


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_action_forms_are_need_to_know(held, login, persona, django_assert_max_num_queries):
    """Updating and asking for a date: the owner and the panel's managers; the case manager reads only (404),
    outsiders 404; deciding a date: the panel's managers."""
    a = held.action
    client = login(held, persona)
    with django_assert_max_num_queries(16):
        update = client.post(reverse("action_update", args=[a.pk]), {"version": a.version, "note": "Hello"})
    asked = services.due_date_request(action=a, actor=held.users["invited_partner"], reason="Later",
                                      new_due_date=a.due_date + timedelta(7))
    decide = client.post(reverse("action_date_decide", args=[a.pk, asked.pk]), {"agree": "0", "note": "No"})
    if persona == "anonymous":
        assert (update.status_code, decide.status_code) == (302, 302)
        return
    assert update.status_code == (302 if persona in {"coordinator", "chair", "invited_partner"} else 404)
    assert decide.status_code == (302 if persona in {"coordinator", "chair"} else 404)


def test_a_decision_names_its_request_of_this_action(held, login):
    asked = services.due_date_request(action=held.other_action, actor=held.users["chair"], reason="Later",
                                      new_due_date=held.other_action.due_date + timedelta(7))
    chair = login(held, "chair")
    assert chair.post(reverse("action_date_decide", args=[held.action.pk, asked.pk]),
                      {"agree": "1"}).status_code == 404
    asked.refresh_from_db()
    assert asked.status == "open"


def test_the_old_single_post_target_answers_405_and_stores_nothing(held, login):
    a = held.action
    response = login(held, "invited_partner").post(reverse("action_detail", args=[a.pk]), {
        "form": "update", "version": a.version, "status": "in_progress", "note": "Old form"})
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert not ActionEvent.objects.filter(action=a, note="Old form").exists()


def test_a_signed_link_opens_one_action_only(held, client):
    a, other = held.other_action, held.action  # the STC's action, nobody named: its mailbox holds the link
    token = action_link_token(action_id=a.pk, user_id=None, email="duty@stc.example", agency_id=held.stc.pk)
    url = reverse("action_link", args=[a.pk, token])
    response = client.get(url)
    assert response.status_code == 200 and "Share the custody plan" in response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"
    client.post(reverse("action_link_update", args=[a.pk, token]),
                {"version": a.version, "status": "in_progress", "note": "Booked"})
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


def test_a_signed_links_forms_post_to_the_links_own_urls(held, client):
    a = held.other_action
    token = action_link_token(action_id=a.pk, user_id=None, email="duty@stc.example", agency_id=held.stc.pk)
    body = client.get(reverse("action_link", args=[a.pk, token])).content.decode()
    assert f'action="{reverse("action_link_update", args=[a.pk, token])}"' in body
    assert f'action="{reverse("action_link_date_request", args=[a.pk, token])}"' in body


def test_a_signed_link_asks_for_a_new_date_and_comes_back_to_the_link(held, client, django_assert_max_num_queries):
    a = held.other_action
    token = action_link_token(action_id=a.pk, user_id=None, email="duty@stc.example", agency_id=held.stc.pk)
    with django_assert_max_num_queries(12):
        response = client.post(reverse("action_link_date_request", args=[a.pk, token]),
                               {"new_due_date": (a.due_date + timedelta(7)).isoformat(), "reason": "Court date"})
    assert response["Location"] == reverse("action_link", args=[a.pk, token])
    assert response["Cache-Control"] == "no-store"
    assert a.due_date_requests.get().requested_by_label == "duty@stc.example"


@pytest.mark.parametrize("name", ["action_link_update", "action_link_date_request"])
def test_a_signed_links_forms_refuse_another_actions_token_and_store_nothing(held, client, name):
    a, other = held.other_action, held.action
    token = action_link_token(action_id=a.pk, user_id=None, email="duty@stc.example", agency_id=held.stc.pk)
    response = client.post(reverse(name, args=[other.pk, token]), {
        "version": other.version, "note": "Not mine", "new_due_date": (other.due_date + timedelta(7)).isoformat(),
        "reason": "Not mine"})
    assert response.status_code == 403
    assert not ActionEvent.objects.filter(action=other, note="Not mine").exists()
    assert not other.due_date_requests.exists()


def test_a_signed_link_cannot_decide_a_date(held, client):
    """Deciding a requested date has no signed-link URL: only a signed-in chair or coordinator decides."""
    a = held.other_action
    token = action_link_token(action_id=a.pk, user_id=None, email="duty@stc.example", agency_id=held.stc.pk)
    asked = services.due_date_request(action=a, actor=None, actor_label="duty@stc.example", reason="Later",
                                      new_due_date=a.due_date + timedelta(7))
    link = reverse("action_link", args=[a.pk, token])
    assert client.post(f"{link}due-date-requests/{asked.pk}/decision/", {"agree": "1"}).status_code == 404
    response = client.post(reverse("action_date_decide", args=[a.pk, asked.pk]), {"agree": "1"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    asked.refresh_from_db()
    assert asked.status == "open"


def test_the_old_signed_link_post_target_answers_405(held, client):
    a = held.other_action
    token = action_link_token(action_id=a.pk, user_id=None, email="duty@stc.example", agency_id=held.stc.pk)
    response = client.post(reverse("action_link", args=[a.pk, token]),
                           {"form": "update", "version": a.version, "note": "Old form"})
    assert response.status_code == 405
    assert not ActionEvent.objects.filter(action=a, note="Old form").exists()


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


@pytest.mark.django_db
def test_my_children_shows_each_childs_statutory_meetings_due_in_constant_queries(
        world, client, django_assert_max_num_queries):
    case_manager = world.users["case_manager"]
    for n in range(6):  # more children of the case manager cost no more queries
        EpisodeFactory(child=ChildFactory(service=world.service, case_manager=case_manager, reference=f"YJ-09{n}"))
    due = statutory_meetings_due(child=world.child, today=timezone.localdate())
    assert [d for d in due if d["overdue"]], "the world's child has an overdue statutory meeting"
    client.force_login(case_manager)
    with django_assert_max_num_queries(14):
        body = client.get(reverse("my_children")).content.decode()
    assert "Statutory meetings due" in body
    for d in due:
        assert f"{d['title']}: by" in body, d["title"]
    overdue = sum(1 for d in due if d["overdue"])
    assert f"{overdue} meeting{'s' if overdue > 1 else ''} overdue" in body
    assert reverse("child_meeting_list", args=[world.child.pk]) in body
