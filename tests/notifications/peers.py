"""Real peers for the calendar and email tests: an SMTP server (aiosmtpd), a CalDAV server (Radicale, as a
subprocess) and four independent iCalendar parsers.

Fixtures here are imported by the test modules that use them (``from tests.notifications.peers import …``).

- ``smtp_server``: an aiosmtpd server on a free loopback port, with ``settings.OUTBOX_TRANSPORT_BACKEND``
  pointed at Django's SMTP backend. ``stop()`` makes the port refuse connections; ``start()`` brings the
  server back on the *same* port (what a mail relay coming back after an outage looks like).
- ``radicale``: a Radicale 3 server in its own process with a throwaway storage folder; spoken to in raw
  HTTP (never the ``caldav`` client library: it installs urllib3-future, which breaks the venv).
- ``utc_starts``: what icalendar, vobject, ics and recurring-ical-events each make of an object's
  DTSTART/DTEND, in UTC. vobject keeps a process-wide TZID registry, so it is cleared first and the
  VTIMEZONE in the object itself is what vobject reads.
"""

from __future__ import annotations

import base64
import email
import http.client
import os
import socket
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_refuses(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) != 0


# --- SMTP ------------------------------------------------------------------------------------------
class SmtpInbox:
    """aiosmtpd handler: keeps every envelope; can be told to answer DATA with a temporary failure."""

    def __init__(self) -> None:
        self.envelopes: list = []  # accepted (250)
        self.refused: list = []  # answered with anything else: the sender must not count them as sent
        self.data_reply = "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        (self.envelopes if self.data_reply.startswith("250") else self.refused).append(envelope)
        return self.data_reply

    def refused_messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(e.content, policy=policy.default) for e in self.refused]


class SmtpServer:
    """A real SMTP server on a fixed loopback port that can be stopped (connections refused) and restarted."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.inbox = SmtpInbox()
        self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> SmtpServer:
        from aiosmtpd.controller import Controller

        if self._controller is None:
            controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
            deadline = time.monotonic() + 10
            while True:  # the port was ours a moment ago; the kernel may take a moment to release it
                try:
                    controller.start()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            self._controller = controller
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def envelopes(self) -> list:
        return self.inbox.envelopes

    def messages(self) -> list[EmailMessage]:
        """Every message received, parsed from the raw bytes the server got."""
        return [email.message_from_bytes(e.content, policy=policy.default) for e in self.inbox.envelopes]

    def clear(self) -> None:
        self.inbox.envelopes.clear()


def smtp_settings(settings, port: int) -> None:
    settings.OUTBOX_TRANSPORT_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.OUTBOX_DELIVER_ON_COMMIT = False  # the tests call outbox_deliver themselves, with their own clock


@pytest.fixture
def smtp_server(settings):
    """A running aiosmtpd server that the outbox delivers to (nothing delivers until a test asks)."""
    server = SmtpServer().start()
    smtp_settings(settings, server.port)
    try:
        yield server
    finally:
        server.stop()


def calendar_parts(message: EmailMessage) -> list[EmailMessage]:
    return [part for part in message.walk() if part.get_content_type() == "text/calendar"]


# --- CalDAV (Radicale) -----------------------------------------------------------------------------
def radicale_missing_reason() -> str | None:
    try:
        import radicale  # noqa: F401
    except ImportError as exc:  # pragma: no cover - only on a machine without the test extras
        return f"radicale is not installed ({exc}); pip install -e '.[test]' for the CalDAV round trip"
    return None


needs_radicale = pytest.mark.skipif(radicale_missing_reason() is not None, reason=radicale_missing_reason() or "")


@dataclass
class DavResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class DavObject:
    href: str
    etag: str
    data: str


@dataclass
class RadicaleServer:
    """A Radicale server in a subprocess; raw HTTP with Basic auth as ``user`` (auth type none)."""

    root: Path
    port: int = field(default_factory=free_port)
    user: str = "panel"
    process: subprocess.Popen | None = None

    def start(self) -> RadicaleServer:
        config = self.root / "radicale.conf"
        storage = self.root / "collections"
        storage.mkdir(parents=True, exist_ok=True)
        config.write_text(textwrap.dedent(f"""\
            [server]
            hosts = 127.0.0.1:{self.port}
            [auth]
            type = none
            [rights]
            type = owner_only
            [storage]
            filesystem_folder = {storage}
            [web]
            type = none
            [logging]
            level = warning
            """))
        self.log = (self.root / "radicale.log").open("wb")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
        self.process = subprocess.Popen([sys.executable, "-m", "radicale", "--config", str(config)],
                                        stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=self.root)
        deadline = time.monotonic() + 20
        while port_refuses(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Radicale did not start: {(self.root / 'radicale.log').read_text()[-2000:]}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        if getattr(self, "log", None) is not None:
            self.log.close()
            self.log = None

    def request(self, method: str, path: str, body: bytes | str = b"", headers: dict | None = None) -> DavResponse:
        if isinstance(body, str):
            body = body.encode()
        token = base64.b64encode(f"{self.user}:x".encode()).decode()
        sent = {"Authorization": f"Basic {token}", **(headers or {})}
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            connection.request(method, path, body=body or None, headers=sent)
            response = connection.getresponse()
            return DavResponse(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            connection.close()

    # the few CalDAV calls a client makes for an invite
    def make_calendar(self, name: str = "meetings") -> str:
        path = f"/{self.user}/{name}/"
        response = self.request("MKCALENDAR", path)
        assert response.status == 201, response.text
        return path

    def put(self, href: str, ics: bytes | str, *, etag: str | None = None) -> DavResponse:
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        if etag:
            headers["If-Match"] = etag
        return self.request("PUT", href, ics, headers)

    def get(self, href: str) -> DavResponse:
        return self.request("GET", href)

    def delete(self, href: str, *, etag: str | None = None) -> DavResponse:
        return self.request("DELETE", href, headers={"If-Match": etag} if etag else None)

    def query(self, calendar: str, start: datetime, end: datetime) -> list[DavObject]:
        """A CalDAV calendar-query REPORT for VEVENTs overlapping [start, end) (RFC 4791 §7.8)."""
        body = f"""<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="{start.astimezone(UTC):%Y%m%dT%H%M%SZ}" end="{end.astimezone(UTC):%Y%m%dT%H%M%SZ}"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""
        response = self.request("REPORT", calendar, body,
                                {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"})
        assert response.status == 207, response.text
        return multistatus_objects(response.body)


def multistatus_objects(body: bytes) -> list[DavObject]:
    ns = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav"}
    found = []
    for item in ET.fromstring(body).findall("D:response", ns):
        data = item.find(".//C:calendar-data", ns)
        if data is None or not (data.text or "").strip():
            continue
        etag = item.find(".//D:getetag", ns)
        found.append(DavObject(href=item.findtext("D:href", "", ns), etag=etag.text if etag is not None else "",
                               data=data.text))
    return found


@pytest.fixture
def radicale(tmp_path):
    """A fresh Radicale server (about half a second to start) with an empty storage folder."""
    if reason := radicale_missing_reason():
        pytest.skip(reason)
    server = RadicaleServer(root=tmp_path / "radicale").start()
    try:
        yield server
    finally:
        server.stop()


def as_caldav_resource(ics: bytes | str) -> bytes:
    """What a calendar client stores from an iMIP message: the object without its iTIP METHOD
    (RFC 4791 §4.1: calendar object resources MUST NOT carry METHOD)."""
    import icalendar

    calendar = icalendar.Calendar.from_ical(ics)
    calendar.pop("METHOD", None)
    return calendar.to_ical()


# --- independent parsers ---------------------------------------------------------------------------
def vobject_forget_timezones() -> None:
    """vobject keeps the first VTIMEZONE it saw per TZID for the life of the process; forget them so the
    object under test is read with its own VTIMEZONE, whatever ran before."""
    import vobject

    registry = vars(vobject.icalendar)["__tzidMap"]
    for tzid in [key for key in registry if key != "UTC"]:
        registry.pop(tzid, None)


def _utc(value) -> datetime:
    assert isinstance(value, datetime) and value.tzinfo is not None, f"not an aware date-time: {value!r}"
    return value.astimezone(UTC)


def times_icalendar(ics: bytes) -> list[tuple[datetime, datetime]]:
    import icalendar

    return [(_utc(e.start), _utc(e.end)) for e in icalendar.Calendar.from_ical(ics).walk("VEVENT")]


def times_vobject(ics: bytes) -> list[tuple[datetime, datetime]]:
    import vobject

    vobject_forget_timezones()
    calendar = vobject.readOne(ics.decode())
    events = calendar.contents.get("vevent", [])
    return [(_utc(e.dtstart.value), _utc(e.dtend.value)) for e in events]


def times_ics(ics: bytes) -> list[tuple[datetime, datetime]]:
    import ics as ics_py

    calendar = ics_py.Calendar(ics.decode())
    return [(_utc(e.begin.datetime), _utc(e.end.datetime)) for e in sorted(calendar.events, key=lambda e: e.begin)]


def times_recurring(ics: bytes, around: datetime) -> list[tuple[datetime, datetime]]:
    import icalendar
    import recurring_ical_events

    calendar = icalendar.Calendar.from_ical(ics)
    window = recurring_ical_events.of(calendar).between(around - timedelta(days=2), around + timedelta(days=2))
    return [(_utc(e["DTSTART"].dt), _utc(e["DTEND"].dt)) for e in window]


def utc_times(ics: bytes, around: datetime) -> dict[str, list[tuple[datetime, datetime]]]:
    """Each parser's reading of every VEVENT's (start, end), in UTC."""
    return {
        "icalendar": sorted(times_icalendar(ics)),
        "vobject": sorted(times_vobject(ics)),
        "ics": sorted(times_ics(ics)),
        "recurring-ical-events": sorted(times_recurring(ics, around)),
    }


def unfolded_lines(ics: bytes | str) -> list[str]:
    """Content lines with RFC 5545 folding undone."""
    text = ics.decode() if isinstance(ics, bytes) else ics
    return text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")
