"""The outbox against a real SMTP server (aiosmtpd): the raw MIME the server receives, and delivery that
survives an outage (nothing lost, nothing sent twice). Also the suite-wide child-identifier guard's self-test.

Checklist points (``docs/calendar-interop.md``): C1 (the MIME ``method`` equals the object's METHOD),
C2 (multipart/alternative with text, HTML and text/calendar, plus the invite.ics attachment), C4 (the
invite goes to the addresses listed as ATTENDEE; From is the ORGANIZER), C8 (the join link in the calendar
and in the bodies; no child identifiers: here and, for every test, the guard in tests/conftest.py).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import transaction
from django.utils import timezone

from notifications.ical import EventData, Person, calendar_bytes
from notifications.models import OutboxMessage
from notifications.outbox import MAX_ATTEMPTS, backoff, email_of, outbox_deliver, outbox_enqueue
from tests.conftest import ChildIdentifierLeak, ics_plain_text, message_leaks
from tests.notifications.peers import (
    SmtpServer,
    calendar_parts,
    port_refuses,
    smtp_server,  # noqa: F401 (fixture)
    smtp_settings,
)

Status = OutboxMessage.Status
LONDON = ZoneInfo("Europe/London")
ORGANIZER = Person("High Risk Panel (Northbridge YJS)", "panels@convene.example", role="chair")
pytestmark = pytest.mark.django_db


def invite_ics(method: str = "REQUEST", *, to: str = "jo.smith@probation.example", sequence: int = 0) -> bytes:
    start = datetime(2027, 1, 14, 10, 0, tzinfo=LONDON)
    data = EventData(uid="meeting-5f0c@convene.example", sequence=sequence, summary="High Risk Panel — Thu 14 Jan 2027",
                     starts_at=start, ends_at=start + timedelta(hours=2), organizer=ORGANIZER,
                     attendees=(Person("Jo Smith", to),), location="Room 2 · https://video.example/j/1",
                     cancelled=method == "CANCEL")
    return calendar_bytes([data], method=method, stamp=timezone.now())


def enqueue(to: str = "jo.smith@probation.example", *, method: str | None = "REQUEST", **changes) -> OutboxMessage:
    values = dict(
        kind=OutboxMessage.Kind.CANCEL if method == "CANCEL" else OutboxMessage.Kind.INVITE, to=to,
        subject="Invitation: High Risk Panel — Thu 14 Jan 2027, 10:00",
        body_text="You are invited — café, 10:00.\nJoin online: https://video.example/j/1\n",
        body_html="<p>You are invited — café, 10:00.</p><p><a href=\"https://video.example/j/1\">Join</a></p>",
        ics=invite_ics(method, to=to) if method else b"", ics_method=method or "",
        from_email=f"{ORGANIZER.name} <{ORGANIZER.email}>", reply_to=ORGANIZER.email,
    )
    values.update(changes)
    return outbox_enqueue(**values)


def statuses() -> list[str]:
    return list(OutboxMessage.objects.order_by("id").values_list("status", flat=True))


# --- the raw MIME (C1, C2) -------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_raw_mime_of_an_invite(smtp_server, method):  # noqa: F811 (fixture)
    row = enqueue(method=method)
    assert outbox_deliver(now=timezone.now()).sent == 1
    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["jo.smith@probation.example"] and envelope.mail_from == ORGANIZER.email
    raw = envelope.content
    (message,) = smtp_server.messages()

    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    # text first, then HTML, then the calendar: the order clients pick the richest part from
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html", "text/calendar"]
    plain, html, calendar_part = alternative.get_payload()
    for part in (plain, html, calendar_part):
        assert part.get_content_charset() == "utf-8"
    assert "café" in plain.get_content() and "café" in html.get_content()

    # C1: the MIME method parameter equals the METHOD inside the object
    body = calendar_part.get_content()
    assert calendar_part.get_param("method") == method
    assert re.findall(r"^METHOD:(\w+)\r?$", body, re.M) == [method]
    assert re.search(rb"Content-Type: text/calendar;[^\r\n]*method=\"?" + method.encode(), raw)
    assert str(icalendar.Calendar.from_ical(body)["METHOD"]) == method

    # C2: the same object again as an invite.ics attachment
    assert attachment.get_content_disposition() == "attachment" and attachment.get_filename() == "invite.ics"
    attached = attachment.get_content()
    attached = attached.decode() if isinstance(attached, bytes) else attached
    assert attached.replace("\r\n", "\n") == body.replace("\r\n", "\n") == row.ics.replace("\r\n", "\n")

    # headers: the stable Message-ID, the organiser as sender, an automatic message, the subject intact
    assert message["Message-ID"] == row.message_id and row.message_id.endswith(f"@{settings.SITE_DOMAIN}>")
    assert message["From"].addresses[0].addr_spec == ORGANIZER.email
    assert message["Reply-To"] == ORGANIZER.email and message["Auto-Submitted"] == "auto-generated"
    # (Django folds a long encoded subject onto a continuation line; readers strip the fold's space)
    assert message["Subject"].strip() == row.subject and message["To"] == "jo.smith@probation.example"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 1, "") and row.sent_at is not None


def test_the_calendar_part_has_each_content_type_parameter_once(smtp_server):  # noqa: F811 (fixture)
    enqueue()
    outbox_deliver(now=timezone.now())
    raw = smtp_server.envelopes[0].content.decode()
    (header,) = re.findall(r"^Content-Type: text/calendar;.*?(?=\r?\n\S)", raw, re.M | re.S)  # folded lines too
    names = sorted(re.findall(r";\s*([\w-]+)=", header))
    assert names == ["charset", "method"], header


def test_the_mime_method_is_taken_from_the_object(smtp_server):  # noqa: F811 (fixture)
    """C1: the MIME method MUST equal the object's METHOD; a caller that leaves ics_method out still gets it."""
    enqueue(method="REQUEST", ics_method="")
    outbox_deliver(now=timezone.now())
    (part,) = calendar_parts(smtp_server.messages()[0])
    assert part.get_param("method") == str(icalendar.Calendar.from_ical(part.get_content())["METHOD"]) == "REQUEST"


def test_a_method_that_disagrees_with_the_object_is_refused():
    with pytest.raises(ValueError, match="METHOD:REQUEST, not CANCEL"):
        enqueue(method="REQUEST", ics_method="CANCEL")
    assert not OutboxMessage.objects.exists()


def test_a_message_without_calendar_or_html_is_plain_text(smtp_server):  # noqa: F811 (fixture)
    row = enqueue(method=None, kind=OutboxMessage.Kind.AGENDA, subject="The agenda is published",
                  body_html="", body_text="Open it in Convene: https://convene.example/meetings/7/")
    outbox_deliver(now=timezone.now())
    (message,) = smtp_server.messages()
    assert message.get_content_type() == "text/plain" and message.get_content_charset() == "utf-8"
    assert not calendar_parts(message) and message["Message-ID"] == row.message_id


def test_the_outbox_refuses_a_subject_with_a_line_break():
    with pytest.raises(ValueError, match="line breaks"):
        enqueue(subject="Invitation\r\nBcc: everyone@example.org")
    assert not OutboxMessage.objects.exists()


# --- C4 end to end: scheduling a meeting sends each invitee their invite ---------------------------
def test_scheduling_sends_each_attendee_an_invite_from_the_organiser(world, smtp_server):  # noqa: F811
    from panels import services

    meeting = world.draft_meeting
    meeting.video_link = "https://video.example/j/9988?pwd=xyz"
    meeting.save()
    services.meeting_schedule(meeting=meeting, actor=world.users["chair"])
    assert outbox_deliver(now=timezone.now() + timedelta(minutes=5), drain=True).failed == 0
    invitees = sorted(meeting.invitees.values_list("email", flat=True))
    assert sorted(e.rcpt_tos[0] for e in smtp_server.envelopes) == invitees
    child_words = {world.child.reference, world.child.family_name, world.other_child.reference,
                   world.other_child.family_name}
    for envelope, message in zip(smtp_server.envelopes, smtp_server.messages(), strict=True):
        (part,) = calendar_parts(message)
        calendar = icalendar.Calendar.from_ical(part.get_content())
        assert part.get_param("method") == str(calendar["METHOD"]) == "REQUEST"
        (vevent,) = calendar.walk("VEVENT")
        attendees = vevent.get("ATTENDEE")
        attendees = attendees if isinstance(attendees, list) else [attendees]
        # the recipient is listed as an ATTENDEE (Gmail and Outlook show RSVP buttons only then)
        assert f"mailto:{envelope.rcpt_tos[0]}".lower() in {str(a).lower() for a in attendees}
        organizer = str(vevent["ORGANIZER"]).removeprefix("mailto:")
        assert message["From"].addresses[0].addr_spec == organizer == envelope.mail_from
        # C8: the join link in the calendar (LOCATION or DESCRIPTION) and in both bodies (Outlook shows the body)
        assert meeting.video_link in str(vevent.get("LOCATION", "")) + str(vevent.get("DESCRIPTION", ""))
        plain, html = (p.get_content() for p in message.walk() if p.get_content_type() in ("text/plain", "text/html"))
        assert meeting.video_link in plain and meeting.video_link in html.replace("&amp;", "&")
        assert not any(word in message["Subject"] for word in child_words)
        assert not any(word in ics_plain_text(part.get_content()) for word in child_words)


# --- delivery you can trust ------------------------------------------------------------------------
def test_smtp_down_then_back_nothing_lost_nothing_sent_twice(settings):
    server = SmtpServer()  # not started: the port refuses connections
    smtp_settings(settings, server.port)
    assert port_refuses(server.port)
    rows = [enqueue(f"person{i}@agency.example") for i in range(3)]
    t0 = timezone.now()

    result = outbox_deliver(now=t0, drain=True)
    assert (result.sent, result.retrying, result.failed) == (0, 3, 0)
    first = {r.pk: r for r in OutboxMessage.objects.all()}
    for row in first.values():
        assert (row.status, row.attempts) == (Status.RETRYING, 1)
        assert row.not_before == t0 + backoff(1) and "refused" in row.last_error.lower()

    assert outbox_deliver(now=t0 + timedelta(seconds=30)).attempted == 0  # not due yet: left alone
    t1 = t0 + backoff(1)
    assert outbox_deliver(now=t1).retrying == 3
    for row in OutboxMessage.objects.all():
        assert (row.status, row.attempts) == (Status.RETRYING, 2)
        assert row.not_before == t1 + backoff(2) > first[row.pk].not_before  # the delay grows
    assert OutboxMessage.objects.count() == 3  # nothing lost

    server.start()  # the relay is back on the same port
    try:
        assert outbox_deliver(now=t1 + timedelta(seconds=30)).attempted == 0  # still waiting its turn
        t2 = t1 + backoff(2)
        assert outbox_deliver(now=t2, drain=True).sent == 3
        received = server.messages()
        assert sorted(m["To"] for m in received) == sorted(r.to for r in rows)  # each exactly once
        assert sorted(m["Message-ID"] for m in received) == sorted(r.message_id for r in rows)
        for row in OutboxMessage.objects.all():
            assert (row.status, row.attempts, row.last_error) == (Status.SENT, 3, "")
        # a second run, even much later, sends nothing again
        assert outbox_deliver(now=t2 + timedelta(days=1), drain=True).attempted == 0
        assert len(server.envelopes) == 3
    finally:
        server.stop()


def test_a_restart_of_the_server_mid_outage_with_the_real_clock(smtp_server, settings):  # noqa: F811
    """The same story driven by time-machine instead of ``now=``: the retry is due by the clock."""
    import time_machine

    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        smtp_server.stop()
        row = enqueue()
        assert outbox_deliver().retrying == 1
        smtp_server.start()
        assert outbox_deliver().attempted == 0  # backoff: not yet
        traveller.shift(backoff(1))
        assert outbox_deliver().sent == 1
    (message,) = smtp_server.messages()
    assert message["Message-ID"] == row.message_id  # the retry is the same message


def test_a_temporary_refusal_is_retried_with_the_same_message_id(smtp_server):  # noqa: F811 (fixture)
    smtp_server.inbox.data_reply = "451 4.3.0 Try again later"
    row = enqueue()
    t0 = timezone.now()
    assert outbox_deliver(now=t0).retrying == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.RETRYING, 1) and "451" in row.last_error
    assert not smtp_server.envelopes  # refused, so not counted as received
    (refused,) = smtp_server.inbox.refused_messages()
    assert refused["Message-ID"] == row.message_id

    smtp_server.inbox.data_reply = "250 OK"
    assert outbox_deliver(now=t0 + backoff(1)).sent == 1
    (accepted,) = smtp_server.messages()
    assert accepted["Message-ID"] == refused["Message-ID"]  # the same ID: recognisably the same message
    assert outbox_deliver(now=t0 + timedelta(days=1)).attempted == 0 and len(smtp_server.envelopes) == 1


def test_a_refusal_of_one_message_does_not_stop_the_batch(smtp_server):  # noqa: F811 (fixture)
    smtp_server.inbox.data_reply = "451 4.3.0 Try again later"
    enqueue("a@agency.example")
    enqueue("b@agency.example")
    result = outbox_deliver(now=timezone.now(), drain=True)
    assert (result.sent, result.retrying) == (0, 2)  # both tried on the one connection, both refused
    assert statuses() == [Status.RETRYING] * 2


def test_a_message_that_keeps_failing_ends_failed_after_max_attempts(settings):
    smtp_settings(settings, SmtpServer().port)  # never started
    row = enqueue()
    now = timezone.now()
    delays = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        result = outbox_deliver(now=now)
        row.refresh_from_db()
        assert row.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert result.retrying == 1 and row.status == Status.RETRYING
            delays.append(row.not_before - now)
            assert outbox_deliver(now=row.not_before - timedelta(seconds=1)).attempted == 0
            now = row.not_before
    assert row.status == Status.FAILED and result.failed == 1 and row.last_error
    assert delays == [backoff(n) for n in range(1, MAX_ATTEMPTS)]
    assert delays == sorted(delays) and delays[0] == timedelta(minutes=1) and max(delays) == timedelta(hours=1)
    assert outbox_deliver(now=now + timedelta(days=7)).attempted == 0  # given up: no more tries


def test_a_refused_recipient_fails_at_once_and_does_not_hold_up_the_rest(smtp_server):  # noqa: F811
    async def handle_rcpt(server, session, envelope, address, rcpt_options):
        if address.startswith("gone@"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_server.inbox.handle_RCPT = handle_rcpt
    gone, fine = enqueue("gone@agency.example"), enqueue("fine@agency.example")
    result = outbox_deliver(now=timezone.now())
    assert (result.sent, result.failed) == (1, 1)
    gone.refresh_from_db()
    fine.refresh_from_db()
    assert gone.status == Status.FAILED and "gone@agency.example" in gone.last_error
    assert fine.status == Status.SENT and [e.rcpt_tos for e in smtp_server.envelopes] == [["fine@agency.example"]]


def test_a_claim_left_by_a_dead_worker_lapses(smtp_server):  # noqa: F811 (fixture)
    now = timezone.now()
    stale, fresh = enqueue("stale@agency.example"), enqueue("fresh@agency.example")
    OutboxMessage.objects.filter(pk=stale.pk).update(status=Status.SENDING, claimed_at=now - timedelta(minutes=11))
    OutboxMessage.objects.filter(pk=fresh.pk).update(status=Status.SENDING, claimed_at=now - timedelta(minutes=1))
    assert outbox_deliver(now=now).sent == 1  # the other worker may still be sending the fresh one
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["stale@agency.example"]]


def test_merge_key_supersedes_a_waiting_message(smtp_server):  # noqa: F811 (fixture)
    now = timezone.now()
    later = now + timedelta(seconds=60)  # the debounce
    key = "itip:meeting-5f0c@convene.example:jo.smith@probation.example"
    first = enqueue(merge_key=key, not_before=later, subject="Updated invitation: High Risk Panel, 10:00")
    other = enqueue("someone@else.example", merge_key="itip:other", not_before=later)
    second = enqueue(merge_key=key, not_before=later, subject="Updated invitation: High Risk Panel, 11:00",
                     ics=invite_ics(sequence=2))
    assert outbox_deliver(now=now).attempted == 0  # debounced: nothing yet
    first.refresh_from_db()
    assert first.status == Status.SUPERSEDED and OutboxMessage.objects.get(pk=other.pk).status == Status.PENDING
    assert outbox_deliver(now=later, drain=True).sent == 2
    by_to = {m["To"]: m for m in smtp_server.messages()}
    assert sorted(by_to) == ["jo.smith@probation.example", "someone@else.example"]  # one each
    assert by_to["jo.smith@probation.example"]["Message-ID"] == second.message_id
    assert "SEQUENCE:2" in calendar_parts(by_to["jo.smith@probation.example"])[0].get_content()
    # a key whose message was already sent is not touched by the next one
    third = enqueue(merge_key=key, subject="Updated invitation: High Risk Panel, 12:00")
    second.refresh_from_db()
    assert second.status == Status.SENT and third.status == Status.PENDING


def test_outbox_backend_writes_rows_and_sends_nothing_until_delivery(smtp_server, settings):  # noqa: F811
    settings.EMAIL_BACKEND = "notifications.outbox.OutboxBackend"
    assert send_mail("Reset your Convene password", "Follow https://convene.example/r/abc", "Convene <no@c.example>",
                     ["a@agency.example", "b@agency.example"], html_message="<p>Follow the link</p>") == 1
    email = EmailMultiAlternatives("Account locked", "Ask your coordinator.", "Convene <no@c.example>",
                                   to=["c@agency.example"], cc=["d@agency.example"], bcc=["e@agency.example"])
    assert email.send() == 1
    rows = list(OutboxMessage.objects.order_by("id"))
    assert [(r.to, r.kind, r.status) for r in rows] == [
        (f"{x}@agency.example", OutboxMessage.Kind.OTHER, Status.PENDING) for x in "abcde"]
    assert rows[0].body_html == "<p>Follow the link</p>" and rows[0].from_email == "Convene <no@c.example>"
    assert not smtp_server.envelopes and not mail.outbox  # written, not sent
    assert outbox_deliver(now=timezone.now(), drain=True).sent == 5
    assert sorted(e.rcpt_tos[0] for e in smtp_server.envelopes) == [f"{x}@agency.example" for x in "abcde"]


def test_delivery_is_kicked_off_after_commit_and_not_on_rollback(settings, django_capture_on_commit_callbacks):
    server = SmtpServer().start()
    try:
        smtp_settings(settings, server.port)
        settings.OUTBOX_DELIVER_ON_COMMIT = True  # the embedded shape: Celery eager, in-process after commit
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue("rolled@back.example")
            raise RuntimeError("the change failed")
        assert not OutboxMessage.objects.exists()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            row = enqueue()
            assert not server.envelopes  # not before the commit
        assert len(callbacks) == 1
        row.refresh_from_db()
        assert row.status == Status.SENT and [e.rcpt_tos for e in server.envelopes] == [[row.to]]
    finally:
        server.stop()


def test_email_of_builds_the_same_message_id_every_time():
    row = enqueue()
    assert email_of(row).message()["Message-ID"] == email_of(row).message()["Message-ID"] == row.message_id


# --- the child-identifier guard (tests/conftest.py) proves itself ---------------------------------
def test_the_child_guard_helper_finds_names_and_references():
    names, refs = {"fictional child7", "fi child7"}, {"yj-0042"}
    check = dict(label="m", names=names, references=refs)
    assert message_leaks(subject="Panel — YJ-0042", **check) == ["m: subject 'Panel — YJ-0042' contains 'yj-0042'"]
    assert message_leaks(subject="Panel about  FICTIONAL\tChild7", **check)
    assert message_leaks(bodies=("Case YJ-0042: see Convene",), **check) == []  # bodies may carry the reference
    assert message_leaks(bodies=("Re: Fi Child7",), **check) == ["m: body contains the name 'fi child7'"]
    folded = "BEGIN:VEVENT\r\nSUMMARY:Panel \\, item for Fictional Ch\r\n ild7\r\nEND:VEVENT\r\n"
    assert message_leaks(ics=(folded,), **check) == ["m: calendar object contains 'fictional child7' (in SUMMARY)"]
    assert message_leaks(ics=("DESCRIPTION:ref YJ-0042\\nmore\r\n",), **check)
    assert message_leaks(subject="Panel YJ-00421 and Child70", bodies=("Fictional Child70",), **check) == []


def test_the_child_guard_catches_a_leak_in_the_outbox_and_in_mail(world, child_identifier_guard):
    guard = child_identifier_guard
    child = world.child
    child.preferred_name = "Fitz"
    child.save()
    outbox_enqueue(kind=OutboxMessage.Kind.OTHER, to="x@agency.example", subject="Panel", body_text="Nothing here",
                   ics="BEGIN:VCALENDAR\r\nSUMMARY:Panel\r\nEND:VCALENDAR\r\n")
    guard.check()  # clean so far
    outbox_enqueue(kind=OutboxMessage.Kind.OTHER, to="x@agency.example", subject=f"Panel: {child.reference}",
                   body_text="ok", body_html=f"<p>About <b>Fitz</b> {child.family_name}</p>")
    with pytest.raises(ChildIdentifierLeak) as leak:
        guard.check()
    assert f"contains '{child.reference.lower()}'" in str(leak.value)
    assert f"body contains the name 'fitz {child.family_name.lower()}'" in str(leak.value)
    guard.reset()

    mail.EmailMessage(f"About {child.given_name} {child.family_name}", "x", to=["y@agency.example"]).send()
    with pytest.raises(ChildIdentifierLeak, match="email to y@agency.example: subject"):
        guard.check()
    guard.reset()
    guard.check()  # reset: the test itself ends clean



# --- C4: an attendee's iTIP REPLY comes back and is recorded ----------------------------------------
def test_a_reply_to_the_invite_received_over_smtp_is_recorded(world, smtp_server):  # noqa: F811 (fixture)
    from email.message import EmailMessage as MimeMessage

    from notifications.ical import reply_bytes
    from notifications.models import CalendarCopy
    from notifications.rsvp import replies_apply, reply_from_email, sender_of
    from panels import services

    meeting = world.draft_meeting
    services.meeting_schedule(meeting=meeting, actor=world.users["chair"])
    outbox_deliver(now=timezone.now() + timedelta(minutes=5), drain=True)
    partner = world.users["invited_partner"]
    (invite,) = [m for m in smtp_server.messages() if m["To"] == partner.email]
    (vevent,) = icalendar.Calendar.from_ical(calendar_parts(invite)[0].get_content()).walk("VEVENT")
    organizer = Person("Panel", str(vevent["ORGANIZER"]).removeprefix("mailto:"))

    # what the partner's calendar client mails back (iMIP: the REPLY as a text/calendar part)
    reply = MimeMessage()
    reply["From"], reply["To"], reply["Subject"] = partner.email, organizer.email, "Accepted: " + str(vevent["SUMMARY"])
    reply.set_content("Accepted")
    ics = reply_bytes(uid=str(vevent["UID"]), sequence=int(vevent["SEQUENCE"]), organizer=organizer,
                      attendee=Person(partner.get_full_name(), partner.email.upper(), response="accepted"),
                      stamp=timezone.now(), comment="I will bring the housing update")
    reply.add_alternative(ics.decode(), subtype="calendar", params={"method": "REPLY"})
    outcome = replies_apply(reply_from_email(reply.as_bytes()), sender=sender_of(reply.as_bytes()), source="reply")
    assert [r.attendee_email for r in outcome.applied] == [partner.email.lower()] and not outcome.refused
    copy = CalendarCopy.objects.get(entry__uid=str(vevent["UID"]), email__iexact=partner.email)
    assert (copy.response, copy.comment) == ("accepted", "I will bring the housing update")
    assert copy.entry.sequence == int(vevent["SEQUENCE"])  # an attendee's reply never bumps SEQUENCE (C3)
