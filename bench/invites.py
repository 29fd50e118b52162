"""Benchmark: calendar feeds and outbox delivery.

    .venv/bin/python bench/invites.py [--meetings 1000] [--messages 2000]

1. A person invited to N meetings (a fifth of them for one child's slot only, a tenth cancelled) reads
   their calendar feed through Django's test client: SQL queries (must not grow with N), time, and the
   ratio of that time to serialising the same events with icalendar alone (the ``EventData`` already
   built, so the ratio is what our queries, assembly and HTTP cost on top of the library). Medians.
2. The outbox drains M invitation emails (multipart with text, HTML, text/calendar and an .ics
   attachment) to a real SMTP server on loopback (aiosmtpd, a separate thread): messages per minute.
"""

from __future__ import annotations

import argparse
import socket
import time
from datetime import timedelta

from _setup import django_setup, timed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    django_setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from icalendar import Calendar, Event

    from agendas.models import AgendaItem, ItemInvitation
    from notifications.feeds import feed_events, feed_token_create
    from notifications.ical import _local_or_utc
    from notifications.models import OutboxMessage
    from notifications.outbox import outbox_deliver, outbox_enqueue
    from panels.enums import AgencyKind, MeetingStatus, PanelKind, UserRole
    from panels.models import Agency, Child, Meeting, MeetingInvitee, Panel, User

    settings.ALLOWED_HOSTS = ["*"]
    settings.OUTBOX_DELIVER_ON_COMMIT = False
    settings.TWO_FACTOR_ENFORCED = False
    service = Agency.objects.create(name="Benchfield YJS", kind=AgencyKind.YJS)
    probation = Agency.objects.create(name="Benchfield Probation", kind=AgencyKind.PROBATION)
    officer = User.objects.create(username="officer", email="officer@probation.example", agency=probation,
                                  role=UserRole.PARTNER)
    panels = [Panel.objects.create(service=service, name=f"Panel {k}", kind=kind, mailbox="panels@bench.example")
              for k, kind in enumerate(PanelKind.values)]
    child = Child.objects.create(service=service, reference="BX-000001", given_name="Bench", family_name="Child",
                                 date_of_birth=timezone.localdate() - timedelta(days=15 * 365),
                                 legal_status="sentenced")
    start = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
    meetings = Meeting.objects.bulk_create([
        Meeting(panel=panels[n % len(panels)], starts_at=start + timedelta(days=n // len(panels), hours=n % 3),
                ends_at=start + timedelta(days=n // len(panels), hours=n % 3 + 2), location=f"Room {n % 9}",
                status=MeetingStatus.CANCELLED if n % 10 == 0 else MeetingStatus.SCHEDULED)
        for n in range(args.meetings)])
    invitees = MeetingInvitee.objects.bulk_create([
        MeetingInvitee(meeting=m, user=officer, agency=probation, name="Olu Officer", email=officer.email)
        for m in meetings])
    items = AgendaItem.objects.bulk_create([AgendaItem(meeting=m, child=child, slot_start=(start + timedelta(
        minutes=30)).time(), slot_minutes=20) for m in meetings[::5]])
    ItemInvitation.objects.bulk_create([ItemInvitation(item=item, invitee=invitee)
                                        for item, invitee in zip(items, invitees[::5], strict=True)])
    token = feed_token_create(user=officer)
    client = Client()
    url = f"/feeds/{token}.ics"
    client.get(url)  # warm up (the token's last-used time is written once in ten minutes)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    query_count = len(queries)  # now: the next request resets Django's query log
    events = feed_events(user=officer)

    def icalendar_alone() -> bytes:
        calendar = Calendar()
        calendar.add("prodid", "-//bench//EN")
        calendar.add("version", "2.0")
        for data in events:
            event = Event()
            event.add("uid", data.uid)
            event.add("dtstamp", timezone.now())
            event.add("sequence", data.sequence)
            event.add("summary", data.summary)
            event.add("dtstart", _local_or_utc(data.starts_at))
            event.add("dtend", _local_or_utc(data.ends_at))
            event.add("location", data.location)
            event.add("description", data.description)
            event.add("url", data.url)
            event.add("status", "CANCELLED" if data.cancelled else "CONFIRMED")
            calendar.add_component(event)
        return calendar.to_ical()

    feed_time, _ = timed(lambda: client.get(url), repeat=args.repeat)
    bare_time, _ = timed(icalendar_alone, repeat=args.repeat)
    print(f"feed: {len(events)} events from {args.meetings} meetings, {query_count} queries, "
          f"{len(response.content) / 1024:.0f} KiB")
    print(f"feed: {feed_time * 1000:.0f} ms median; icalendar alone {bare_time * 1000:.0f} ms; "
          f"ratio {feed_time / bare_time:.2f}")

    # --- outbox drain to a real SMTP server ---
    from aiosmtpd.controller import Controller

    class Sink:
        def __init__(self):
            self.count = 0

        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            self.count += 1
            return "250 OK"

    sink = Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.OUTBOX_TRANSPORT_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = (
        "127.0.0.1", port, False, False)
    sample = response.content.decode()
    ics = sample[:sample.index("BEGIN:VEVENT")] + sample[sample.index("BEGIN:VEVENT"):sample.index(
        "END:VEVENT") + len("END:VEVENT")] + "\r\nEND:VCALENDAR\r\n"
    ics = ics.replace("CALSCALE:GREGORIAN", "CALSCALE:GREGORIAN\r\nMETHOD:REQUEST", 1)
    OutboxMessage.objects.all().delete()
    enqueue_start = time.perf_counter()
    for n in range(args.messages):
        outbox_enqueue(kind="invite", to=f"person{n}@agency.example", subject="Invitation: Panel 1 — bench",
                       body_text="Dear colleague,\n\nYou are invited.\n" * 5, body_html="<p>You are invited.</p>" * 5,
                       ics=ics, ics_method="REQUEST", meeting=meetings[n % len(meetings)])
    enqueue_time = time.perf_counter() - enqueue_start
    drain_start = time.perf_counter()
    result = outbox_deliver(drain=True)
    drain_time = time.perf_counter() - drain_start
    controller.stop()
    assert result.sent == args.messages == sink.count, (result, sink.count)
    print(f"outbox: {args.messages} messages written in {enqueue_time:.2f} s "
          f"({args.messages / enqueue_time * 60:,.0f}/min); drained to SMTP in {drain_time:.2f} s: "
          f"{args.messages / drain_time * 60:,.0f} messages/min, {sink.count} received, none twice")


if __name__ == "__main__":
    main()
