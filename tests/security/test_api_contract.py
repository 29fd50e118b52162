"""The API against its own live OpenAPI schema (issues 7 and 14): schemathesis, every conformance check, bounded
and with a fixed seed.

The schema is read from ``/api/schema/`` of the app itself (in-process WSGI, no server), then every operation is
called with generated input (positive and negative: explicit examples, the coverage phase's boundary values and
missing or wrong-typed parts, then fuzzing), once signed in as each persona below (the session cookie, the
schema's ``cookieAuth``, set by an auth provider so schemathesis knows it and can take it away; a CSRF cookie +
header for the writes). Every response must pass every check in ``CHECKS``: see docs/security.md ("The API
contract") for what each one asserts, and for the two left out and why. Deterministic (fixed seed, derandomised,
no example database) and bounded (``MAX_EXAMPLES`` per operation and persona).
"""

from __future__ import annotations

import json
from importlib import import_module

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
    use_after_free,
)

SEED = 20261123
MAX_EXAMPLES = 20
CSRF_SECRET = "matrixcsrfsecret0123456789abcdef"  # 32 characters: Django's unmasked CSRF secret form
# Every check schemathesis has for a single response (docs/security.md). Left out: ``max_response_time`` (no
# wall-clock assertions on a shared machine) and ``object_level_authorization`` (needs two identities inside one
# stateful scenario; need-to-know per object is the route matrix's job, tests/security/test_matrix.py).
# ``use_after_free`` and ``ensure_resource_availability`` run but only act on DELETE / create-then-read
# sequences of the stateful phase: the API has no DELETE, and stateful runs are off (see docs/security.md).
CHECKS = [
    not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
    response_schema_conformance, negative_data_rejection, positive_data_acceptance, missing_required_header,
    unsupported_method, allow_header_conformance, ignored_auth, use_after_free, ensure_resource_availability,
]
# Service staff who manage the panel (every write succeeds), a partner invited to the meeting (reads a part,
# writes answer 404), and another service's manager (nothing exists for them).
PERSONAS = ["coordinator", "invited_partner", "outsider"]

CONFIG = SchemathesisConfig.from_dict({
    "seed": SEED,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
    # examples + coverage (boundary values, missing and wrong-typed fields) + fuzzing; stateful is off (slow)
    "phases": {"stateful": {"enabled": False}},
    # a request that matches the schema is answered, refused as not the caller's (404), stale (409) or as breaking
    # a rule (422): never 400 (the schema then under-states a limit) and never 403 (every persona is signed in)
    "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "404", "409", "422"]}},
})


# Read once, at collection, from the app itself (the schema view needs no database).
schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler(), config=CONFIG)

# Schemathesis builds some cases (its coverage phase) at collection, before any persona signs in: the credentials
# it applies are a fixed session key, which ``signed_in`` gives to each test's persona.
SESSION_KEY = "apicontractsession0000000000000000"


@schema.auth(refresh_interval=None)
class SessionCookie:
    """The schema's ``cookieAuth``: Django's session cookie, plus the CSRF cookie its header is checked against.
    Applied by schemathesis, so its negative cases and the ``ignored_auth`` probes can send none or a bad one."""

    def get(self, case, context):
        return {"sessionid": SESSION_KEY, "csrftoken": CSRF_SECRET}

    def set(self, case, data, context):
        case.cookies = {**(case.cookies or {}), **data}


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


@pytest.fixture(params=PERSONAS)
def signed_in(request, world):
    """The persona's session, under the fixed key the cases carry."""
    client = Client()
    client.force_login(world.users[request.param])
    store = import_module(django_settings.SESSION_ENGINE).SessionStore
    session = store()
    session._session_cache = dict(client.session.items())  # set, not loaded: loading a new key would drop it
    session._session_key = SESSION_KEY
    session.save(must_create=True)
    return request.param


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_matches_its_schema(case, in_process, signed_in):
    case.call_and_validate(headers={"X-CSRFToken": CSRF_SECRET}, checks=CHECKS)


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
