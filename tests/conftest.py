"""Shared fixtures: a small service with personas for every access rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from panels.enums import AgencyKind, LegalStatus, MeetingStatus, MembershipRole, UserRole
from tests.factories import (
    AgencyFactory,
    ChildFactory,
    EpisodeFactory,
    InviteeFactory,
    MeetingFactory,
    MembershipFactory,
    PanelFactory,
    UserFactory,
)


@dataclass
class World:
    service: object
    other_service: object
    yoi: object
    stc: object
    probation: object
    police: object
    panel: object
    meeting: object
    draft_meeting: object
    child: object  # held at the YOI, case-managed by case_manager
    other_child: object  # held at the STC, another case manager
    users: dict


PERSONAS = [
    "coordinator", "chair", "case_manager", "other_case_manager", "invited_partner", "uninvited_partner",
    "invited_yoi", "invited_stc", "outsider", "anonymous",
]


@pytest.fixture
def world(db) -> World:
    service = AgencyFactory(name="Northbridge Youth Justice Service", kind=AgencyKind.YJS)
    other_service = AgencyFactory(name="Southmere Youth Justice Service", kind=AgencyKind.YJS)
    yoi = AgencyFactory(name="HMYOI Larkhollow", short_name="Larkhollow", kind=AgencyKind.SECURE_ESTATE,
                        establishment_type="yoi")
    stc = AgencyFactory(name="Fenmoor Secure Training Centre", kind=AgencyKind.SECURE_ESTATE, establishment_type="stc")
    probation = AgencyFactory(name="Probation Service", kind=AgencyKind.PROBATION)
    police = AgencyFactory(name="Northbridge Police", kind=AgencyKind.POLICE)
    users = {
        "coordinator": UserFactory(username="coordinator", agency=service, role=UserRole.COORDINATOR),
        "chair": UserFactory(username="chair", agency=service, role=UserRole.PRACTITIONER),
        "case_manager": UserFactory(username="cm", agency=service, role=UserRole.CASE_MANAGER),
        "other_case_manager": UserFactory(username="cm2", agency=service, role=UserRole.CASE_MANAGER),
        "invited_partner": UserFactory(username="probation", agency=probation, role=UserRole.PARTNER),
        "uninvited_partner": UserFactory(username="police", agency=police, role=UserRole.PARTNER),
        "invited_yoi": UserFactory(username="yoi", agency=yoi, role=UserRole.PARTNER),
        "invited_stc": UserFactory(username="stc", agency=stc, role=UserRole.PARTNER),
        "outsider": UserFactory(username="outsider", agency=other_service, role=UserRole.MANAGER),
    }
    panel = PanelFactory(service=service, name="High Risk Panel")
    MembershipFactory(panel=panel, user=users["chair"], role=MembershipRole.CHAIR)
    meeting = MeetingFactory(panel=panel, status=MeetingStatus.SCHEDULED)
    draft = MeetingFactory(panel=panel, status=MeetingStatus.DRAFT,
                           starts_at=meeting.starts_at + timedelta(days=28),
                           ends_at=meeting.ends_at + timedelta(days=28))
    for key in ("invited_partner", "invited_yoi", "invited_stc"):
        InviteeFactory(meeting=meeting, user=users[key])
        InviteeFactory(meeting=draft, user=users[key])
    child = ChildFactory(service=service, reference="YJ-0001", case_manager=users["case_manager"],
                         legal_status=LegalStatus.SENTENCED)
    EpisodeFactory(child=child, establishment=yoi, establishment_type="yoi")
    other_child = ChildFactory(service=service, reference="YJ-0002", case_manager=users["other_case_manager"],
                               legal_status=LegalStatus.SENTENCED)
    EpisodeFactory(child=other_child, establishment=stc, establishment_type="stc")
    return World(service, other_service, yoi, stc, probation, police, panel, meeting, draft, child, other_child,
                 users)


@pytest.fixture
def login(client):
    """Sign a persona in on the test client (``anonymous`` signs nobody in)."""

    def _login(world: World, persona: str):
        client.logout()
        if persona != "anonymous":
            client.force_login(world.users[persona])
        return client

    return _login


@pytest.fixture(autouse=True)
def _fresh_channel_layers():
    """Each test gets channel layers of its own. A channels-redis layer keeps per-event-loop state (its receive lock
    and buffers, its pub/sub shards); pytest-asyncio gives each test a new loop, so a layer a test left behind
    could hold a lock of a loop that no longer runs and make the next test's sockets wait forever."""
    from channels.layers import channel_layers

    yield
    channel_layers.backends.clear()


@pytest.fixture(scope="session", autouse=True)
def _release_test_database(django_db_setup, django_db_blocker):
    """PostgreSQL shape: before the test database is dropped, end the sessions that worker threads of
    async tests may still hold (asgiref runs sync code in threads whose connections outlive the test)."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")


# ==================================================================================================
# Child-identifier guard (issue 6): no message the suite sends may name a child
# --------------------------------------------------------------------------------------------------
# For every test: each OutboxMessage saved (post_save) is checked at once, against the children in the
# database at that moment (queried on the same connection, so it works inside the ``db`` fixture's
# transaction, and hidden from django_assert_num_queries); at teardown each message added to
# django.core.mail.outbox is checked against every child seen during the test. A child's full name
# ("given family", "preferred family") may appear in no subject, body or calendar object; a child's
# reference in no subject or calendar object (bodies may carry the reference). A leak fails the test right
# after its body (pytest_runtest_call below) and, for messages sent later, at teardown. Cheap: nothing is
# queried unless a message is saved. Self-tests: tests/notifications/test_outbox.py::test_the_child_guard_*.
# ==================================================================================================
import html as _html  # noqa: E402
import re as _re  # noqa: E402


class ChildIdentifierLeak(AssertionError):
    """A message names a child (or shows a child's reference where it must not)."""


def _normalise(text: str) -> str:
    return " ".join(str(text or "").split()).casefold()


def _found(needle: str, haystack: str) -> bool:
    # the substring test first: most needles are in no message, and it is far cheaper than the regex
    return bool(needle) and needle in haystack and _re.search(
        rf"(?<!\w){_re.escape(needle)}(?!\w)", haystack) is not None


def ics_plain_text(ics: bytes | str) -> str:
    """An iCalendar object as searchable text: folding undone and TEXT escapes (\\, \\; \\n \\\\) read."""
    text = ics.decode("utf-8", "replace") if isinstance(ics, bytes) else str(ics)
    text = _re.sub(r"\r?\n[ \t]", "", text)
    return _re.sub(r"\\([\\;,nN])", lambda m: " " if m.group(1) in "nN" else m.group(1), text)


def _html_text(markup: str) -> str:
    return _html.unescape(_re.sub(r"<[^>]*>", " ", markup or ""))


def message_leaks(*, label: str, subject: str = "", bodies: tuple[str, ...] = (), ics: tuple[str, ...] = (),
                  names: set[str] | frozenset[str] = frozenset(),
                  references: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """What in one message names a child: names anywhere, references in the subject and calendar only."""
    leaks = []
    subject_n = _normalise(subject)
    for needle in sorted(names | references):
        if _found(needle, subject_n):
            leaks.append(f"{label}: subject {subject!r} contains {needle!r}")
    for body in bodies:
        body_n = _normalise(body)
        leaks += [f"{label}: body contains the name {n!r}" for n in sorted(names) if _found(n, body_n)]
    for calendar in ics:
        lines = [(line, _normalise(line)) for line in ics_plain_text(calendar).splitlines()]
        for needle in sorted(names | references):
            hits = [line.split(":", 1)[0].split(";", 1)[0] for line, line_n in lines if _found(needle, line_n)]
            if hits:
                fields = ", ".join(sorted(set(hits)))
                leaks.append(f"{label}: calendar object contains {needle!r} (in {fields})")
    return leaks


class ChildGuard:
    """The per-test recorder behind the autouse fixture ``child_identifier_guard``."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.references: set[str] = set()
        self.findings: list[str] = []
        self.messages_checked = 0
        self._mail_seen: set[int] = set()
        self._mail_kept: list = []  # keeps seen messages alive so their id() is never reused

    def learn(self, given: str, preferred: str, family: str, reference: str) -> None:
        for first in (given, preferred):
            if first and family:
                self.names.add(_normalise(f"{first} {family}"))
        if reference:
            self.references.add(_normalise(reference))

    def learn_from_database(self, using: str) -> None:
        from django.db import connections

        from panels.models import Child

        connection = connections[using]
        logged = len(connection.queries_log)
        rows = list(Child.objects.using(using).values_list("given_name", "preferred_name", "family_name",
                                                           "reference"))
        while len(connection.queries_log) > logged:  # not the test's query: keep query-count assertions true
            connection.queries_log.pop()
        for row in rows:
            self.learn(*row)

    # signal receivers
    def child_saved(self, sender, instance, **kwargs) -> None:
        self.learn(instance.given_name, instance.preferred_name, instance.family_name, instance.reference)

    def outbox_saved(self, sender, instance, using=None, **kwargs) -> None:
        self.learn_from_database(using or "default")
        self.messages_checked += 1
        self.findings += message_leaks(
            label=f"OutboxMessage {instance.kind} to {instance.to}", subject=instance.subject,
            bodies=(instance.body_text, _html_text(instance.body_html)), ics=(instance.ics,) if instance.ics else (),
            names=self.names, references=self.references)

    def mail_outbox_seen(self) -> None:
        from django.core import mail

        for message in getattr(mail, "outbox", []):
            self._mail_seen.add(id(message))
            self._mail_kept.append(message)

    def check_mail_outbox(self) -> None:
        from django.core import mail

        for message in getattr(mail, "outbox", []):
            if id(message) in self._mail_seen:
                continue
            self._mail_seen.add(id(message))
            self._mail_kept.append(message)
            self.messages_checked += 1
            bodies, calendars = [str(message.body or "")], []
            for content, mimetype in [(a[0], a[1]) for a in getattr(message, "alternatives", [])]:
                text = content.decode("utf-8", "replace") if isinstance(content, bytes) else str(content)
                (calendars if "calendar" in mimetype else bodies).append(
                    _html_text(text) if "html" in mimetype else text)
            for attachment in getattr(message, "attachments", []):
                if isinstance(attachment, tuple) and len(attachment) == 3:
                    filename, content, mimetype = attachment
                    if (filename or "").endswith(".ics") or "calendar" in (mimetype or "") or "ics" in (mimetype or ""):
                        calendars.append(content.decode("utf-8", "replace") if isinstance(content, bytes)
                                         else str(content))
            self.findings += message_leaks(label=f"email to {', '.join(message.to)}", subject=str(message.subject),
                                           bodies=tuple(bodies), ics=tuple(calendars), names=self.names,
                                           references=self.references)

    def check(self) -> None:
        """Raise ChildIdentifierLeak listing every leak recorded so far."""
        self.check_mail_outbox()
        if self.findings:
            raise ChildIdentifierLeak("Messages name a child (issue 6: no child identifiers):\n  "
                                      + "\n  ".join(dict.fromkeys(self.findings)))

    def reset(self) -> None:
        """Forget recorded leaks (the guard's own self-test leaks on purpose)."""
        self.findings.clear()
        self.mail_outbox_seen()


@pytest.fixture(autouse=True)
def child_identifier_guard():
    from django.db.models.signals import post_save

    from notifications.models import OutboxMessage
    from panels.models import Child

    guard = ChildGuard()
    guard.mail_outbox_seen()  # what an earlier test left behind is not this test's doing
    uid = f"child-identifier-guard-{id(guard)}"
    post_save.connect(guard.child_saved, sender=Child, weak=False, dispatch_uid=f"{uid}-child")
    post_save.connect(guard.outbox_saved, sender=OutboxMessage, weak=False, dispatch_uid=f"{uid}-outbox")
    try:
        yield guard
    finally:
        post_save.disconnect(sender=Child, dispatch_uid=f"{uid}-child")
        post_save.disconnect(sender=OutboxMessage, dispatch_uid=f"{uid}-outbox")
    leak = None
    try:
        guard.check()  # messages sent after the test body (fixture teardown, on_commit hooks)
    except ChildIdentifierLeak as error:
        leak = str(error)
    if leak:
        pytest.fail(leak, pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Check right after the test body, so a leak fails the test itself (not only its teardown)."""
    result = yield
    guard = getattr(item, "funcargs", {}).get("child_identifier_guard")
    if isinstance(guard, ChildGuard):
        try:
            guard.check()
        finally:
            guard.reset()  # reported once, here
    return result


JOB_THREAD_JOIN_SECONDS = 60


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    """A background job the test started (embedded shape: a daemon thread of this process, named "<kind>-<id>" by
    ``panels.jobs.run_job``) finishes before the test's fixtures are torn down, so it can neither write rows after
    the test's database is flushed nor hold SQLite's write lock while the next test in this worker runs."""
    import threading

    from panels.jobs import JOB_KINDS

    for thread in threading.enumerate():
        if thread is threading.current_thread() or thread.name.rpartition("-")[0] not in JOB_KINDS:
            continue
        thread.join(JOB_THREAD_JOIN_SECONDS)
        if thread.is_alive():
            pytest.fail(f"background job {thread.name} still running {JOB_THREAD_JOIN_SECONDS} s after the test",
                        pytrace=False)


# ==================================================================================================
# The production shape runs what the shape can change
# --------------------------------------------------------------------------------------------------
# CI runs the suite twice: embedded (SQLite + in-memory layer) and production (PostgreSQL + Redis). A test that can
# reach neither a database nor a channel layer (pure rules, working days, iCalendar parsing, settings checked in a
# subprocess of its own...) gives the same answer in both, so the production shape leaves it to the embedded run: it
# is deselected here (pytest reports it as deselected), never lost. CONVENE_EVERY_TEST_IN_EVERY_SHAPE=1 keeps them.
_DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                      "live_server", "async_db"}


def _shape_independent(item) -> bool:
    return not (_DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))) \
        and item.get_closest_marker("django_db") is None and item.get_closest_marker("asyncio") is None \
        and item.get_closest_marker("redis") is None and item.get_closest_marker("postgres") is None


def pytest_collection_modifyitems(config, items):
    import os

    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" or not settings.REDIS_URL \
            or os.environ.get("CONVENE_EVERY_TEST_IN_EVERY_SHAPE"):
        return
    independent = [item for item in items if _shape_independent(item)]
    if independent:
        config.hook.pytest_deselected(items=independent)
        items[:] = [item for item in items if not _shape_independent(item)]
