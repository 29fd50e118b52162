"""An agency admin (a manager of the agency) deactivates users of their own agency: audited, sessions end,
live sockets are asked to recheck (and close)."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minutes.handlers import user_group
from panels.enums import UserRole
from panels.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def probation_manager(world):
    return UserFactory(username="probation-manager", agency=world.probation, role=UserRole.MANAGER)


@pytest.fixture
def service_manager(world):
    return UserFactory(username="service-manager", agency=world.service, role=UserRole.MANAGER)


def test_a_partner_agency_manager_sees_only_their_agency(client, world, probation_manager):
    client.force_login(probation_manager)
    response = client.get(reverse("agency_users"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "probation" in html and "probation-manager" in html
    assert "coordinator" not in html and "police" not in html


@pytest.mark.parametrize("persona", ["coordinator", "chair", "case_manager", "invited_partner", "uninvited_partner"])
def test_anyone_but_a_manager_gets_404(world, login, persona):
    client = login(world, persona)
    assert client.get(reverse("agency_users")).status_code == 404
    target = world.users["invited_partner"]
    assert client.post(reverse("agency_user_active", args=[target.pk, "deactivate"])).status_code == 404
    target.refresh_from_db()
    assert target.is_active


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(reverse("agency_users"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_manager_of_another_agency_gets_404_for_its_users(client, world):
    # "outsider" is a manager of another youth justice service.
    client.force_login(world.users["outsider"])
    target = world.users["coordinator"]
    assert client.post(reverse("agency_user_active", args=[target.pk, "deactivate"])).status_code == 404
    target.refresh_from_db()
    assert target.is_active and not AuditEntry.objects.filter(action="user.deactivated").exists()


def test_deactivating_signs_the_user_out_audits_and_rechecks_their_sockets(
        client, world, probation_manager, django_capture_on_commit_callbacks):
    target = world.users["invited_partner"]
    their = client_class_login(target)
    assert their.get(reverse("home")).status_code == 200
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(target.pk), channel)

    client.force_login(probation_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("agency_user_active", args=[target.pk, "deactivate"]), follow=True)
    assert "is deactivated: they are signed out" in response.content.decode()
    target.refresh_from_db()
    assert not target.is_active
    entry = AuditEntry.objects.get(action="user.deactivated")
    assert entry.actor == probation_manager and entry.detail["user_id"] == target.pk
    assert async_to_sync(layer.receive)(channel) == {"type": "access.recheck"}
    # Their next request is anonymous; and they cannot sign in again.
    assert their.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert not their.login(username=target.username, password="correct-horse-battery")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("agency_user_active", args=[target.pk, "reactivate"]))
    target.refresh_from_db()
    assert target.is_active and AuditEntry.objects.filter(action="user.reactivated").exists()


def client_class_login(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def test_a_manager_cannot_deactivate_themselves_and_gets_a_clear_message(client, world, service_manager):
    client.force_login(service_manager)
    response = client.post(reverse("agency_user_active", args=[service_manager.pk, "deactivate"]), follow=True)
    assert "You cannot deactivate your own account" in response.content.decode()
    service_manager.refresh_from_db()
    assert service_manager.is_active


def test_deactivating_twice_says_so(client, world, service_manager):
    client.force_login(service_manager)
    target = world.users["case_manager"]
    client.post(reverse("agency_user_active", args=[target.pk, "deactivate"]))
    response = client.post(reverse("agency_user_active", args=[target.pk, "deactivate"]), follow=True)
    assert "is already deactivated" in response.content.decode()
    assert AuditEntry.objects.filter(action="user.deactivated").count() == 1


def test_unknown_action_and_get_are_refused(client, world, service_manager):
    client.force_login(service_manager)
    target = world.users["case_manager"]
    assert client.post(reverse("agency_user_active", args=[target.pk, "delete"])).status_code == 404
    assert client.get(reverse("agency_user_active", args=[target.pk, "deactivate"])).status_code == 405


def test_the_users_page_costs_the_same_for_more_users(client, world, service_manager):
    client.force_login(service_manager)
    url = reverse("agency_users")
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for i in range(8):
        UserFactory(username=f"extra{i}", agency=world.service)
    assert count() == small
