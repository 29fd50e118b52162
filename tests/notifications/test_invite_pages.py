"""The pages and endpoints of invites: replies, feeds, notices, what was sent. Outsiders get 404."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from agendas.models import AgendaItem
from agendas.services import item_invitation_add
from minutes import services as minutes_services
from notifications.feeds import feed_token_create
from notifications.ical import Person, reply_bytes
from notifications.models import CalendarEntry, EmailPreference, FeedToken, Notification, OutboxMessage
from notifications.outbox import outbox_deliver
from notifications.rsvp import token_for
from panels import services
from panels.enums import MeetingStatus

PERSONAS = ["coordinator", "chair", "case_manager", "invited_partner", "uninvited_partner", "invited_yoi",
            "outsider", "anonymous"]
MANAGERS = {"coordinator", "chair"}


@pytest.fixture
def scheduled(world):
    services.meeting_schedule(meeting=world.draft_meeting, actor=world.users["chair"])
    return world.draft_meeting


# --- the signed reply link ------------------------------------------------------------------------
def test_the_reply_link_shows_a_form_on_get_and_records_only_on_post(world, scheduled, client):
    entry = CalendarEntry.objects.get(uid=scheduled.ical_uid)
    invitee = scheduled.invitees.get(user=world.users["invited_partner"])
    url = reverse("rsvp", args=[token_for(entry_id=entry.pk, email=invitee.email)])
    page = client.get(url + "?answer=declined")
    assert page.status_code == 200 and 'value="declined" checked' in page.content.decode()
    invitee.refresh_from_db()
    assert invitee.response == "needs_action"  # a mail scanner following the link changes nothing
    assert client.post(url, {"response": "accepted", "comment": "On my way"}).status_code == 200
    invitee.refresh_from_db()
    assert (invitee.response, invitee.response_comment) == ("accepted", "On my way")
    bad = client.post(url, {"response": "delegated", "deputy_email": "nope"})
    assert bad.status_code == 400 and "deputy" in bad.content.decode().lower()
    assert client.get(url[:-3] + "xx/").status_code == 403


def test_a_reply_link_for_a_withdrawn_invitation_is_refused(world, scheduled, client):
    entry = CalendarEntry.objects.get(uid=scheduled.ical_uid)
    invitee = scheduled.invitees.get(user=world.users["invited_stc"])
    url = reverse("rsvp", args=[token_for(entry_id=entry.pk, email=invitee.email)])
    services.invitee_remove(invitee=invitee, actor=world.users["chair"])
    response = client.post(url, {"response": "accepted"})
    assert response.status_code == 400 and "not invited" in response.content.decode()


# --- replies on the meeting page -----------------------------------------------------------------
@pytest.mark.parametrize("persona", PERSONAS)
def test_replying_on_the_meeting_page(world, scheduled, login, persona, django_assert_max_num_queries):
    client = login(world, persona)
    with django_assert_max_num_queries(40):
        response = client.post(reverse("meeting_rsvp", args=[scheduled.pk]), {"response": "tentative"})
    invited = persona in ("invited_partner", "invited_yoi")
    if persona == "anonymous":
        assert response.status_code == 302 and "/login" in response["Location"]
    elif invited:
        assert response.status_code == 302
        assert scheduled.invitees.get(user=world.users[persona]).response == "tentative"
    else:
        assert response.status_code == 404


# --- REPLY posted by a mail gateway --------------------------------------------------------------
def test_the_reply_endpoint_needs_its_token_and_applies_a_reply(world, scheduled, client, settings):
    entry = CalendarEntry.objects.get(uid=scheduled.ical_uid)
    invitee = scheduled.invitees.get(user=world.users["invited_partner"])
    reply = reply_bytes(uid=entry.uid, sequence=0, organizer=Person("Panel", "panels@x.example"),
                        attendee=Person(invitee.name, invitee.email, response="declined"), stamp=timezone.now(),
                        comment="On leave")
    url = reverse("itip_replies")
    assert client.post(url, reply, content_type="text/calendar").status_code == 401  # off without a token
    settings.INBOUND_REPLY_TOKEN = "s3cret-gateway-token"
    assert client.post(url, reply, content_type="text/calendar", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    ok = client.post(url, reply, content_type="text/calendar", HTTP_AUTHORIZATION="Bearer s3cret-gateway-token",
                     HTTP_X_CONVENE_SENDER=invitee.email)
    assert ok.status_code == 200 and ok.json()["applied"][0]["response"] == "declined"
    invitee.refresh_from_db()
    assert (invitee.response, invitee.response_comment) == ("declined", "On leave")
    email = (f"From: {invitee.name} <{invitee.email.upper()}>\r\n".encode()
             + b"To: panels@convene.example\r\nSubject: Declined\r\n"
             b"MIME-Version: 1.0\r\nContent-Type: text/calendar; method=REPLY; charset=utf-8\r\n\r\n"
             + reply.replace(b"DECLINED", b"ACCEPTED"))
    ok = client.post(url, email, content_type="message/rfc822", HTTP_AUTHORIZATION="Bearer s3cret-gateway-token")
    assert ok.status_code == 200
    invitee.refresh_from_db()
    assert invitee.response == "accepted"
    bad = client.post(url, b"hello", content_type="text/calendar", HTTP_AUTHORIZATION="Bearer s3cret-gateway-token")
    assert bad.status_code == 422 and "not an iCalendar" in bad.json()["detail"]
    assert client.post(url, b"{}", content_type="application/json",
                       HTTP_AUTHORIZATION="Bearer s3cret-gateway-token").status_code == 415


def test_read_replies_command_reads_an_eml(world, scheduled, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    entry = CalendarEntry.objects.get(uid=scheduled.ical_uid)
    invitee = scheduled.invitees.get(user=world.users["invited_yoi"])
    reply = reply_bytes(uid=entry.uid, sequence=0, organizer=Person("Panel", "panels@x.example"),
                        attendee=Person(invitee.name, invitee.email, response="tentative"), stamp=timezone.now())
    (tmp_path / "reply.eml").write_bytes(f"From: {invitee.email}\r\n".encode()
                                         + b"Subject: Tentative\r\nContent-Type: text/calendar; method=REPLY\r\n\r\n"
                                         + reply)
    (tmp_path / "junk.eml").write_bytes(b"Subject: hello\r\n\r\nno calendar here")
    with pytest.raises(CommandError):  # something was unreadable: exit status 1
        call_command("read_replies", str(tmp_path))
    assert "1 replies applied, 0 kept without change, 0 refused, 1 messages unreadable" in capsys.readouterr().out
    invitee.refresh_from_db()
    assert invitee.response == "tentative"


# --- the calendar feed ---------------------------------------------------------------------------
def test_the_feed_lists_my_meetings_and_slots_and_a_new_token_kills_the_old(world, scheduled, client,
                                                                             django_assert_num_queries):
    user = world.users["invited_partner"]
    token = feed_token_create(user=user)
    services.meeting_cancel(meeting=world.meeting, actor=world.users["chair"], reason="Snow")
    # token, last used, invitations, slots, a child's statutory meetings (issue 16), entries: whatever the size
    with django_assert_num_queries(6):
        response = client.get(reverse("calendar_feed", args=[token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert "method" not in calendar and str(calendar["x-wr-calname"]).startswith("Convene")
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.content.decode()
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {scheduled.ical_uid, world.meeting.ical_uid}
    assert str(events[world.meeting.ical_uid]["status"]) == "CANCELLED"
    assert "attendee" not in events[scheduled.ical_uid]  # a feed lists nobody else
    new = feed_token_create(user=user)
    assert client.get(reverse("calendar_feed", args=[token])).status_code == 404
    assert client.get(reverse("calendar_feed", args=[new])).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(reverse("calendar_feed", args=[new])).status_code == 404


def test_a_slot_invitee_feed_has_the_slot_only(world, scheduled, client):
    start = timezone.localtime(scheduled.starts_at)
    item = AgendaItem.objects.create(meeting=scheduled, child=world.child, slot_start=time(start.hour, 30),
                                     slot_minutes=15)
    from tests.factories import UserFactory

    teacher = UserFactory(agency=world.probation, email="teacher@school.example")
    link = item_invitation_add(item=item, actor=world.users["chair"], name="Tess Teacher",
                               email="teacher@school.example")
    assert link.invitee.user == teacher
    body = client.get(reverse("calendar_feed", args=[feed_token_create(user=teacher)])).content
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert f"-item-{item.pk}@" in str(event["uid"]) and "item slot" in str(event["summary"])
    assert world.child.reference not in body.decode() and world.child.family_name not in body.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_calendar_settings_page(world, login, persona, django_assert_max_num_queries):
    client = login(world, persona)
    with django_assert_max_num_queries(16):
        response = client.post(reverse("calendar_settings"))
    if persona == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200 and "webcal://" in response.content.decode()
    assert FeedToken.objects.filter(user=world.users[persona]).exists()
    assert "webcal://" not in client.get(reverse("calendar_settings")).content.decode()  # shown once
    client.post(reverse("calendar_revoke"))
    assert not FeedToken.objects.filter(user=world.users[persona]).exists()


# --- notices -------------------------------------------------------------------------------------
def test_agenda_published_minutes_approved_and_action_assigned_tell_people(world, scheduled):
    from agendas.services import agenda_publish

    partner = world.users["invited_partner"]
    EmailPreference.objects.create(user=partner, agenda_published=False)
    OutboxMessage.objects.all().delete()
    agenda_publish(meeting=scheduled, actor=world.users["chair"])
    agenda_mail = OutboxMessage.objects.filter(kind="agenda")
    assert partner.email not in {m.to for m in agenda_mail}  # opted out of the email...
    assert Notification.objects.filter(user=partner, kind="agenda").exists()  # ...still told in the app
    assert all("/agenda/" in m.body_text for m in agenda_mail) and agenda_mail.exists()
    services.meeting_start(meeting=scheduled, actor=world.users["chair"])
    minutes_services.action_create(meeting=scheduled, actor=world.users["chair"], child=world.child,
                                   description="Book the review meeting", owner_agency=world.probation, owner=partner,
                                   due_date=scheduled.local_date + timedelta(days=14))
    (given,) = OutboxMessage.objects.filter(kind="action")
    assert given.to == partner.email and "/link/" in given.body_text and world.child.reference not in given.subject


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_notification_list_is_mine(world, login, persona, django_assert_max_num_queries):
    other = world.users["outsider"]
    Notification.objects.create(user=other, kind="agenda", title="Someone else's notice", url="/")
    if persona != "anonymous":
        Notification.objects.create(user=world.users[persona], kind="agenda", title="My notice", url="/")
    client = login(world, persona)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("notification_list"))
    if persona == "anonymous":
        assert response.status_code == 302
        return
    body = response.content.decode()
    assert "My notice" in body and ("Someone else" not in body or persona == "outsider")
    client.post(reverse("notification_list"))
    assert not Notification.objects.filter(user=world.users[persona], read_at=None).exists()


def test_email_preferences_are_saved(world, login):
    client = login(world, "invited_partner")
    client.post(reverse("email_preferences"), {"digest": "no", "emails": ["minutes_approved"]})
    preference = EmailPreference.objects.get(user=world.users["invited_partner"])
    assert (preference.agenda_published, preference.minutes_approved, preference.action_assigned) == (
        False, True, False)


# --- what was sent -------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", PERSONAS)
def test_deliveries_page_is_for_the_chair_and_coordinator(world, scheduled, login, persona,
                                                          django_assert_max_num_queries):
    client = login(world, persona)
    message = OutboxMessage.objects.filter(meeting=scheduled).first()
    OutboxMessage.objects.filter(pk=message.pk).update(status="failed", attempts=12, last_error="Connection refused")
    with django_assert_max_num_queries(16):
        page = client.get(reverse("meeting_deliveries", args=[scheduled.pk]))
    detail = client.get(reverse("outbox_message", args=[message.pk]))
    retry = client.post(reverse("outbox_message_retry", args=[message.pk]))
    if persona == "anonymous":
        assert page.status_code == detail.status_code == retry.status_code == 302
    elif persona in MANAGERS:
        assert page.status_code == 200 and "Gave up" in page.content.decode()
        assert detail.status_code == 200 and "BEGIN:VCALENDAR" in detail.content.decode()
        assert retry.status_code == 302
        message.refresh_from_db()
        assert message.status in ("pending", "sent")
    else:
        assert page.status_code == detail.status_code == retry.status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_managing_invitees_on_the_meeting_page(world, scheduled, login, persona):
    client = login(world, persona)
    response = client.post(reverse("meeting_invitee_add", args=[scheduled.pk]),
                           {"name": "Nia Brook", "email": "nia.brook@health.example", "role": "optional"})
    added = scheduled.invitees.filter(email="nia.brook@health.example").first()
    if persona in MANAGERS:
        assert response.status_code == 302 and added is not None and added.role == "optional"
        assert OutboxMessage.objects.filter(to="nia.brook@health.example", ics_method="REQUEST").exists()
        client.post(reverse("meeting_invitee_remove", args=[scheduled.pk, added.pk]), {"confirm": "yes"})
        assert not scheduled.invitees.filter(email="nia.brook@health.example").exists()
        assert OutboxMessage.objects.filter(to="nia.brook@health.example", ics_method="CANCEL").exists()
    else:
        assert added is None and response.status_code in (302, 404)
        assert response.status_code == (302 if persona == "anonymous" else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_slot_invitations_from_the_agenda(world, scheduled, login, persona):
    item = AgendaItem.objects.create(meeting=scheduled, child=world.child)
    client = login(world, persona)
    response = client.post(reverse("agenda_slot_invite", args=[scheduled.pk, item.pk]),
                           {"name": "Sam Okafor", "email": "sam.okafor@school.example", "agency": ""})
    link = item.invitations.first()
    if persona in MANAGERS:
        assert link is not None and link.invitee.name == "Sam Okafor"
        page = client.get(reverse("meeting_agenda", args=[scheduled.pk])).content.decode()
        assert "Invited for this item only" in page
        client.post(reverse("agenda_slot_uninvite", args=[scheduled.pk, item.pk, link.pk]), {"confirm": "yes"})
        assert not item.invitations.exists()
    else:
        assert link is None and response.status_code == (302 if persona == "anonymous" else 404)


def test_a_slot_invitee_sees_only_that_childs_item(world, scheduled, client):
    from agendas.services import agenda_publish

    AgendaItem.objects.create(meeting=scheduled, child=world.child)
    other = AgendaItem.objects.create(meeting=scheduled, child=world.other_child, position=2)
    partner = world.users["invited_partner"]  # probation: sees every child of a meeting it is invited to
    invitee = scheduled.invitees.get(user=partner)
    item_invitation_add(item=other, actor=world.users["chair"], invitee=invitee)
    agenda_publish(meeting=scheduled, actor=world.users["chair"])
    client.force_login(partner)
    page = client.get(reverse("meeting_agenda", args=[scheduled.pk])).content.decode()
    assert world.other_child.reference in page and world.child.reference not in page


def test_delivered_invites_reach_the_transport(world, scheduled):
    mail.outbox.clear()
    result = outbox_deliver(drain=True)
    assert result.sent == scheduled.invitees.count() and len(mail.outbox) == result.sent
    assert scheduled.status == MeetingStatus.SCHEDULED


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_panels_emails_sent_page(world, login, persona, django_assert_max_num_queries):
    from notifications.outbox import outbox_enqueue

    reminder = outbox_enqueue(kind="reminder", to="officer@probation.example", subject="Convene: an action is due",
                              body_text="Due soon.", panel=world.panel)
    client = login(world, persona)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("panel_deliveries", args=[world.panel.pk]) + "?status=pending")
    detail = client.get(reverse("outbox_message", args=[reminder.pk]))
    if persona == "anonymous":
        assert page.status_code == detail.status_code == 302
    elif persona in MANAGERS:
        assert page.status_code == 200 and "officer@probation.example" in page.content.decode()
        assert detail.status_code == 200
    else:
        assert page.status_code == detail.status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_moving_a_meeting_from_its_page_sends_one_update(world, scheduled, login, persona, settings):
    OutboxMessage.objects.update(status="sent")
    client = login(world, persona)
    day = scheduled.local_date + timedelta(days=1)
    response = client.post(reverse("meeting_change", args=[scheduled.pk]),
                           {"day": day.isoformat(), "starts": "14:00", "ends": "15:30", "location": "Room 4",
                            "video_link": ""})
    scheduled.refresh_from_db()
    if persona in MANAGERS:
        assert response.status_code == 302 and scheduled.location == "Room 4"
        assert timezone.localtime(scheduled.starts_at).hour == 14
        updates = OutboxMessage.objects.filter(status="pending", ics_method="REQUEST")
        assert updates.count() == scheduled.invitees.count()
        bad = client.post(reverse("meeting_change", args=[scheduled.pk]),
                          {"day": day.isoformat(), "starts": "15:00", "ends": "14:00"})
        assert bad.status_code == 400  # the form again, with what was typed (issue 15.7)
        assert OutboxMessage.objects.filter(status="pending").count() == updates.count()
    else:
        assert scheduled.location != "Room 4"
        assert response.status_code == (302 if persona == "anonymous" else 404)


def test_a_reply_note_over_its_limit_is_refused_naming_the_limit_and_kept(world, scheduled, client):
    entry = CalendarEntry.objects.get(uid=scheduled.ical_uid)
    invitee = scheduled.invitees.get(user=world.users["invited_partner"])
    url = reverse("rsvp", args=[token_for(entry_id=entry.pk, email=invitee.email)])
    note = "n" * 501
    page = client.post(url, {"response": "accepted", "comment": note})
    html = page.content.decode()
    assert page.status_code == 400
    assert "The note must be 500 characters or fewer (it has 501)." in html
    assert f'value="{note}"' in html
    assert 'href="#comment"' in html
    invitee.refresh_from_db()
    assert invitee.response != "accepted"


def test_the_reply_page_states_its_limits(world, scheduled, client):
    entry = CalendarEntry.objects.get(uid=scheduled.ical_uid)
    invitee = scheduled.invitees.get(user=world.users["invited_partner"])
    html = client.get(reverse("rsvp", args=[token_for(entry_id=entry.pk, email=invitee.email)])).content.decode()
    assert '<div class="govuk-hint" id="comment-hint">Up to 500 characters.</div>' in html
    assert '<div class="govuk-hint" id="deputy-name-hint">Up to 200 characters.</div>' in html
