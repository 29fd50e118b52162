"""Calendar replies that cannot be forged, go stale or stop the queue (issue 13).

Replies are written as Outlook, Gmail and Apple Calendar write them (tests/notifications/replies/*.ics)
and go through the real paths: the API, the read_replies command, the link and the meeting page.
"""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from agendas.models import AgendaItem
from agendas.services import item_invitation_add
from notifications.ical import ICalError, replies_parse
from notifications.invites import calendar_sync
from notifications.models import (
    AlternativeAddress,
    CalendarCopy,
    CalendarEntry,
    DelegationRequest,
    OutboxMessage,
    ReplyRecord,
)
from notifications.rsvp import (
    delegation_decide,
    delegation_requests_pending_for_user,
    replies_apply,
    rsvp_record,
    token_for,
)
from panels import services
from panels.enums import InviteeRole
from panels.selectors import meeting_get_for_user
from tests.factories import UserFactory

FIXTURES = Path(__file__).parent / "replies"
TOKEN = "gateway-token-for-replies"
Status = OutboxMessage.Status


def client_reply(app: str, *, uid: str, email: str, partstat: str = "ACCEPTED", sequence: object = 0,
                 stamp: datetime | None = None, name: str = "Someone", comment: str = "",
                 deputy: str = "", deputy_name: str = "") -> bytes:
    """A REPLY as ``app`` (outlook, gmail, apple, outlook_delegate, apple_delegate) writes it."""
    text = (FIXTURES / f"{app}.ics").read_bytes().decode()
    stamp = stamp or datetime.now(UTC)
    return (text % {"uid": uid, "email": email, "EMAIL": email.upper(), "partstat": partstat,
                    "sequence": sequence, "stamp": stamp.strftime("%Y%m%dT%H%M%SZ"), "name": name,
                    "comment": comment, "deputy": deputy, "deputy_name": deputy_name}).encode()


def as_email(sender: str, ics: bytes) -> bytes:
    return (f"From: \"Sender\" <{sender}>\r\nTo: panels@convene.example\r\nSubject: Reply\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/calendar; method=REPLY; charset=utf-8\r\n\r\n").encode() + ics


def post_email(client, raw: bytes):
    return client.post(reverse("itip_replies"), raw, content_type="message/rfc822",
                       HTTP_AUTHORIZATION=f"Bearer {TOKEN}")


@pytest.fixture
def scheduled(world, settings):
    settings.INBOUND_REPLY_TOKEN = TOKEN
    services.meeting_schedule(meeting=world.draft_meeting, actor=world.users["chair"])
    OutboxMessage.objects.update(status=Status.SENT)
    return world.draft_meeting


@pytest.fixture
def entry(scheduled):
    return CalendarEntry.objects.get(meeting=scheduled, item=None)


def invitee_of(world, meeting, persona):
    return meeting.invitees.get(user=world.users[persona])


def waiting(**filters):
    return list(OutboxMessage.objects.filter(status=Status.PENDING, **filters).order_by("to", "id"))


# --- only the attendee answers for themself -------------------------------------------------------
def test_a_reply_from_another_address_is_refused_and_changes_nothing(world, scheduled, entry, client):
    partner = invitee_of(world, scheduled, "invited_partner")
    ics = client_reply("outlook", uid=entry.uid, email=partner.email, partstat="DECLINED")
    response = post_email(client, as_email("mallory@evil.example", ics))
    assert response.status_code == 422 and "only the attendee answers for themself" in response.json()["detail"]
    partner.refresh_from_db()
    assert partner.response == "needs_action" and not ReplyRecord.objects.exists()


def test_a_spoofed_decline_for_the_chair_is_refused(world, scheduled, entry, client):
    chair = services.invitee_add(meeting=scheduled, actor=world.users["chair"], name="", email="",
                                 user=world.users["chair"], role=InviteeRole.CHAIR)
    OutboxMessage.objects.update(status=Status.SENT)
    entry.refresh_from_db()
    ics = client_reply("gmail", uid=entry.uid, email=chair.email, partstat="DECLINED", sequence=entry.sequence)
    response = post_email(client, as_email(world.users["invited_partner"].email, ics))
    assert response.status_code == 422
    chair.refresh_from_db()
    assert chair.response == "needs_action"


def test_a_reply_from_a_registered_alternative_address_is_applied(world, scheduled, entry, client):
    partner = invitee_of(world, scheduled, "invited_partner")
    AlternativeAddress.objects.create(user=partner.user, email="jo.smith@probation.cjsm.net")
    ics = client_reply("apple", uid=entry.uid, email=partner.email, partstat="TENTATIVE")
    assert post_email(client, as_email("Jo.Smith@Probation.CJSM.net", ics)).status_code == 200
    partner.refresh_from_db()
    assert partner.response == "tentative"


def test_the_attendees_own_address_in_another_case_is_applied(world, scheduled, entry, client):
    partner = invitee_of(world, scheduled, "invited_partner")
    ics = client_reply("outlook", uid=entry.uid, email=partner.email, partstat="DECLINED")
    assert post_email(client, as_email(partner.email.upper(), ics)).status_code == 200
    partner.refresh_from_db()
    assert partner.response == "declined"


def test_a_bare_calendar_posted_without_a_sender_is_refused(world, scheduled, entry, client):
    partner = invitee_of(world, scheduled, "invited_partner")
    ics = client_reply("outlook", uid=entry.uid, email=partner.email)
    response = client.post(reverse("itip_replies"), ics, content_type="text/calendar",
                           HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 422 and "no sender" in response.json()["detail"]


# --- delegation: never access by itself ---------------------------------------------------------
@pytest.mark.parametrize("app", ["outlook_delegate", "apple_delegate"])
def test_a_delegation_by_email_to_an_outsider_gives_no_access_until_the_chair_accepts(world, scheduled, entry,
                                                                                      client, app):
    partner = invitee_of(world, scheduled, "invited_partner")
    nobody = UserFactory(agency=world.police, email="no.panels@police.example", first_name="Nia", last_name="Obi")
    ics = client_reply(app, uid=entry.uid, email=partner.email, name=partner.name,
                       deputy=nobody.email, deputy_name="Nia Obi")
    assert post_email(client, as_email(partner.email, ics)).status_code == 200
    assert not scheduled.invitees.filter(email=nobody.email).exists()
    with pytest.raises(Exception):  # noqa: B017 (Http404): the deputy sees nothing yet
        meeting_get_for_user(user=nobody, meeting_id=scheduled.pk)
    (request,) = delegation_requests_pending_for_user(world.users["chair"])
    assert (request.delegator, request.deputy_email) == (partner, nobody.email)
    delegation_decide(meeting=scheduled, request_id=request.pk, accept=True, actor=world.users["chair"])
    deputy = scheduled.invitees.get(email=nobody.email)
    assert deputy.delegate_of == partner and deputy.agency == world.police and deputy.name == "Nia Obi"
    assert waiting(to=nobody.email)


def test_a_delegation_through_the_link_to_a_user_of_another_agency_becomes_a_request(world, scheduled, entry,
                                                                                     client):
    partner = invitee_of(world, scheduled, "invited_partner")
    url = reverse("rsvp", args=[token_for(entry_id=entry.pk, email=partner.email)])
    response = client.post(url, {"response": "delegated", "deputy_name": "Police User",
                                 "deputy_email": world.users["uninvited_partner"].email})
    assert response.status_code == 200 and "the chair decides" in response.content.decode()
    assert not scheduled.invitees.filter(user=world.users["uninvited_partner"]).exists()
    assert DelegationRequest.objects.get().status == DelegationRequest.Status.PENDING


def test_a_delegation_through_the_link_within_the_agency_invites_the_deputy_at_once(world, scheduled, entry,
                                                                                   client):
    partner = invitee_of(world, scheduled, "invited_partner")
    colleague = UserFactory(agency=partner.user.agency, email="kim.day@probation.example", first_name="Kim",
                            last_name="Day")
    url = reverse("rsvp", args=[token_for(entry_id=entry.pk, email=partner.email)])
    client.post(url, {"response": "delegated", "deputy_name": "Kim", "deputy_email": colleague.email})
    deputy = scheduled.invitees.get(email=colleague.email)
    assert (deputy.user, deputy.agency, deputy.delegate_of) == (colleague, partner.user.agency, partner)


def test_a_delegation_request_waits_in_the_chairs_inbox_once(world, scheduled, entry, client):
    from notifications.models import Notification

    partner = invitee_of(world, scheduled, "invited_partner")
    url = reverse("rsvp", args=[token_for(entry_id=entry.pk, email=partner.email)])
    for _ in range(2):  # the same request twice: one notice
        client.post(url, {"response": "delegated", "deputy_name": "Police User",
                          "deputy_email": world.users["uninvited_partner"].email})
    (notice,) = Notification.objects.filter(user=world.users["chair"], title__contains="a deputy for")
    assert notice.url == reverse("meeting_detail", args=[scheduled.pk])
    assert world.users["uninvited_partner"].get_full_name() not in notice.title


def test_a_declined_delegation_invites_nobody_and_asks_the_delegator_again(world, scheduled, entry):
    partner = invitee_of(world, scheduled, "invited_partner")
    rsvp_record(entry=entry, email=partner.email, response="delegated", deputy_name="Dee Puty",
                deputy_email="dee@elsewhere.example")
    request = DelegationRequest.objects.get()
    delegation_decide(meeting=scheduled, request_id=request.pk, accept=False, actor=world.users["chair"])
    partner.refresh_from_db()
    assert partner.response == "needs_action"
    assert not scheduled.invitees.filter(email="dee@elsewhere.example").exists()


@pytest.mark.parametrize("persona", ["coordinator", "chair", "invited_partner", "uninvited_partner", "outsider"])
def test_only_the_chair_and_coordinator_decide_on_a_deputy(world, scheduled, entry, login, persona,
                                                           django_assert_max_num_queries):
    partner = invitee_of(world, scheduled, "invited_partner")
    rsvp_record(entry=entry, email=partner.email, response="delegated", deputy_name="Dee Puty",
                deputy_email="dee@elsewhere.example")
    request = DelegationRequest.objects.get()
    client = login(world, persona)
    with django_assert_max_num_queries(60):
        response = client.post(reverse("delegation_decide", args=[scheduled.pk, request.pk]), {"decision": "accept"})
    request.refresh_from_db()
    if persona in ("coordinator", "chair"):
        assert response.status_code == 302 and request.status == DelegationRequest.Status.ACCEPTED
    else:
        assert response.status_code == 404 and request.status == DelegationRequest.Status.PENDING


def test_the_meeting_page_lists_waiting_deputies_for_the_chair(world, scheduled, entry, login,
                                                              django_assert_max_num_queries):
    partner = invitee_of(world, scheduled, "invited_partner")
    rsvp_record(entry=entry, email=partner.email, response="delegated", deputy_name="Dee Puty",
                deputy_email="dee@elsewhere.example")
    with django_assert_max_num_queries(40):
        page = login(world, "chair").get(reverse("meeting_detail", args=[scheduled.pk]))
    assert "Dee Puty" in page.content.decode()


# --- bad input never blocks good input ----------------------------------------------------------
def test_a_non_numeric_sequence_is_refused_with_a_reason():
    with pytest.raises(ICalError, match="SEQUENCE 'abc'"):
        replies_parse(client_reply("outlook", uid="u@x", email="a@b.example", sequence="abc"))


def test_the_api_answers_422_with_the_reason_for_a_bad_sequence(world, scheduled, entry, client):
    partner = invitee_of(world, scheduled, "invited_partner")
    ics = client_reply("outlook", uid=entry.uid, email=partner.email, sequence="abc")
    response = post_email(client, as_email(partner.email, ics))
    assert response.status_code == 422 and "SEQUENCE 'abc'" in response.json()["detail"]


@pytest.mark.parametrize("broken", ["DTSTAMP:", "DTSTAMP:tomorrow"], ids=["empty", "garbled"])
def test_a_reply_with_an_unreadable_dtstamp_gets_a_422_with_the_reason(world, scheduled, entry, client, broken):
    partner = invitee_of(world, scheduled, "invited_partner")
    ics = client_reply("outlook", uid=entry.uid, email=partner.email).decode()
    good = "DTSTAMP:" + ics.split("DTSTAMP:", 1)[1].split("\n", 1)[0].strip()
    response = post_email(client, as_email(partner.email, ics.replace(good, broken, 1).encode()))
    assert response.status_code == 422
    assert entry.uid in response.json()["detail"]


def test_read_replies_goes_on_after_a_message_with_an_empty_dtstamp(world, scheduled, entry, tmp_path, capsys):
    partner, yoi = invitee_of(world, scheduled, "invited_partner"), invitee_of(world, scheduled, "invited_yoi")
    bad = client_reply("outlook", uid=entry.uid, email=partner.email).decode()
    bad = bad.replace("DTSTAMP:" + bad.split("DTSTAMP:", 1)[1].split("\n", 1)[0].strip(), "DTSTAMP:")
    (tmp_path / "1-bad.eml").write_bytes(as_email(partner.email, bad.encode()))
    (tmp_path / "2-good.eml").write_bytes(as_email(yoi.email, client_reply("gmail", uid=entry.uid, email=yoi.email)))
    with pytest.raises(CommandError):
        call_command("read_replies", str(tmp_path))
    assert "1 replies applied, 0 kept without change, 0 refused, 1 messages unreadable" in capsys.readouterr().out
    yoi.refresh_from_db()
    assert yoi.response == "accepted"


def test_read_replies_applies_the_good_message_after_a_bad_one_and_exits_non_zero(world, scheduled, entry,
                                                                                   tmp_path, capsys):
    partner, yoi = invitee_of(world, scheduled, "invited_partner"), invitee_of(world, scheduled, "invited_yoi")
    (tmp_path / "1-bad.eml").write_bytes(as_email(partner.email, client_reply(
        "outlook", uid=entry.uid, email=partner.email, sequence="abc")))
    (tmp_path / "2-good.eml").write_bytes(as_email(yoi.email, client_reply("gmail", uid=entry.uid, email=yoi.email)))
    with pytest.raises(CommandError):
        call_command("read_replies", str(tmp_path))
    out = capsys.readouterr()
    assert "1 replies applied, 0 kept without change, 0 refused, 1 messages unreadable" in out.out
    assert "1-bad.eml: unreadable: SEQUENCE 'abc'" in out.err
    yoi.refresh_from_db()
    assert yoi.response == "accepted"


def test_read_replies_exits_non_zero_when_every_reply_was_refused(world, scheduled, entry, tmp_path):
    partner = invitee_of(world, scheduled, "invited_partner")
    (tmp_path / "forged.eml").write_bytes(as_email("x@evil.example", client_reply(
        "outlook", uid=entry.uid, email=partner.email)))
    with pytest.raises(CommandError):
        call_command("read_replies", str(tmp_path))


def test_read_replies_marks_maildir_messages_seen_and_a_second_run_applies_nothing(world, scheduled, entry,
                                                                                     tmp_path, capsys):
    partner = invitee_of(world, scheduled, "invited_partner")
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(as_email(partner.email, client_reply("outlook", uid=entry.uid, email=partner.email)))
    call_command("read_replies", str(tmp_path / "Maildir"))
    assert "1 replies applied" in capsys.readouterr().out
    (key,) = box.keys()
    assert box.get_message(key).get_subdir() == "cur" and "S" in box.get_message(key).get_flags()
    call_command("read_replies", str(tmp_path / "Maildir"))
    assert "0 replies applied, 0 kept without change, 0 refused" in capsys.readouterr().out
    assert ReplyRecord.objects.count() == 1


def test_the_same_reply_posted_twice_is_applied_once(world, scheduled, entry, client):
    from panels.models import AuditEntry

    partner = invitee_of(world, scheduled, "invited_partner")
    raw = as_email(partner.email, client_reply("outlook", uid=entry.uid, email=partner.email))
    post_email(client, raw)
    audit = AuditEntry.objects.filter(action="invite.replied").count()
    again = post_email(client, raw)  # a gateway's retry
    assert "already applied" in again.json()["kept"][0]["reason"]
    assert AuditEntry.objects.filter(action="invite.replied").count() == audit


def test_read_replies_run_twice_on_a_folder_of_files_applies_nothing_twice(world, scheduled, entry, tmp_path,
                                                                           capsys):
    partner = invitee_of(world, scheduled, "invited_partner")
    (tmp_path / "reply.eml").write_bytes(as_email(partner.email, client_reply("apple", uid=entry.uid,
                                                                                email=partner.email)))
    call_command("read_replies", str(tmp_path))
    call_command("read_replies", str(tmp_path))
    assert "0 replies applied, 1 kept without change, 0 refused" in capsys.readouterr().out
    assert ReplyRecord.objects.count() == 1


def test_a_reply_holding_more_than_one_event_is_refused(world, scheduled, entry, client):
    partner = invitee_of(world, scheduled, "invited_partner")
    one = client_reply("outlook", uid=entry.uid, email=partner.email).decode()
    head, rest = one.split("BEGIN:VEVENT", 1)
    body, tail = rest.split("END:VEVENT", 1)
    many = head + "".join(f"BEGIN:VEVENT{body.replace(entry.uid, f'{n}-{entry.uid}')}END:VEVENT\r\n"
                          for n in range(3)) + tail.lstrip("\r\n")
    response = post_email(client, as_email(partner.email, many.encode()))
    assert response.status_code == 422 and "holds 3" in response.json()["detail"]
    assert not ReplyRecord.objects.exists()


def test_a_reply_of_thousands_of_events_is_refused_before_it_is_parsed(world, scheduled, entry):
    from panels.models import AuditEntry

    partner = invitee_of(world, scheduled, "invited_partner")
    one = client_reply("outlook", uid=entry.uid, email=partner.email).decode()
    head, rest = one.split("BEGIN:VEVENT", 1)
    body, tail = rest.split("END:VEVENT", 1)
    many = (head + f"BEGIN:VEVENT{body}END:VEVENT\r\n" * 3_000 + tail.lstrip("\r\n")).encode()
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ICalError, match="holds 3000"):
        replies_apply(many, sender=partner.email)
    assert AuditEntry.objects.count() == audit_before and not ReplyRecord.objects.exists()


@pytest.mark.parametrize("kind", ["message/rfc822", "text/calendar"])
def test_an_over_size_body_gets_the_endpoints_json_413(scheduled, client, kind):
    big = b"X" * (3 * 1024 * 1024)  # above Django's own DATA_UPLOAD_MAX_MEMORY_SIZE too
    response = client.post(reverse("itip_replies"), big, content_type=kind, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 413 and response.json()["detail"] == "The reply is larger than 1 MB."


def test_read_replies_refuses_an_over_size_message_with_the_same_reason(tmp_path, capsys, db):
    (tmp_path / "big.eml").write_bytes(b"From: a@b.example\r\n\r\n" + b"X" * (1024 * 1024 + 1))
    with pytest.raises(CommandError):
        call_command("read_replies", str(tmp_path))
    assert "The reply is larger than 1 MB." in capsys.readouterr().err


# --- versions: SEQUENCE and DTSTAMP -------------------------------------------------------------
def _moved(world, meeting, hours=1):
    services.meeting_update(meeting=meeting, actor=world.users["chair"], starts_at=meeting.starts_at
                            + timedelta(hours=hours), ends_at=meeting.ends_at + timedelta(hours=hours),
                            location=meeting.location, video_link=meeting.video_link)


def test_a_reply_for_an_earlier_sequence_is_kept_but_changes_nothing(world, scheduled, entry, client):
    partner = invitee_of(world, scheduled, "invited_partner")
    _moved(world, scheduled)
    entry.refresh_from_db()
    assert entry.sequence == 1
    response = post_email(client, as_email(partner.email, client_reply("outlook", uid=entry.uid,
                                                                        email=partner.email, sequence=0)))
    assert response.status_code == 200 and "earlier version" in response.json()["kept"][0]["reason"]
    partner.refresh_from_db()
    assert partner.response == "needs_action"
    assert ReplyRecord.objects.get().outcome == ReplyRecord.Outcome.EARLIER


def test_the_chair_sees_answered_an_earlier_time(world, scheduled, entry, login):
    partner = invitee_of(world, scheduled, "invited_partner")
    _moved(world, scheduled)
    replies_apply(client_reply("outlook", uid=entry.uid, email=partner.email, sequence=0), sender=partner.email)
    page = login(world, "chair").get(reverse("meeting_deliveries", args=[scheduled.pk]))
    assert "answered an earlier time" in page.content.decode()


def test_a_sequence_above_the_one_sent_is_refused(world, scheduled, entry):
    partner = invitee_of(world, scheduled, "invited_partner")
    outcome = replies_apply(client_reply("apple", uid=entry.uid, email=partner.email, sequence=7),
                            sender=partner.email)
    assert "newer than any version" in outcome.refused[0][1]
    partner.refresh_from_db()
    assert partner.response == "needs_action"


@pytest.mark.parametrize("app", ["outlook", "gmail", "apple"])
def test_an_older_dtstamp_read_after_a_newer_one_does_not_win(world, scheduled, entry, app):
    partner = invitee_of(world, scheduled, "invited_partner")
    now = datetime.now(UTC)
    newer = client_reply(app, uid=entry.uid, email=partner.email, partstat="DECLINED", stamp=now)
    older = client_reply(app, uid=entry.uid, email=partner.email, partstat="ACCEPTED",
                         stamp=now - timedelta(minutes=5))
    replies_apply(newer, sender=partner.email)
    outcome = replies_apply(older, sender=partner.email)
    assert outcome.kept and not outcome.applied
    partner.refresh_from_db()
    assert partner.response == "declined"


@pytest.mark.parametrize("order", ["newer first", "older first"])
def test_the_answer_with_the_later_dtstamp_wins_whatever_the_order(world, scheduled, entry, order):
    partner = invitee_of(world, scheduled, "invited_partner")
    now = datetime.now(UTC)
    newer = client_reply("apple", uid=entry.uid, email=partner.email, partstat="DECLINED", stamp=now)
    older = client_reply("apple", uid=entry.uid, email=partner.email, partstat="ACCEPTED",
                         stamp=now - timedelta(minutes=5))
    for reply in ([newer, older] if order == "newer first" else [older, newer]):
        replies_apply(reply, sender=partner.email)
    partner.refresh_from_db()
    assert partner.response == "declined"


def test_a_dtstamp_far_ahead_of_its_arrival_does_not_outrank_a_later_answer(world, scheduled, entry):
    partner = invitee_of(world, scheduled, "invited_partner")
    now = datetime.now(UTC)
    replies_apply(client_reply("outlook", uid=entry.uid, email=partner.email, partstat="ACCEPTED",
                               stamp=now + timedelta(days=365)), sender=partner.email)  # a clock a year ahead
    replies_apply(client_reply("gmail", uid=entry.uid, email=partner.email, partstat="DECLINED",
                               stamp=now + timedelta(minutes=1)), sender=partner.email)  # after the first arrived
    partner.refresh_from_db()
    assert partner.response == "declined"


MATERIAL = {"start": {"starts_at": timedelta(hours=-1)}, "end": {"ends_at": timedelta(minutes=30)},
            "place": {"location": "Room 9, Civic Centre"}, "video link": {"video_link": "https://video.example/r2"}}


@pytest.mark.parametrize("change", MATERIAL)
def test_each_material_change_resets_the_answer_and_asks_again(world, scheduled, entry, change):
    partner = invitee_of(world, scheduled, "invited_partner")
    rsvp_record(entry=entry, email=partner.email, response="accepted")
    fields = {"starts_at": scheduled.starts_at, "ends_at": scheduled.ends_at, "location": scheduled.location,
              "video_link": scheduled.video_link}
    for name, value in MATERIAL[change].items():
        fields[name] = fields[name] + value if isinstance(value, timedelta) else value
    services.meeting_update(meeting=scheduled, actor=world.users["chair"], **fields)
    (update,) = waiting(to=partner.email)
    line = next(a for a in update.ics.replace("\r\n ", "").splitlines()
                if a.startswith("ATTENDEE") and a.endswith(partner.email))
    assert "PARTSTAT=NEEDS-ACTION" in line
    assert "RSVP=TRUE" in line


def test_a_material_change_that_reads_alike_in_the_calendar_still_sends_a_new_version(world, scheduled, entry):
    partner = invitee_of(world, scheduled, "invited_partner")
    services.meeting_update(meeting=scheduled, actor=world.users["chair"], starts_at=scheduled.starts_at,
                            ends_at=scheduled.ends_at, location="Room 1 · https://video.example/r", video_link="")
    OutboxMessage.objects.update(status=Status.SENT)
    rsvp_record(entry=entry, email=partner.email, response="accepted")
    sequence = CalendarEntry.objects.get(pk=entry.pk).sequence
    services.meeting_update(meeting=scheduled, actor=world.users["chair"], starts_at=scheduled.starts_at,
                            ends_at=scheduled.ends_at, location="Room 1", video_link="https://video.example/r")
    assert CalendarEntry.objects.get(pk=entry.pk).sequence == sequence + 1
    assert waiting(to=partner.email)


def test_the_material_backfill_stores_what_the_sync_computes(world, scheduled, entry):
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("notifications.migrations.0006_calendar_entry_material_backfill")
    computed = entry.material
    CalendarEntry.objects.filter(pk=entry.pk).update(material="")
    backfill.material_backfill(apps, None)
    assert CalendarEntry.objects.get(pk=entry.pk).material == computed


def test_moving_the_meeting_resets_every_answer_and_asks_again(world, scheduled, entry):
    partner = invitee_of(world, scheduled, "invited_partner")
    rsvp_record(entry=entry, email=partner.email, response="accepted")
    _moved(world, scheduled)
    partner.refresh_from_db()
    assert partner.response == "needs_action"
    assert CalendarCopy.objects.get(entry=entry, email=partner.email).response == "needs_action"
    (update,) = waiting(to=partner.email)
    line = next(a for a in update.ics.replace("\r\n ", "").splitlines()
                if a.startswith("ATTENDEE") and a.endswith(partner.email))
    assert "PARTSTAT=NEEDS-ACTION" in line and "RSVP=TRUE" in line


def test_a_change_of_video_link_resets_answers_but_an_added_invitee_does_not(world, scheduled, entry):
    partner = invitee_of(world, scheduled, "invited_partner")
    rsvp_record(entry=entry, email=partner.email, response="accepted")
    services.invitee_add(meeting=scheduled, actor=world.users["chair"], name="New", email="new@agency.example")
    partner.refresh_from_db()
    assert partner.response == "accepted"
    services.meeting_update(meeting=scheduled, actor=world.users["chair"], starts_at=scheduled.starts_at,
                            ends_at=scheduled.ends_at, location=scheduled.location,
                            video_link="https://video.example/new-room")
    partner.refresh_from_db()
    assert partner.response == "needs_action"


# --- slots move with their meeting; UIDs are fixed -------------------------------------------------
def test_a_slot_moves_with_its_meeting_and_its_invitee_gets_one_update_at_the_new_time(world, scheduled):
    start = timezone.localtime(scheduled.starts_at)
    item = AgendaItem.objects.create(meeting=scheduled, child=world.child, slot_start=time(start.hour, 15),
                                     slot_minutes=15)
    item_invitation_add(item=item, actor=world.users["chair"], name="Sam Okafor", email="sam@school.example")
    OutboxMessage.objects.update(status=Status.SENT)
    _moved(world, scheduled, hours=-4)
    item.refresh_from_db()
    scheduled.refresh_from_db()
    new_start = timezone.localtime(scheduled.starts_at)
    assert item.slot_start == time(new_start.hour, 15)
    (update,) = waiting(to="sam@school.example")
    (event,) = Calendar.from_ical(update.ics).walk("VEVENT")
    assert event.start == new_start.replace(minute=15, second=0, microsecond=0)
    assert event.end <= timezone.localtime(scheduled.ends_at)


def test_the_agenda_page_shows_a_slot_at_its_moved_time(world, scheduled, login):
    start = timezone.localtime(scheduled.starts_at)
    AgendaItem.objects.create(meeting=scheduled, child=world.child, slot_start=time(start.hour, 15), slot_minutes=15)
    _moved(world, scheduled, hours=-4)
    scheduled.refresh_from_db()
    moved = f"{timezone.localtime(scheduled.starts_at).hour:02d}:15"
    page = login(world, "chair").get(reverse("meeting_agenda", args=[scheduled.pk]))
    assert moved in page.content.decode() and f"{start.hour:02d}:15" not in page.content.decode()


def test_changing_site_url_sends_nothing_and_keeps_the_uid(world, scheduled, entry, settings):
    settings.SITE_URL, settings.SITE_DOMAIN = "https://panels.real-council.gov.uk", "panels.real-council.gov.uk"
    calendar_sync(meeting_id=scheduled.pk)
    assert not waiting()
    _moved(world, scheduled)
    assert {str(Calendar.from_ical(m.ics).walk("VEVENT")[0]["uid"]) for m in waiting()} == {entry.uid}
    assert CalendarEntry.objects.filter(meeting=scheduled).count() == 1


# --- the smaller list ---------------------------------------------------------------------------
def _withdrawn(world, scheduled):
    scheduled.video_link = "https://video.example/panel-room"
    scheduled.save()
    gone = invitee_of(world, scheduled, "invited_stc")
    services.invitee_remove(invitee=gone, actor=world.users["chair"])
    (cancel,) = waiting(to=gone.email)
    return cancel


def test_a_cancel_withdrawing_one_invitee_has_no_status(world, scheduled):
    cancel = _withdrawn(world, scheduled)
    assert "STATUS" not in cancel.ics


@pytest.mark.parametrize("part", ["ics", "body_text", "body_html"])
def test_you_are_no_longer_invited_carries_no_video_link(world, scheduled, part):
    cancel = _withdrawn(world, scheduled)
    assert "video.example" not in getattr(cancel, part)


def test_gmails_comment_parameter_is_kept(world, scheduled, entry):
    partner = invitee_of(world, scheduled, "invited_partner")
    replies_apply(client_reply("gmail", uid=entry.uid, email=partner.email, comment="Joining from court"),
                  sender=partner.email)
    partner.refresh_from_db()
    assert partner.response_comment == "Joining from court"


def test_requests_disallow_counter_and_a_counter_is_refused_with_a_clear_reason(world, scheduled):
    (invite,) = OutboxMessage.objects.filter(ics_method="REQUEST").order_by("id")[:1]
    assert "X-MICROSOFT-DISALLOW-COUNTER:TRUE" in invite.ics
    counter = client_reply("outlook", uid="u@x", email="a@b.example").replace(b"METHOD:REPLY", b"METHOD:COUNTER")
    with pytest.raises(ICalError, match="no proposals of a new time"):
        replies_parse(counter)


def test_the_feed_answers_head_and_a_304_for_its_etag(world, scheduled, client):
    from notifications.feeds import feed_token_create

    url = reverse("calendar_feed", args=[feed_token_create(user=world.users["invited_partner"])])
    full = client.get(url)
    assert full.status_code == 200 and full["ETag"] and full["Last-Modified"]
    head = client.head(url)
    assert head.status_code == 200 and head["ETag"] == full["ETag"] and not head.content
    assert client.get(url, HTTP_IF_NONE_MATCH=full["ETag"]).status_code == 304


def test_the_plain_text_cancellation_ends_the_reason_line(world, scheduled):
    services.meeting_cancel(meeting=scheduled, actor=world.users["chair"], reason="Snow")
    message = waiting(ics_method="CANCEL")[0]
    assert "This meeting has been cancelled: Snow\n" in message.body_text


def test_a_slot_subject_names_its_time_once(world, scheduled):
    start = timezone.localtime(scheduled.starts_at)
    item = AgendaItem.objects.create(meeting=scheduled, child=world.child, slot_start=time(start.hour, 15),
                                     slot_minutes=15)
    item_invitation_add(item=item, actor=world.users["chair"], name="Sam Okafor", email="sam@school.example")
    (invite,) = waiting(to="sam@school.example")
    assert invite.subject.count(f"{start.hour:02d}:15") == 1


def test_the_from_display_name_is_quoted(world, scheduled):
    invite = OutboxMessage.objects.filter(ics_method="REQUEST").first()
    assert invite.from_email.startswith('"High Risk Panel (')


def test_a_reply_to_a_cancelled_meeting_is_told_it_was_cancelled(world, scheduled, entry):
    partner = invitee_of(world, scheduled, "invited_partner")
    services.meeting_cancel(meeting=scheduled, actor=world.users["chair"], reason="Snow")
    outcome = replies_apply(client_reply("outlook", uid=entry.uid, email=partner.email, sequence=1),
                            sender=partner.email)
    assert "cancelled" in outcome.refused[0][1] and "not invited" not in outcome.refused[0][1]


@pytest.mark.parametrize("app", ["outlook_delegate", "apple_delegate"])
def test_a_deputy_of_the_same_agency_by_email_keeps_their_own_name(world, scheduled, entry, app):
    partner = invitee_of(world, scheduled, "invited_partner")
    UserFactory(agency=world.probation, email="pat.lee@probation.example", first_name="Pat", last_name="Lee")
    replies_apply(client_reply(app, uid=entry.uid, email=partner.email, name=partner.name,
                               deputy="pat.lee@probation.example", deputy_name=""), sender=partner.email)
    deputy = scheduled.invitees.get(email="pat.lee@probation.example")
    assert (deputy.name, deputy.agency, deputy.delegate_of) == ("Pat Lee", world.probation, partner)


# --- the hand-written replies of each client, through the API --------------------------------------
@pytest.mark.parametrize("app", ["outlook", "gmail", "apple"])
@pytest.mark.parametrize(("partstat", "response"), [("ACCEPTED", "accepted"), ("DECLINED", "declined"),
                                                    ("TENTATIVE", "tentative")])
def test_each_clients_reply_is_applied(world, scheduled, entry, client, app, partstat, response):
    partner = invitee_of(world, scheduled, "invited_partner")
    ics = client_reply(app, uid=entry.uid, email=partner.email, partstat=partstat, name=partner.name)
    assert post_email(client, as_email(partner.email, ics)).status_code == 200
    partner.refresh_from_db()
    assert partner.response == response


@pytest.mark.parametrize("app", ["outlook", "gmail", "apple"])
def test_each_clients_forged_stale_and_malformed_replies_are_not_applied(world, scheduled, entry, client, app):
    partner = invitee_of(world, scheduled, "invited_partner")
    forged = client_reply(app, uid=entry.uid, email=partner.email)
    assert post_email(client, as_email("someone@else.example", forged)).status_code == 422
    malformed = client_reply(app, uid=entry.uid, email=partner.email, sequence="x1")
    assert post_email(client, as_email(partner.email, malformed)).status_code == 422
    _moved(world, scheduled)
    stale = client_reply(app, uid=entry.uid, email=partner.email, sequence=0)
    assert post_email(client, as_email(partner.email, stale)).json()["kept"]
    partner.refresh_from_db()
    assert partner.response == "needs_action"
