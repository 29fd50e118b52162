"""The API against its own live OpenAPI schema (issue 7): schemathesis, bounded and with a fixed seed.

The schema is read from ``/api/schema/`` of the app itself (in-process WSGI, no server), then every operation
is called with generated input, signed in as the coordinator (session cookie + CSRF token), and each response
must be no 5xx, a documented status code, and match its documented schema. Bounded: a few dozen cases per
operation, deterministic (fixed seed, no example database), well under a minute.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

SEED = 20261123
MAX_EXAMPLES = 40
CSRF_SECRET = "matrixcsrfsecret0123456789abcdef"  # 32 characters: Django's unmasked CSRF secret form
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

CONFIG = SchemathesisConfig.from_dict({
    "seed": SEED,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    # examples + coverage (boundary values, missing and wrong-typed fields) + fuzzing; stateful is off (slow)
    "phases": {"stateful": {"enabled": False}},
})


# Read once, at collection, from the app itself (the schema view needs no database).
schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler(), config=CONFIG)


@pytest.fixture
def in_process(world):
    """Raw WSGI calls would close the test transaction's connection at the end of each request (Django's own
    test client disconnects these signals; so do we)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def coordinator_session(world) -> dict[str, dict[str, str]]:
    """Signed in as the coordinator: the session cookie, and a CSRF cookie + header for the writes."""
    client = Client()
    client.force_login(world.users["coordinator"])
    return {"cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF_SECRET},
            "headers": {"X-CSRFToken": CSRF_SECRET}}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_matches_its_schema(case, in_process, coordinator_session):
    case.call_and_validate(headers=coordinator_session["headers"], cookies=coordinator_session["cookies"],
                           checks=CHECKS)


# --- the error contract, by hand -------------------------------------------------------------------------
@pytest.mark.django_db
def test_bad_input_gets_a_400_naming_the_field_and_changes_nothing(world):
    from agendas import services as agenda_services
    from agendas.models import AgendaItem, Referral

    agenda_services.agenda_child_add(meeting=world.meeting, child=world.child, reason="Risk",
                                     actor=world.users["chair"])
    item = AgendaItem.objects.get(meeting=world.meeting, child=world.child)
    client = Client()
    client.force_login(world.users["coordinator"])

    def send(method, url, body):
        response = getattr(client, method)(url, json.dumps(body) if not isinstance(body, str) else body,
                                           content_type="application/json")
        return response.status_code, response.json()

    # types as the schema states them: no "1" for 1, no 5 for "5", no "yes" for true
    slot = f"/api/agenda-items/{item.pk}/slot/"
    status, body = send("patch", slot, {"version": str(item.version), "slot_start": "10:00", "slot_minutes": 15})
    assert status == 400 and list(body) == ["version"]
    status, body = send("post", "/api/referrals/", {"panel": world.panel.pk, "child": world.child.pk, "reason": 5})
    assert status == 400 and list(body) == ["reason"]
    status, body = send("post", "/api/referrals/", "{not json")
    assert status == 400 and isinstance(body["detail"], str)
    assert not Referral.objects.exists()
    item.refresh_from_db()
    assert item.slot_start is None
    # unknown addresses under /api/ answer in JSON
    response = client.get("/api/meetings/not-a-number/agenda/")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
