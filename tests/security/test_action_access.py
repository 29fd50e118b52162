"""Who opens an action, and how long its emailed link works (issue 14).

An action named to a person is theirs, their line manager's and the panel's chair's and coordinator's; the
owner agency's other users reach it only while nobody is named. A signed link dies with its person
(deactivated, or moved to another agency) and with the action's closure.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from minutes import services
from minutes.links import action_link_token
from minutes.models import Action, ActionEvent
from panels.enums import MeetingStatus, UserRole
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    world.meeting.status = MeetingStatus.IN_PROGRESS
    world.meeting.starts_at = timezone.now() - timedelta(days=1)
    world.meeting.ends_at = world.meeting.starts_at + timedelta(hours=2)
    world.meeting.save()
    owner = world.users["invited_partner"]
    world.boss = UserFactory(username="boss", agency=world.probation, role=UserRole.MANAGER)
    owner.line_manager = world.boss
    owner.save()
    world.colleague = UserFactory(username="colleague", agency=world.probation, role=UserRole.PARTNER)
    due = timezone.localdate() + timedelta(days=10)
    world.named = services.action_create(meeting=world.meeting, actor=world.users["chair"], child=world.child,
                                         description="Confirm the release address", owner_agency=world.probation,
                                         owner=owner, due_date=due)
    world.unnamed = services.action_create(meeting=world.meeting, actor=world.users["chair"], child=world.child,
                                           description="Find a probation officer", owner_agency=world.probation,
                                           due_date=due)
    return world


def _note(client, url, action):
    """A progress note through the page's update form (``status``, under the page's URL, signed in or by link)."""
    return client.post(url + "status/", {"version": action.version, "status": "", "note": "Stored?"})


def test_a_colleague_of_the_named_owner_gets_404_and_stores_nothing(w, client):
    client.force_login(w.colleague)
    url = reverse("action_detail", args=[w.named.pk])
    assert client.get(url).status_code == 404
    assert _note(client, url, w.named).status_code == 404
    assert not ActionEvent.objects.filter(action=w.named, note="Stored?").exists()


def test_the_owner_agency_opens_an_action_with_nobody_named(w, client):
    client.force_login(w.colleague)
    url = reverse("action_detail", args=[w.unnamed.pk])
    assert client.get(url).status_code == 200
    _note(client, url, w.unnamed)
    assert ActionEvent.objects.filter(action=w.unnamed, note="Stored?", actor=w.colleague).exists()


def test_the_owners_line_manager_opens_and_updates(w, client, django_assert_max_num_queries):
    client.force_login(w.boss)
    url = reverse("action_detail", args=[w.named.pk])
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    _note(client, url, w.named)
    assert ActionEvent.objects.filter(action=w.named, note="Stored?", actor=w.boss).exists()


def test_a_panel_member_who_is_not_chair_or_coordinator_gets_404(w, client):
    from tests.factories import MembershipFactory

    member = UserFactory(username="member", agency=w.service, role=UserRole.PRACTITIONER)
    MembershipFactory(panel=w.panel, user=member)
    client.force_login(member)
    assert client.get(reverse("action_detail", args=[w.named.pk])).status_code == 404


def test_the_owner_who_moved_agency_no_longer_holds_the_action(w, client):
    owner = w.users["invited_partner"]
    owner.agency = w.police
    owner.save()
    client.force_login(owner)
    assert client.get(reverse("action_detail", args=[w.named.pk])).status_code == 404


def _link(action, user, agency_id):
    token = action_link_token(action_id=action.pk, user_id=user.pk if user else None,
                              email=user.email if user else "duty@probation.example", agency_id=agency_id)
    return reverse("action_link", args=[action.pk, token])


def test_a_link_works_for_its_owner(w, client, django_assert_max_num_queries):
    url = _link(w.named, w.users["invited_partner"], w.probation.pk)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    _note(client, url, w.named)
    assert ActionEvent.objects.filter(action=w.named, note="Stored?", actor=w.users["invited_partner"]).exists()


def test_a_link_dies_when_its_user_is_deactivated(w, client):
    owner = w.users["invited_partner"]
    url = _link(w.named, owner, w.probation.pk)
    owner.is_active = False
    owner.save()
    assert client.get(url).status_code == 403
    assert _note(client, url, w.named).status_code == 403
    assert not ActionEvent.objects.filter(action=w.named, note="Stored?").exists()


def test_a_link_dies_when_its_user_leaves_the_agency(w, client):
    boss = w.boss  # the line manager keeps their part, but not from another agency
    url = _link(w.named, boss, w.probation.pk)
    boss.agency = w.police
    boss.save()
    assert client.get(url).status_code == 403
    assert _note(client, url, w.named).status_code == 403
    assert not ActionEvent.objects.filter(action=w.named, note="Stored?").exists()


@pytest.mark.parametrize("status", [Action.Status.DONE, Action.Status.VERIFIED, Action.Status.CANCELLED])
def test_a_link_dies_with_the_actions_closure(w, client, status):
    url = _link(w.named, w.users["invited_partner"], w.probation.pk)
    Action.objects.filter(pk=w.named.pk).update(status=status)
    response = client.get(url)
    assert response.status_code == 403 and "closed" in response.content.decode()
    assert _note(client, url, w.named).status_code == 403


def test_an_agency_mailbox_link_dies_once_a_person_is_named(w, client):
    url = _link(w.unnamed, None, w.probation.pk)
    assert client.get(url).status_code == 200
    Action.objects.filter(pk=w.unnamed.pk).update(owner=w.colleague)
    assert client.get(url).status_code == 403


def test_a_link_for_a_colleague_gives_no_more_than_signing_in(w, client):
    """A link issued to a colleague (e.g. forwarded by a mailbox) is worth what the colleague may do."""
    url = _link(w.named, w.colleague, w.probation.pk)
    assert client.get(url).status_code == 403
