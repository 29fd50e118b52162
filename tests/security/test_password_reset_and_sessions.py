"""Password reset by email (Django's views, the project's templates) and idle session expiry."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from panels.models import AuditEntry

pytestmark = pytest.mark.django_db


def request_reset(client, email):
    return client.post(reverse("password_reset"), {"email": email})


def test_the_reset_email_links_to_the_site_and_names_no_child(client, world, settings):
    settings.SITE_URL = "https://convene.example"
    user = world.users["case_manager"]
    response = request_reset(client, user.email)
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Reset your Convene password"
    assert message.to == [user.email]
    link = re.search(r"https://convene\.example/accounts/reset/[^/\s]+/[^/\s]+/", message.body).group(0)
    for child in (world.child, world.other_child):
        assert child.reference not in message.subject + message.body
        assert child.given_name not in message.subject + message.body
        assert child.family_name not in message.subject + message.body
    assert "&#" not in message.body  # plain text, not HTML-escaped
    assert AuditEntry.objects.filter(action="auth.password_reset_requested").exists()

    form = client.get(link.removeprefix("https://convene.example"), follow=True)
    assert "Choose a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "short", "new_password2": "short"})
    assert "This password is too short" in weak.content.decode()
    new = "a-much-better-passphrase"
    done = client.post(set_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password("a-much-better-passphrase")
    # The link works once.
    again = client.get(link.removeprefix("https://convene.example"), follow=True)
    assert "This link does not work" in again.content.decode()


def test_the_link_ignores_a_forged_host_header(client, world, settings):
    settings.SITE_URL = "https://convene.example"
    settings.ALLOWED_HOSTS = ["convene.example", "evil.example"]
    client.post(reverse("password_reset"), {"email": world.users["coordinator"].email}, HTTP_HOST="evil.example")
    assert "evil.example" not in mail.outbox[0].body


def test_an_unknown_or_deactivated_address_gets_the_same_answer_and_no_mail(client, world):
    inactive = world.users["invited_partner"]
    inactive.is_active = False
    inactive.save()
    for email in ("nobody@nowhere.example", inactive.email):
        response = request_reset(client, email)
        assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_bad_email_address_gets_a_clear_error(client, world):
    response = request_reset(client, "not-an-address")
    assert response.status_code == 200 and "Enter a valid email address" in response.content.decode()


def test_a_new_password_lifts_a_lockout(client, world, settings):
    settings.AXES_ENABLED = True
    user = world.users["invited_partner"]
    for _ in range(5):
        client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert client.post(reverse("login"), {"username": user.username, "password": "x"}).status_code == 429
    request_reset(client, user.email)
    link = re.search(r"http://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "a-much-better-passphrase", "new_password2": "a-much-better-passphrase"})
    ok = client.post(reverse("login"), {"username": user.username, "password": "a-much-better-passphrase"})
    assert ok.status_code == 302


def test_an_idle_session_ends_and_activity_keeps_it_alive(client, world, settings):
    settings.SESSION_COOKIE_AGE = 1800
    client.force_login(world.users["coordinator"])
    start = timezone.now()
    for minutes in (20, 40, 60):  # a request every 20 minutes keeps the session
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=60 + 31)):  # then 31 idle minutes
        response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_busy_session_still_ends_a_working_day_after_sign_in(client, world, settings):
    settings.SESSION_COOKIE_AGE, settings.SESSION_MAX_HOURS = 1800, 10
    start = timezone.now()
    with time_machine.travel(start):
        client.force_login(world.users["coordinator"])
    for minutes in range(20, 10 * 60, 20):  # a request every 20 minutes for ten hours
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + timedelta(hours=10, minutes=5)):
        response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_session_cookie_is_httponly_and_lax(client, world):
    response = client.post(reverse("login"), {"username": "coordinator", "password": "correct-horse-battery"})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_the_csrf_cookie_is_httponly_and_the_token_comes_from_the_page(client, world):
    page = client.get(reverse("login"))
    assert page.cookies["csrftoken"]["httponly"]
    assert '<meta name="csrf-token" content="' in page.content.decode()
