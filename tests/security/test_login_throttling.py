"""django-axes: repeated failed sign-ins lock the account out, with a clear message; a good sign-in resets."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from panels.models import AuditEntry

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory


@pytest.fixture(autouse=True)
def throttling_on(settings):
    settings.AXES_ENABLED = True  # off in config/test_settings.py (Client.login), on in production


def attempt(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_a_wrong_password_says_so_and_is_audited(client, world):
    response = attempt(client, "coordinator", "wrong")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert entry.detail == {"username": "coordinator"} and entry.ip_address == "127.0.0.1"


def test_five_failures_lock_the_account_even_for_the_right_password(client, world, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert attempt(client, "probation", "wrong").status_code == 200
    locked = attempt(client, "probation", "wrong")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Too many failed attempts to sign in" in text and "locked for 15 minutes" in text
    assert "reset your password" in text
    assert attempt(client, "probation", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_ends_after_the_cool_off(client, world):
    for _ in range(5):
        attempt(client, "probation", "wrong")
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = attempt(client, "probation", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.users["invited_partner"].pk)


def test_a_good_sign_in_resets_the_count(client, world):
    for _ in range(4):
        attempt(client, "probation", "wrong")
    assert attempt(client, "probation", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, "probation", "wrong").status_code == 200


def test_password_spraying_from_one_address_is_locked_too(client, world):
    for username in ["a", "b", "c", "d", "e"]:
        response = attempt(client, username, "wrong")
    assert response.status_code == 429
    # Another address may still sign in (the account itself is not locked).
    assert attempt(client, "probation", PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 302


def test_the_limit_is_a_setting(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 2
    attempt(client, "probation", "wrong")
    assert attempt(client, "probation", "wrong").status_code == 429


@pytest.mark.django_db(transaction=True)
async def test_the_lockout_holds_under_asgi_too(async_client, world):
    """uvicorn serves Convene over ASGI, where django-axes takes its async path."""
    for _ in range(5):
        response = await async_client.post(reverse("login"), {"username": "probation", "password": "wrong"})
    assert response.status_code == 429
    assert "Too many failed attempts to sign in" in response.content.decode()


def test_the_sign_in_page_has_a_query_budget(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        assert client.get(reverse("login")).status_code == 200
    with django_assert_max_num_queries(15):  # axes: look up, record the attempt; the audit entry
        attempt(client, "probation", "wrong")
