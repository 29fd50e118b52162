"""The authorisation matrix: every route of the URL configuration and every websocket route, × every persona.

``routes()`` and ``websocket_routes()`` walk the live configuration; ``ROWS`` / ``WS_ROWS`` (in
tests/security/test_matrix.py) say what each persona must get. A route without a row fails the test, so a new
page, endpoint, feed or export cannot ship without someone deciding who may reach it.

A route's key is its full pattern, joined exactly as Django joins it in ``ResolverMatch.route`` (so a
concrete URL is checked to resolve to the row it stands for).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

PERSONAS = (
    "coordinator", "chair", "case_manager", "other_case_manager", "invited_partner", "uninvited_partner",
    "invited_yoi", "invited_stc", "guest", "deputy", "outsider", "anonymous",
)
# What each persona is, in the words of issue 7 (the child is held at the YOI; the STC holds the other child).
PERSONA_ROLES = {
    "coordinator": "coordinator of the service", "chair": "chair of the panel (a practitioner)",
    "case_manager": "case manager of the child", "other_case_manager": "case manager of another child",
    "invited_partner": "invited partner (probation)", "uninvited_partner": "uninvited partner (police)",
    "invited_yoi": "invited secure-estate user where the child is held",
    "invited_stc": "invited secure-estate user of another establishment",
    "guest": "police officer invited for the child's item only",
    "deputy": "police officer sent by the invited YOI user in their place (issue 14)",
    "outsider": "manager of another youth justice service", "anonymous": "not signed in",
}
SIGNED_IN = frozenset(PERSONAS) - {"anonymous"}

# --- outcomes ---------------------------------------------------------------------------------------
OK = 200
MISSING = 404
FORBIDDEN = 403
UNAUTHORISED = 401
NOT_ALLOWED = 405
BAD_REQUEST = 400
UNPROCESSABLE = 422  # the API: a schema-valid request that breaks a rule (an id the caller may not know)
LOGIN = "login"  # 302 to the sign-in page
REDIRECT = "redirect"  # 302 anywhere else
ACCEPT = "accept"  # websocket accepted
CLOSE = "close"  # websocket closed at connect


def outcome_of(response) -> Any:
    if response.status_code in (301, 302, 303):
        location = response.headers.get("Location", "")
        return LOGIN if "/login/" in location else REDIRECT
    return response.status_code


def who(allowed: Iterable[str], *, yes: Any = OK, no: Any = MISSING, anon: Any = LOGIN,
        **exceptions: Any) -> dict[str, Any]:
    """The expected outcome for every persona: ``yes`` for ``allowed``, ``no`` for the other signed-in
    personas, ``anon`` for anonymous; keyword arguments name single exceptions."""
    allowed = set(allowed)
    unknown = (allowed | set(exceptions)) - set(PERSONAS)
    assert not unknown, f"unknown personas {unknown}"
    table = {p: (yes if p in allowed else no) for p in PERSONAS if p != "anonymous"}
    table["anonymous"] = anon if "anonymous" not in allowed else yes
    table.update(exceptions)
    return table


def everyone(outcome: Any) -> dict[str, Any]:
    return dict.fromkeys(PERSONAS, outcome)


# --- rows ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One concrete URL standing for a route, and what every persona gets.

    ``get``: persona → outcome of one GET (every persona must be listed).
    ``refused``: persona → outcome of a write (``method``, ``data``) by someone who must not make it; the
    test checks the outcome and that nothing in the database changed.
    """

    url: Callable[[Any], str]
    get: dict[str, Any]
    refused: dict[str, Any] = field(default_factory=dict)
    method: str = "post"
    data: Callable[[Any], dict] | dict | None = None
    content_type: str | None = None
    label: str = ""
    query: str = ""

    def __post_init__(self):
        missing = set(PERSONAS) - set(self.get)
        assert not missing, f"row {self.label or self.url} has no outcome for {sorted(missing)}"


# --- walking the configuration ---------------------------------------------------------------------
def _join(route1: str, route2: str) -> str:
    """As django.urls.resolvers.URLResolver._join_route."""
    if not route1:
        return route2
    return route1 + route2.removeprefix("^")


def routes(patterns=None, prefix: str = "", prefix_rules: Iterable[str] = ()) -> list[str]:
    """Every URL pattern's full route, except those under a prefix rule (listed once, as the prefix)."""
    found: list[str] = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        key = _join(prefix, str(pattern.pattern))
        if any(key.startswith(rule) for rule in prefix_rules):
            rule = next(r for r in prefix_rules if key.startswith(r))
            if rule not in found:
                found.append(rule)
            continue
        if isinstance(pattern, URLResolver):
            found += [k for k in routes(pattern.url_patterns, key, prefix_rules) if k not in found]
        elif isinstance(pattern, URLPattern):
            found.append(key)
    return found


def websocket_routes() -> list[str]:
    """Every websocket route of the ASGI application (config/routing.py)."""
    from config.routing import websocket_urlpatterns

    return routes(websocket_urlpatterns)


# --- "nothing changed" -----------------------------------------------------------------------------
PROJECT_APPS = ("panels", "agendas", "minutes", "notifications")
VOLATILE_FIELDS = {"last_login"}  # force_login writes it
NOT_STATE = {"auditentry"}  # append-only log of reads; checked on its own where it matters


def fingerprint() -> str:
    """A digest of every row of every model of the project's apps (small worlds only)."""
    digest = hashlib.sha256()
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.model_name in NOT_STATE:
                continue
            names = [f.attname for f in model._meta.concrete_fields if f.attname not in VOLATILE_FIELDS]
            rows = model._default_manager.order_by("pk").values_list(*names)
            digest.update(f"{model._meta.label}:{list(rows)!r}".encode())
    return digest.hexdigest()


# --- the world ------------------------------------------------------------------------------------
@dataclass
class MatrixWorld:
    """The shared ``world`` plus one of everything a route can name."""

    w: Any
    item: Any = None  # the child's item on world.meeting's (published) agenda
    slot_link: Any = None  # someone invited for the child's slot only
    invitee: Any = None  # the invited partner's MeetingInvitee on world.meeting
    held: Any = None  # a held, closed meeting with approved minutes
    revision: Any = None
    correction: Any = None
    action: Any = None  # on the held meeting, for the child, owned by the YOI user
    other_action: Any = None
    date_request: Any = None  # the action's owner asks for a later due date
    cohort_import: Any = None
    referral: Any = None
    message: Any = None  # an outbox message about world.meeting
    entry: Any = None  # a calendar entry the invited partner holds a copy of
    feed_token: str = ""
    old_feed_token: str = ""
    reset_uid: str = ""
    reset_token: str = ""
    other_reset_uid: str = ""
    extras: dict = field(default_factory=dict)

    def __getattr__(self, name):  # world.meeting, world.child, ... read through
        if name == "w":
            raise AttributeError(name)
        return getattr(self.w, name)


def add_guest_and_deputy(world, meetings) -> None:
    """The guest (a police officer invited for the child's item only) and the deputy (a police officer whom the
    invited YOI user sent in their place) on each of ``meetings``, whose agendas list the child."""
    from agendas.models import AgendaItem, ItemInvitation
    from panels.enums import UserRole
    from tests.factories import InviteeFactory, UserFactory

    u = world.users
    if "guest" not in u:
        u["guest"] = UserFactory(username="guest", agency=world.police, role=UserRole.PARTNER)
        u["deputy"] = UserFactory(username="deputy", agency=world.police, role=UserRole.PARTNER)
    for meeting in meetings:
        guest = InviteeFactory(meeting=meeting, user=u["guest"])
        ItemInvitation.objects.create(item=AgendaItem.objects.get(meeting=meeting, child=world.child), invitee=guest)
        InviteeFactory(meeting=meeting, user=u["deputy"], agency=world.yoi,
                       delegate_of=meeting.invitees.get(user=u["invited_yoi"]))


def build_matrix_world(world) -> MatrixWorld:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils import timezone
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from agendas import services as agenda_services
    from agendas.models import AgendaItem
    from minutes import services as minutes_services
    from notifications.feeds import feed_token_create
    from notifications.models import CalendarCopy, CalendarEntry, OutboxMessage
    from panels import services as panel_services
    from panels.enums import MeetingStatus, UserRole
    from panels.models import CohortImport
    from tests.factories import InviteeFactory, MeetingFactory, UserFactory

    w = world
    u = w.users
    chair = u["chair"]
    m = MatrixWorld(w)

    # world.meeting (scheduled): both children listed, the agenda published, a slot-only invitee
    for child in (w.child, w.other_child):
        agenda_services.agenda_child_add(meeting=w.meeting, child=child, reason="Risk", actor=chair)
    agenda_services.agenda_publish(meeting=w.meeting, actor=chair)
    m.item = AgendaItem.objects.get(meeting=w.meeting, child=w.child)
    m.slot_link = agenda_services.item_invitation_add(item=m.item, actor=chair, name="Sam Teacher",
                                                      email="teacher@school.example")
    m.invitee = w.meeting.invitees.get(user=u["invited_partner"])

    # a meeting whose invites went out (calendar entries and copies), for the reply links
    sent = MeetingFactory(panel=w.panel, status=MeetingStatus.DRAFT,
                          starts_at=w.meeting.starts_at + timedelta(days=56),
                          ends_at=w.meeting.ends_at + timedelta(days=56))
    for key in ("invited_partner", "invited_yoi", "invited_stc"):
        InviteeFactory(meeting=sent, user=u[key])
    panel_services.meeting_schedule(meeting=sent, actor=chair)
    m.entry = CalendarEntry.objects.get(meeting=sent, item=None)
    assert CalendarCopy.objects.filter(entry=m.entry, email__iexact=u["invited_partner"].email).exists()
    m.extras["sent_meeting"] = sent

    # a held meeting: records, an action, approved minutes and a correction request
    held = MeetingFactory(panel=w.panel, status=MeetingStatus.IN_PROGRESS,
                          starts_at=w.meeting.starts_at - timedelta(days=28),
                          ends_at=w.meeting.ends_at - timedelta(days=28))
    for key in ("invited_partner", "invited_yoi", "invited_stc"):
        InviteeFactory(meeting=held, user=u[key])
    for position, child in enumerate((w.child, w.other_child), start=1):
        AgendaItem.objects.create(meeting=held, child=child, position=position)
    minutes_services.decision_record(meeting=held, actor=chair, child=w.child, text="Keep on the panel")
    m.action = minutes_services.action_create(
        meeting=held, actor=chair, child=w.child, description="Book a pre-release visit", owner_agency=w.yoi,
        owner=u["invited_yoi"], due_date=held.local_date + timedelta(days=14))
    m.other_action = minutes_services.action_create(
        meeting=held, actor=chair, child=w.other_child, description="Confirm the placement", owner_agency=w.stc,
        owner=u["invited_stc"], due_date=held.local_date + timedelta(days=14))
    m.date_request = minutes_services.due_date_request(
        action=m.action, actor=u["invited_yoi"], reason="The visit moved",
        new_due_date=max(m.action.due_date, timezone.localdate()) + timedelta(days=14))
    add_guest_and_deputy(w, [w.meeting, held])
    held.status = MeetingStatus.CLOSED
    held.save()
    m.revision = minutes_services.minutes_approve(meeting=held, actor=chair)
    m.correction = minutes_services.correction_request(revision=m.revision, actor=u["invited_partner"],
                                                       text="The visit is on Tuesday.")
    m.held = held

    # the child's resettlement record: a network member (a contact without a login), a pathway and a plan row
    from panels import record_services

    parent = record_services.network_member_add(child=w.child, actor=u["coordinator"], role="parent_carer",
                                                name="Pat Parent", email="parent@home.example")
    pathway = record_services.pathway_add(service=w.service, name="Accommodation", actor=u["coordinator"])
    m.extras["network_member"] = parent
    m.extras["plan_row"] = record_services.plan_row_save(child=w.child, actor=u["coordinator"], pathway=pathway,
                                                         setting="custody", goal="A place to live", who_member=parent)

    # a statutory meeting about the child (issue 16, point 2), planned with the parent invited
    from datetime import datetime as _datetime

    from django.utils import timezone as _tz

    from panels import child_meeting_services

    starts = _tz.make_aware(_datetime(2027, 1, 12, 10, 0))
    m.extras["child_meeting"] = child_meeting_services.child_meeting_plan(
        child=w.child, actor=u["case_manager"], kind="initial_planning", starts_at=starts,
        ends_at=starts + timedelta(hours=1), place="establishment", members=[parent], staff=[u["case_manager"]])

    # a board pack PDF the chair prepared (made; agendas/oversight/board_files.py), listing no child
    from agendas.models import BoardPackFile

    m.extras["board_file"] = BoardPackFile.objects.create(
        service=w.service, requested_by=chair, period=f"{timezone.localdate():%Y-%m}", audience="full",
        status=BoardPackFile.Status.DONE, requested_at=timezone.now(), finished_at=timezone.now(),
        pdf=b"%PDF-1.7\n%%EOF\n", children=[])

    m.cohort_import = CohortImport.objects.create(service=w.service, uploaded_by=u["coordinator"],
                                                  filename="cohort.csv", source="reference\n")
    m.referral = agenda_services.referral_create(panel=w.panel, child=w.child, reason="Release soon",
                                                 actor=u["case_manager"])
    m.message = OutboxMessage.objects.filter(meeting=w.meeting).order_by("pk").first()
    assert m.message is not None and m.message.panel_id is not None, "publishing should have written mail"

    partner = u["invited_partner"]
    m.old_feed_token = feed_token_create(user=partner)
    m.feed_token = feed_token_create(user=partner)  # the first one is dead now
    # password reset: someone who never signs in here (a sign-in changes last_login, which voids the token)
    forgetful = UserFactory(username="forgetful", agency=w.probation, role=UserRole.PARTNER)
    m.reset_uid = urlsafe_base64_encode(force_bytes(forgetful.pk))
    m.reset_token = default_token_generator.make_token(forgetful)
    m.other_reset_uid = urlsafe_base64_encode(force_bytes(partner.pk))
    return m


def tampered(token: str) -> str:
    """The same token with one character of its signature changed."""
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")
