"""TOTP two-factor: required for the service's managers and coordinators and for chairs, optional for others."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from panels.models import AuditEntry
from panels.twofactor import user_requires_two_factor

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def enforced(settings):
    settings.TWO_FACTOR_ENFORCED = True


def code(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0 - offset * device.step):06d}"


def sign_in(client, username):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


@pytest.mark.parametrize(
    ("persona", "required"),
    [("coordinator", True), ("chair", True), ("outsider", True), ("case_manager", False),
     ("invited_partner", False), ("invited_yoi", False)],
)
def test_who_must_use_two_factor(world, persona, required):
    # chair: a practitioner who chairs the panel; outsider: a manager of another youth justice service.
    assert user_requires_two_factor(world.users[persona]) is required


def test_a_required_user_without_an_app_is_sent_to_set_one_up(client, world):
    sign_in(client, "coordinator")
    response = client.get(reverse("child_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor_enrol") + "?next=/children/"
    api = client.get("/api/panels/")
    assert api.status_code == 403 and "Two-factor verification required" in api.json()["detail"]


def test_an_optional_user_is_not_asked(client, world):
    sign_in(client, "probation")
    assert client.get(reverse("home")).status_code == 200


def test_enrolment_shows_a_qr_code_and_the_secret_then_confirms_with_a_code(client, world):
    sign_in(client, "chair")
    page = client.get(reverse("two_factor_enrol") + "?next=/panels/")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "Your role needs a second step" in html
    device = TOTPDevice.objects.get(user=world.users["chair"], confirmed=False)
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', html).group(1)
    assert len(secret.replace(" ", "")) == 32
    # A page reload keeps the same key (the user may have scanned it already).
    client.get(reverse("two_factor_enrol"))
    assert TOTPDevice.objects.filter(user=world.users["chair"]).count() == 1

    wrong = client.post(reverse("two_factor_enrol"), {"token": "12345x"})
    assert "The code is 6 digits" in wrong.content.decode()
    bad = client.post(reverse("two_factor_enrol"), {"token": f"{(int(code(device)) + 1) % 1000000:06d}"})
    assert "That code does not match" in bad.content.decode()

    with time_machine.travel(timezone.now() + timedelta(seconds=5)):  # past the throttle after a wrong code
        done = client.post(reverse("two_factor_enrol"), {"token": code(device), "next": "/panels/"})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([0-9a-f]{8})</code></li>", done.content.decode())
    assert len(codes) == 8
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("panel_list")).status_code == 200
    assert AuditEntry.objects.filter(action="auth.two_factor_enrolled", actor=world.users["chair"]).exists()


def test_after_the_password_a_user_with_an_app_must_enter_a_code(client, world):
    device = enrolled(world.users["coordinator"])
    sign_in(client, "coordinator")
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("two_factor_verify") + "?next=/"
    empty = client.post(reverse("two_factor_verify"), {"token": ""})
    assert "Enter the code from your authenticator app" in empty.content.decode()
    wrong = client.post(reverse("two_factor_verify"), {"token": "000000" if code(device) != "000000" else "111111"})
    assert "That code is not right" in wrong.content.decode()
    assert client.get(reverse("home")).status_code == 302
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):  # past the throttle after a wrong code
        ok = client.post(reverse("two_factor_verify"), {"token": code(device), "next": "/children/"})
    assert ok.status_code == 302 and ok["Location"] == "/children/"
    assert client.get(reverse("home")).status_code == 200
    assert AuditEntry.objects.filter(action="auth.two_factor_verified").count() == 1


def test_an_optional_user_who_enrolled_is_held_to_it(client, world):
    enrolled(world.users["invited_partner"])
    sign_in(client, "probation")
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor_verify"))


def test_a_code_cannot_be_used_twice(client, world):
    device = enrolled(world.users["coordinator"])
    token = code(device)
    sign_in(client, "coordinator")
    assert client.post(reverse("two_factor_verify"), {"token": token}).status_code == 302
    client.logout()
    sign_in(client, "coordinator")
    again = client.post(reverse("two_factor_verify"), {"token": token})
    assert again.status_code == 200 and "That code is not right, or has been used" in again.content.decode()


def test_a_backup_code_works_once(client, world):
    sign_in(client, "chair")
    client.get(reverse("two_factor_enrol"))
    device = TOTPDevice.objects.get(user=world.users["chair"])
    done = client.post(reverse("two_factor_enrol"), {"token": code(device)})
    backup = re.findall(r"<li><code>([0-9a-f]{8})</code></li>", done.content.decode())[0]
    client.logout()
    sign_in(client, "chair")
    assert client.post(reverse("two_factor_verify"), {"token": backup.upper()}).status_code == 302
    assert not StaticToken.objects.filter(token=backup).exists()
    client.logout()
    sign_in(client, "chair")
    assert client.post(reverse("two_factor_verify"), {"token": backup}).status_code == 200


def test_wrong_codes_slow_down_further_tries(client, world):
    device = enrolled(world.users["coordinator"])
    sign_in(client, "coordinator")
    for _ in range(3):
        client.post(reverse("two_factor_verify"), {"token": "000000" if code(device) != "000000" else "111111"})
    refused = client.post(reverse("two_factor_verify"), {"token": code(device)})
    assert refused.status_code == 200 and "wait a little longer each time" in refused.content.decode()


def test_verify_never_redirects_off_site(client, world):
    device = enrolled(world.users["coordinator"])
    sign_in(client, "coordinator")
    response = client.post(reverse("two_factor_verify"), {"token": code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_pages_are_for_signed_in_users_only(client, world):
    for name in ("two_factor_verify", "two_factor_enrol"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_sign_out_stays_reachable_before_the_code(client, world):
    enrolled(world.users["coordinator"])
    sign_in(client, "coordinator")
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and "_auth_user_id" not in client.session


# --- websockets: a session short of its second factor is anonymous to every consumer ------------------------


@pytest.mark.django_db(transaction=True)
async def test_a_socket_needs_the_second_factor_too(world):
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.test import Client

    from config.asgi import application

    def cookie(verified: bool) -> tuple[bytes, bytes]:
        client = Client()
        client.post(reverse("login"), {"username": "coordinator", "password": PASSWORD})
        if verified:
            device = TOTPDevice.objects.filter(user=world.users["coordinator"]).first() or enrolled(
                world.users["coordinator"])
            device.last_t = -1
            device.save()
            assert client.post(reverse("two_factor_verify"), {"token": code(device)}).status_code == 302
        return b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()

    path = f"/ws/meetings/{world.meeting.pk}/events"
    origin = (b"origin", b"http://127.0.0.1:8000")
    unverified = await sync_to_async(cookie)(False)
    communicator = WebsocketCommunicator(application, path, headers=[origin, unverified])
    connected, close_code = await communicator.connect()
    assert not connected and close_code == 4401
    verified = await sync_to_async(cookie)(True)
    communicator = WebsocketCommunicator(application, path, headers=[origin, verified])
    connected, _ = await communicator.connect()
    assert connected
    await communicator.disconnect()


def test_the_two_factor_pages_have_a_query_budget(client, world, django_assert_max_num_queries):
    enrolled(world.users["coordinator"])
    sign_in(client, "coordinator")
    with django_assert_max_num_queries(8):
        assert client.get(reverse("two_factor_verify")).status_code == 200
    client.logout()
    sign_in(client, "chair")
    with django_assert_max_num_queries(10):
        assert client.get(reverse("two_factor_enrol")).status_code == 200


def test_an_optional_user_costs_no_extra_queries_on_most_requests(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, "probation")
    client.get(reverse("agency_list"))
    with CaptureQueriesContext(connection) as enforced_ctx:
        client.get(reverse("agency_list"))
    with override_settings(TWO_FACTOR_ENFORCED=False), CaptureQueriesContext(connection) as off_ctx:
        client.get(reverse("agency_list"))
    assert len(enforced_ctx.captured_queries) == len(off_ctx.captured_queries)


def test_becoming_a_chair_takes_effect_within_a_minute(client, world):
    from tests.factories import MembershipFactory

    sign_in(client, "probation")
    assert client.get(reverse("home")).status_code == 200
    MembershipFactory(panel=world.panel, user=world.users["invited_partner"], role="chair")
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor_enrol"))
