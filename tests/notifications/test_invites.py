"""Calendar invites: the reconcile step writes exactly the iTIP messages each invitee needs (RFC 5546)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar

from agendas.models import AgendaItem
from agendas.services import agenda_item_update, item_invitation_add, item_invitation_remove
from notifications.ical import Person, reply_bytes
from notifications.invites import calendar_sync, meeting_label
from notifications.models import CalendarCopy, CalendarEntry, OutboxMessage
from notifications.rsvp import LinkRefused, replies_apply, rsvp_record, token_for, token_read
from panels import services
from panels.enums import MeetingStatus
from tests.factories import InviteeFactory, UserFactory

Status = OutboxMessage.Status


def waiting(**filters):
    return list(OutboxMessage.objects.filter(status=Status.PENDING, **filters).order_by("to", "id"))


def event_of(message: OutboxMessage):
    calendar = Calendar.from_ical(message.ics)
    assert str(calendar["method"]) == message.ics_method
    (event,) = calendar.walk("VEVENT")
    return event


def attendees(event) -> set[str]:
    found = event.get("attendee") or []
    found = found if isinstance(found, list) else [found]
    return {str(a).removeprefix("mailto:") for a in found}


@pytest.fixture
def scheduled(world):
    """The world's draft meeting, scheduled now: the first invites go out."""
    meeting = world.draft_meeting
    services.meeting_schedule(meeting=meeting, actor=world.users["chair"])
    return meeting


def test_a_draft_sends_nothing_and_scheduling_invites_everyone_at_once(world):
    assert not OutboxMessage.objects.exists()
    calendar_sync(meeting_id=world.draft_meeting.pk)
    assert not OutboxMessage.objects.exists()
    meeting = world.draft_meeting
    services.meeting_schedule(meeting=meeting, actor=world.users["chair"])
    sent = waiting(meeting=meeting)
    emails = sorted(meeting.invitees.values_list("email", flat=True))
    assert [m.to for m in sent] == emails
    for message in sent:
        assert message.ics_method == "REQUEST" and message.not_before <= timezone.now()
        event = event_of(message)
        assert str(event["uid"]) == meeting.ical_uid and meeting.ical_uid.endswith("@testserver") is False
        assert event["sequence"] == 0
        assert attendees(event) == set(emails)  # sent to exactly the addresses listed as ATTENDEE
        assert message.subject.startswith("Invitation: High Risk Panel")
        assert "/rsvp/" in message.body_text and "/rsvp/" in message.body_html


def test_a_burst_of_changes_sends_one_update_with_the_latest_sequence_and_time(world, scheduled, settings):
    settings.INVITE_DEBOUNCE_SECONDS = 60
    OutboxMessage.objects.update(status=Status.SENT)
    chair = world.users["chair"]
    start = scheduled.starts_at
    for minutes in (15, 30, 45):
        services.meeting_update(meeting=scheduled, actor=chair, starts_at=start + timedelta(minutes=minutes),
                                ends_at=scheduled.ends_at + timedelta(minutes=minutes), location="Room 7",
                                video_link="")
    pending = waiting(meeting=scheduled)
    assert len(pending) == scheduled.invitees.count()  # one per attendee, the others superseded
    assert OutboxMessage.objects.filter(status=Status.SUPERSEDED).count() == 2 * len(pending)
    for message in pending:
        assert message.not_before > timezone.now() + timedelta(seconds=50)  # debounced
        event = event_of(message)
        assert event["sequence"] == CalendarEntry.objects.get(uid=scheduled.ical_uid).sequence >= 1
        assert event.start == start + timedelta(minutes=45)
        assert str(event["location"]) == "Room 7"
        assert message.subject.startswith("Updated invitation:")


def test_cancelling_sends_cancel_with_a_higher_sequence_and_replaces_a_waiting_update(world, scheduled):
    OutboxMessage.objects.update(status=Status.SENT)
    services.meeting_update(meeting=scheduled, actor=world.users["chair"], starts_at=scheduled.starts_at,
                            ends_at=scheduled.ends_at, location="Room 8", video_link="")
    update_sequence = event_of(waiting()[0])["sequence"]
    services.meeting_cancel(meeting=scheduled, actor=world.users["chair"], reason="Chair unwell")
    pending = waiting(meeting=scheduled)
    assert {m.ics_method for m in pending} == {"CANCEL"}
    assert len(pending) == scheduled.invitees.count()
    for message in pending:
        event = event_of(message)
        assert str(event["status"]) == "CANCELLED" and event["sequence"] > update_sequence
        assert str(event["summary"]).startswith("Cancelled:") and message.subject.startswith("Cancelled:")
        assert str(event["summary"]) == f"Cancelled: {meeting_label(scheduled)}"  # as its invites called it
        assert message.not_before <= timezone.now()


def test_removing_one_attendee_cancels_for_them_alone_and_updates_the_rest(world, scheduled):
    OutboxMessage.objects.update(status=Status.SENT)
    gone = scheduled.invitees.get(user=world.users["invited_stc"])
    services.invitee_remove(invitee=gone, actor=world.users["chair"])
    cancel = waiting(to=gone.email)
    assert [m.ics_method for m in cancel] == ["CANCEL"]
    event = event_of(cancel[0])
    assert attendees(event) == {gone.email} and "STATUS" not in event  # RFC 5546 §3.2.5: no STATUS change
    others = waiting(ics_method="REQUEST")
    assert {m.to for m in others} == set(scheduled.invitees.values_list("email", flat=True))
    assert all(gone.email not in attendees(event_of(m)) for m in others)


def test_a_new_attendee_is_invited_at_once(world, scheduled, settings):
    OutboxMessage.objects.update(status=Status.SENT)
    services.invitee_add(meeting=scheduled, actor=world.users["chair"], name="Dana Fairweather",
                         email="dana.fairweather@health.example", role="optional")
    (mine,) = waiting(to="dana.fairweather@health.example")
    assert mine.not_before <= timezone.now() and mine.subject.startswith("Invitation:")
    with pytest.raises(ValidationError, match="already invited"):
        services.invitee_add(meeting=scheduled, actor=world.users["chair"], name="Dana",
                             email="Dana.Fairweather@health.example")
    with pytest.raises(ValidationError) as error:
        services.invitee_add(meeting=scheduled, actor=world.users["chair"], name="", email="not-an-address")
    assert set(error.value.message_dict) == {"name", "email"}


def test_a_slot_invitee_gets_the_slot_not_the_meeting_and_moving_the_slot_updates_only_them(world, scheduled):
    start = timezone.localtime(scheduled.starts_at)
    item = AgendaItem.objects.create(meeting=scheduled, child=world.child, slot_start=time(start.hour, 20),
                                     slot_minutes=20)
    OutboxMessage.objects.update(status=Status.SENT)
    item_invitation_add(item=item, actor=world.users["chair"], name="Sam Okafor", email="sam.okafor@school.example")
    (invite,) = waiting(to="sam.okafor@school.example")
    event = event_of(invite)
    assert str(event["uid"]) != scheduled.ical_uid and f"-item-{item.pk}@" in str(event["uid"])
    assert event.start == start.replace(minute=20, second=0, microsecond=0)
    assert event.end - event.start == timedelta(minutes=20)
    assert "item slot" in str(event["summary"]) and attendees(event) == {"sam.okafor@school.example"}
    assert not waiting(ics_method="REQUEST", to__in=scheduled.invitees.exclude(
        email="sam.okafor@school.example").values("email"))  # the others' meeting entry did not change
    OutboxMessage.objects.update(status=Status.SENT)
    agenda_item_update(item=item, actor=world.users["chair"], expected_version=item.version,
                       slot_start=time(start.hour, 40), slot_minutes=15, presenter=None)
    (update,) = waiting()
    assert update.to == "sam.okafor@school.example"
    assert event_of(update).start == start.replace(minute=40, second=0, microsecond=0)
    assert event_of(update)["sequence"] == 1
    OutboxMessage.objects.update(status=Status.SENT)
    item_invitation_remove(link=item.invitations.get(), actor=world.users["chair"])
    (cancel,) = waiting()
    assert cancel.ics_method == "CANCEL" and cancel.to == "sam.okafor@school.example"


def test_no_child_identifier_in_any_invite(world, scheduled):
    start = timezone.localtime(scheduled.starts_at)
    item = AgendaItem.objects.create(meeting=scheduled, child=world.child, slot_start=time(start.hour, 20),
                                     slot_minutes=20)
    item_invitation_add(item=item, actor=world.users["chair"], name="Sam Okafor", email="sam.okafor@school.example")
    services.meeting_cancel(meeting=scheduled, actor=world.users["chair"], reason="Moved to next month")
    child = world.child
    for message in OutboxMessage.objects.all():
        text = " ".join([message.subject, message.ics, message.body_text, message.body_html])
        for identifier in (child.reference, child.family_name, f"{child.given_name} {child.family_name}"):
            assert identifier not in text


def test_replies_by_link_page_and_itip_reply_are_recorded_without_a_new_sequence(world, scheduled):
    entry = CalendarEntry.objects.get(uid=scheduled.ical_uid)
    invitee = scheduled.invitees.get(user=world.users["invited_partner"])
    OutboxMessage.objects.update(status=Status.SENT)
    link = token_read(token_for(entry_id=entry.pk, email=invitee.email))
    rsvp_record(entry=entry, email=link.email, response="tentative", comment="May be late")
    invitee.refresh_from_db()
    assert (invitee.response, invitee.response_comment) == ("tentative", "May be late")
    reply = reply_bytes(uid=entry.uid, sequence=entry.sequence, organizer=Person("Panel", "panels@x.example"),
                        attendee=Person(invitee.name, invitee.email.upper(), response="accepted"),
                        stamp=timezone.now(), comment="Will attend")
    outcome = replies_apply(reply, sender=invitee.email)
    assert len(outcome.applied) == 1 and not outcome.refused
    invitee.refresh_from_db()
    assert invitee.response == "accepted"
    entry.refresh_from_db()
    assert entry.sequence == 0 and not waiting()  # replies change no one's calendar
    stranger = reply_bytes(uid=entry.uid, sequence=0, organizer=Person("Panel", "panels@x.example"),
                           attendee=Person("Nobody", "nobody@else.example", response="accepted"), stamp=timezone.now())
    assert "not invited" in replies_apply(stranger, sender="nobody@else.example").refused[0][1]
    with pytest.raises(LinkRefused):
        token_read(token_for(entry_id=entry.pk, email=invitee.email) + "x")


def test_sending_a_deputy_of_the_same_agency_invites_the_deputy_and_marks_the_delegation(world, scheduled):
    entry = CalendarEntry.objects.get(uid=scheduled.ical_uid)
    invitee = scheduled.invitees.get(user=world.users["invited_partner"])
    UserFactory(agency=world.users["invited_partner"].agency, email="priya.lennox@probation.example",
                first_name="Priya", last_name="Lennox")
    OutboxMessage.objects.update(status=Status.SENT)
    with pytest.raises(ValidationError) as error:
        rsvp_record(entry=entry, email=invitee.email, response="delegated", deputy_name="", deputy_email="x")
    assert set(error.value.message_dict) == {"deputy_name", "deputy_email"}
    rsvp_record(entry=entry, email=invitee.email, response="delegated", deputy_name="Priya Lennox",
                deputy_email="priya.lennox@probation.example")
    deputy = scheduled.invitees.get(email="priya.lennox@probation.example")
    assert deputy.delegate_of == invitee and deputy.agency == invitee.agency and deputy.name == "Priya Lennox"
    (invite,) = waiting(to=deputy.email)
    line = [a for a in invite.ics.replace("\r\n ", "").splitlines() if "priya.lennox" in a and "ATTENDEE" in a][0]
    assert "DELEGATED-FROM" in line
    delegator = [a for a in invite.ics.replace("\r\n ", "").splitlines()
                 if a.startswith("ATTENDEE") and a.endswith(f":mailto:{invitee.email}")][0]
    assert "PARTSTAT=DELEGATED" in delegator and "DELEGATED-TO" in delegator


def test_a_cancelled_meeting_takes_no_replies(world, scheduled):
    entry = CalendarEntry.objects.get(uid=scheduled.ical_uid)
    invitee = scheduled.invitees.first()
    services.meeting_cancel(meeting=scheduled, actor=world.users["chair"], reason="Snow")
    with pytest.raises(ValidationError):
        rsvp_record(entry=entry, email=invitee.email, response="accepted")
    assert CalendarCopy.objects.filter(entry=entry, method="CANCEL").count() == scheduled.invitees.count()


def test_invites_never_go_for_closed_meetings_and_an_invitee_user_is_linked(world, scheduled):
    user = UserFactory(agency=world.probation, email="linked@probation.example")
    invitee = services.invitee_add(meeting=scheduled, actor=world.users["chair"], name="", email="", user=user)
    assert invitee.user == user and invitee.email == "linked@probation.example"
    scheduled.status = MeetingStatus.CLOSED
    scheduled.save()
    with pytest.raises(ValidationError, match="closed or cancelled"):
        services.invitee_add(meeting=scheduled, actor=world.users["chair"], name="A", email="a@b.example")
    assert InviteeFactory  # factories stay importable for the other tests here
