"""The child's statutory meetings (issue 16, point 2): planned and held, the *_held_on fields they set, the pages
and who may use them, and the calendar invites they send (same iTIP, outbox and replies as a panel meeting)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from agendas.selectors import statutory_meetings_due
from notifications.child_invites import SUMMARY
from notifications.ical import Person, reply_bytes
from notifications.models import CalendarCopy, CalendarEntry, OutboxMessage
from notifications.rsvp import replies_apply, rsvp_record
from panels import child_meeting_services as cms
from panels import child_meetings, record_services
from panels.enums import ChildMeetingKind, ChildMeetingStatus, NetworkRole
from panels.models import AuditEntry, Child, ChildMeeting, ChildMeetingParticipant
from tests.notifications.peers import unfolded_lines, utc_times

Kind, Status = ChildMeetingKind, ChildMeetingStatus
LONDON = timezone.get_default_timezone()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute), LONDON)


# --- pure rules --------------------------------------------------------------------------------------------------
def test_the_held_field_is_the_latest_held_date_or_what_it_said_before():
    assert child_meetings.held_field_after([date(2026, 10, 1), date(2026, 11, 2)], before=None) == date(2026, 11, 2)
    assert child_meetings.held_field_after([], before=date(2026, 9, 30)) == date(2026, 9, 30)
    assert child_meetings.held_field_after([None], before=None) is None


def test_every_kind_with_an_agenda_code_sets_a_field_and_review_and_pre_transfer_do_not():
    assert set(child_meetings.HELD_FIELDS) == set(child_meetings.RULE_CODES)
    assert Kind.REVIEW not in child_meetings.HELD_FIELDS
    assert Kind.PRE_TRANSFER not in child_meetings.HELD_FIELDS
    assert child_meetings.HELD_FIELDS[Kind.TRANSITION] == "transition_meeting_held_on"


@pytest.mark.parametrize(("kind", "looked_after", "ehcp", "roles"), [
    (Kind.POST_RELEASE_REVIEW, True, False, {"iro", "establishment_caseworker", "parent_carer"}),
    (Kind.POST_RELEASE_REVIEW, False, False, {"establishment_caseworker", "parent_carer"}),
    (Kind.INITIAL_PLANNING, False, True, {"sen_case_manager", "establishment_caseworker", "parent_carer"}),
    (Kind.INITIAL_PLANNING, False, False, {"establishment_caseworker", "parent_carer"}),
    (Kind.TRANSITION, False, False, {"probation_officer", "establishment_caseworker", "parent_carer"}),
])
def test_who_is_suggested_for_each_kind(kind, looked_after, ehcp, roles):
    members = list(enumerate(NetworkRole.values))
    found = child_meetings.suggestions(members, kind=kind, looked_after=looked_after, ehcp=ehcp)
    assert {NetworkRole.values[s.member_id] for s in found} == roles
    assert all(s.reason for s in found)


def test_names_in_finds_whole_names_only():
    assert child_meetings.names_in("Visits hall, Ann Smith", ["Smith", "YJ-0001"]) == ["Smith"]
    assert child_meetings.names_in("Smithfield centre", ["Smith"]) == []
    assert child_meetings.names_in("re yj-0001", ["YJ-0001"]) == ["YJ-0001"]
    assert child_meetings.names_in("Room 2", ["Al"]) == []  # too short to tell


# --- services and invites -------------------------------------------------------------------------------------
def _network(world):
    actor = world.users["coordinator"]
    parent = record_services.network_member_add(child=world.child, actor=actor, role=NetworkRole.PARENT_CARER,
                                                name="Fictional Parent", email="parent@example.org")
    caseworker = record_services.network_member_add(
        child=world.child, actor=actor, role=NetworkRole.ESTABLISHMENT_CASEWORKER,
        email=world.users["invited_yoi"].email)
    mentor = record_services.network_member_add(child=world.child, actor=actor, role=NetworkRole.MENTOR,
                                                name="Mentor Without Email")
    return parent, caseworker, mentor


def _plan(world, *, kind=Kind.INITIAL_PLANNING, day=date(2027, 1, 12), members=None, **kw):
    if members is None:
        members = _network(world)
    return cms.child_meeting_plan(
        child=world.child, actor=world.users["case_manager"], kind=kind, starts_at=at(day, 10),
        ends_at=at(day, 11), place="establishment", location=kw.pop("location", "Legal visits room"),
        members=members, staff=[world.users["case_manager"]], **kw)


def waiting(**filters):
    return list(OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, **filters).order_by("to", "id"))


def event_of(message):
    calendar = Calendar.from_ical(message.ics)
    assert str(calendar["method"]) == message.ics_method
    (event,) = calendar.walk("VEVENT")
    return event


@pytest.mark.django_db
def test_planning_invites_everyone_with_an_email_address_at_once(world):
    meeting = _plan(world)
    sent = waiting()
    assert sorted(m.to for m in sent) == sorted([world.users["case_manager"].email, "parent@example.org",
                                                 world.users["invited_yoi"].email])
    assert meeting.participants.count() == 4  # the mentor is invited without an email: recorded, no invite
    for message in sent:
        assert message.ics_method == "REQUEST"
        assert message.not_before <= timezone.now()
        event = event_of(message)
        assert str(event["uid"]) == meeting.ical_uid
        assert event["sequence"] == 0
        assert str(event["summary"]) == SUMMARY
        assert message.subject.startswith(f"Invitation: {SUMMARY}, ")
        assert "/rsvp/" in message.body_text
    assert AuditEntry.objects.filter(action="child.meeting_planned", child=world.child).count() == 1


@pytest.mark.django_db
def test_no_child_identifier_in_any_calendar_field_subject_or_link(world):
    meeting = _plan(world)
    child = world.child
    identifiers = [child.family_name, child.reference, child.date_of_birth.isoformat(),
                   f"{child.date_of_birth:%d/%m/%Y}", f"/children/{child.pk}/"]
    for message in waiting():
        fields = [line for line in unfolded_lines(message.ics)
                  if line.split(":", 1)[0].split(";", 1)[0] in ("SUMMARY", "DESCRIPTION", "LOCATION", "URL")]
        assert len(fields) >= 4
        for text in (*fields, message.subject, message.body_text, message.body_html):
            for identifier in identifiers:
                assert identifier.lower() not in text.lower(), (identifier, text)
    assert reverse("child_meeting_go", args=[meeting.pk]) in waiting()[0].body_text


@pytest.mark.django_db
def test_four_parsers_read_the_same_time(world):
    _plan(world, day=date(2027, 3, 29))  # the Monday after BST begins
    ics = waiting()[0].ics.encode()
    expected = [(at(date(2027, 3, 29), 10).astimezone(UTC), at(date(2027, 3, 29), 11).astimezone(UTC))]
    assert expected[0][0].hour == 9  # BST
    for parser, found in utc_times(ics, around=datetime(2027, 3, 29, tzinfo=UTC)).items():
        assert found == expected, parser


@pytest.mark.django_db
def test_a_change_sends_an_update_with_a_higher_sequence_and_a_removed_invitee_a_cancel(world, settings):
    settings.INVITE_DEBOUNCE_SECONDS = 60
    parent, caseworker, mentor = _network(world)
    meeting = _plan(world, members=[parent, caseworker, mentor])
    OutboxMessage.objects.update(status=OutboxMessage.Status.SENT)
    day = date(2027, 1, 13)
    cms.child_meeting_change(meeting=meeting, actor=world.users["case_manager"], kind=meeting.kind,
                             starts_at=at(day, 14), ends_at=at(day, 15), place="video", location="",
                             video_link="https://video.example/abc", members=[caseworker, mentor],
                             staff=[world.users["case_manager"]])
    cancels = waiting(ics_method="CANCEL")
    assert [m.to for m in cancels] == ["parent@example.org"]
    assert "STATUS:CANCELLED" not in cancels[0].ics
    updates = waiting(ics_method="REQUEST")
    assert sorted(m.to for m in updates) == sorted([world.users["case_manager"].email,
                                                    world.users["invited_yoi"].email])
    for message in updates:
        assert event_of(message)["sequence"] == 1
        assert message.subject.startswith("Updated invitation:")
        assert message.not_before > timezone.now()  # debounced, like a panel meeting's update
    assert not meeting.participants.filter(member=parent).exists()


@pytest.mark.django_db
def test_cancelling_cancels_every_calendar(world):
    meeting = _plan(world)
    OutboxMessage.objects.update(status=OutboxMessage.Status.SENT)
    cms.child_meeting_cancel(meeting=meeting, actor=world.users["case_manager"], reason="The room is unavailable")
    cancels = waiting(ics_method="CANCEL")
    assert len(cancels) == 3
    for message in cancels:
        event = event_of(message)
        assert str(event["status"]) == "CANCELLED"
        assert event["sequence"] == 1
        assert message.subject.startswith(f"Cancelled: {SUMMARY}")
    assert CalendarEntry.objects.get(child_meeting=meeting).cancelled


@pytest.mark.django_db
def test_a_place_or_cancel_reason_naming_the_child_is_refused_and_nothing_is_written(world):
    with pytest.raises(ValidationError) as refused:
        _plan(world, location=f"Room 3, {world.child.family_name}")
    assert "location" in refused.value.message_dict
    assert not ChildMeeting.objects.exists()
    meeting = _plan(world, members=[])
    with pytest.raises(ValidationError):
        cms.child_meeting_cancel(meeting=meeting, actor=world.users["case_manager"],
                                 reason=f"{world.child.reference} is ill")
    meeting.refresh_from_db()
    assert meeting.status == Status.PLANNED


@pytest.mark.django_db
def test_recording_as_held_sets_the_field_ends_the_agenda_reason_and_shows_in_the_export(world, client):
    meeting = _plan(world)
    assert "RS_INITIAL_PLANNING" in {d["code"] for d in statutory_meetings_due(child=world.child,
                                                                               today=date(2026, 12, 1))}
    parent = meeting.participants.get(name="Fictional Parent")
    cms.child_meeting_record_held(meeting=meeting, actor=world.users["case_manager"], held_on=date(2026, 9, 25),
                                  outcome="Plan agreed.", child_attended=True, family_attended=True,
                                  attended=[parent.pk])
    child = Child.objects.get(pk=world.child.pk)
    assert child.ipm_held_on == date(2026, 9, 25)
    assert "RS_INITIAL_PLANNING" not in {d["code"] for d in statutory_meetings_due(child=child,
                                                                                   today=date(2026, 12, 1))}
    assert ChildMeetingParticipant.objects.get(pk=parent.pk).attended is True
    assert AuditEntry.objects.filter(action="child.meeting_held", child=world.child).exists()
    client.force_login(world.users["coordinator"])
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("cohort_export")).content.decode())))
    (row,) = [r for r in rows if r["reference"] == world.child.reference]
    assert row["ipm_held_on"] == "2026-09-25"


@pytest.mark.django_db
def test_correcting_and_undoing_a_held_meeting_put_the_field_right(world):
    Child.objects.filter(pk=world.child.pk).update(penultimate_held_on=date(2026, 8, 1))  # from a cohort import
    world.child.refresh_from_db()
    meeting = _plan(world, kind=Kind.PENULTIMATE, members=[])
    actor = world.users["case_manager"]
    cms.child_meeting_record_held(meeting=meeting, actor=actor, held_on=date(2026, 11, 2))
    assert Child.objects.get(pk=world.child.pk).penultimate_held_on == date(2026, 11, 2)
    cms.child_meeting_record_held(meeting=meeting, actor=actor, held_on=date(2026, 11, 3))  # a corrected day
    assert Child.objects.get(pk=world.child.pk).penultimate_held_on == date(2026, 11, 3)
    assert AuditEntry.objects.filter(action="child.meeting_corrected", child=world.child).exists()
    cms.child_meeting_cancel(meeting=meeting, actor=actor, reason="Recorded by mistake", not_held=True)
    meeting.refresh_from_db()
    assert meeting.status == Status.NOT_HELD
    assert Child.objects.get(pk=world.child.pk).penultimate_held_on == date(2026, 8, 1)  # as the import said


@pytest.mark.django_db
def test_a_review_is_recorded_and_sets_no_field(world):
    meeting = _plan(world, kind=Kind.REVIEW, members=[])
    before = {f: getattr(world.child, f) for f in child_meetings.HELD_FIELDS.values()}
    cms.child_meeting_record_held(meeting=meeting, actor=world.users["case_manager"], held_on=date(2026, 11, 2))
    child = Child.objects.get(pk=world.child.pk)
    assert {f: getattr(child, f) for f in before} == before


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "field"), [
    ({"held_on": None}, "held_on"),
    ({"held_on": date(2100, 1, 1)}, "held_on"),
    ({"outcome": "x" * (child_meetings.OUTCOME_LIMIT + 1)}, "outcome"),
])
def test_recording_as_held_refuses_bad_input_whole(world, changes, field):
    meeting = _plan(world, members=[])
    with pytest.raises(ValidationError) as refused:
        cms.child_meeting_record_held(meeting=meeting, actor=world.users["case_manager"],
                                      **{"held_on": date(2026, 11, 2), **changes})
    assert field in refused.value.message_dict
    assert Child.objects.get(pk=world.child.pk).ipm_held_on is None
    assert ChildMeeting.objects.get(pk=meeting.pk).status == Status.PLANNED


@pytest.mark.django_db
def test_a_cancelled_meeting_cannot_be_recorded_as_held_or_changed(world):
    meeting = _plan(world, members=[])
    actor = world.users["case_manager"]
    cms.child_meeting_cancel(meeting=meeting, actor=actor)
    with pytest.raises(ValidationError):
        cms.child_meeting_record_held(meeting=meeting, actor=actor, held_on=date(2026, 11, 2))
    with pytest.raises(ValidationError):
        cms.child_meeting_change(meeting=meeting, actor=actor, kind=meeting.kind, starts_at=meeting.starts_at,
                                 ends_at=meeting.ends_at, place=meeting.place)


# --- replies ---------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_contact_without_a_login_replies_by_link_through_rsvp_record(world):
    meeting = _plan(world)
    entry = CalendarEntry.objects.get(child_meeting=meeting)
    result = rsvp_record(entry=entry, email="parent@example.org", response="accepted", source="link")
    assert result.outcome == "applied"
    assert meeting.participants.get(email="parent@example.org").response == "accepted"
    assert CalendarCopy.objects.get(entry=entry, email="parent@example.org").response == "accepted"
    with pytest.raises(ValidationError):
        rsvp_record(entry=entry, email="parent@example.org", response="delegated", deputy_name="Someone",
                    deputy_email="someone@example.org")
    with pytest.raises(ValidationError):  # only the attendee answers for themself
        rsvp_record(entry=entry, email="parent@example.org", response="declined", sender="other@example.org")


@pytest.mark.django_db
def test_an_itip_reply_is_applied_and_a_cancelled_meeting_takes_none(world):
    meeting = _plan(world)
    entry = CalendarEntry.objects.get(child_meeting=meeting)
    reply = reply_bytes(uid=entry.uid, sequence=0, attendee=Person("Fictional Parent", "parent@example.org",
                                                                   response="declined"),
                        organizer=Person("Org", "org@example.org"), stamp=timezone.now())
    outcome = replies_apply(reply, sender="parent@example.org")
    assert len(outcome.applied) == 1
    assert meeting.participants.get(email="parent@example.org").response == "declined"
    cms.child_meeting_cancel(meeting=meeting, actor=world.users["case_manager"])
    assert replies_apply(reply, sender="parent@example.org").refused


def _parent_reply(entry, *, response="accepted", sequence=0, stamp=None):
    return reply_bytes(uid=entry.uid, sequence=sequence, stamp=stamp or timezone.now(),
                       attendee=Person("Fictional Parent", "parent@example.org", response=response),
                       organizer=Person("Org", "org@example.org"))


def _parent_answer(meeting):
    return meeting.participants.get(email="parent@example.org").response


def _moved(world, meeting, members, *, hours=2):
    cms.child_meeting_change(meeting=meeting, actor=world.users["case_manager"], kind=meeting.kind,
                             starts_at=meeting.starts_at + timedelta(hours=hours),
                             ends_at=meeting.ends_at + timedelta(hours=hours), place=meeting.place,
                             location=meeting.location, members=members, staff=[world.users["case_manager"]])


@pytest.mark.django_db
def test_a_child_meeting_reply_from_another_sender_is_refused_and_changes_nothing(world):
    meeting = _plan(world)
    entry = CalendarEntry.objects.get(child_meeting=meeting)
    outcome = replies_apply(_parent_reply(entry, response="declined"), sender="mallory@evil.example")
    assert "only the attendee answers for themself" in outcome.refused[0][1]
    assert _parent_answer(meeting) == "needs_action"


@pytest.mark.django_db
def test_a_child_meeting_reply_from_the_attendee_in_another_case_is_applied(world):
    meeting = _plan(world)
    entry = CalendarEntry.objects.get(child_meeting=meeting)
    replies_apply(_parent_reply(entry, response="declined"), sender="Parent@Example.ORG")
    assert _parent_answer(meeting) == "declined"


@pytest.mark.django_db
def test_a_child_meeting_reply_for_an_earlier_sequence_is_kept_but_changes_nothing(world):
    members = _network(world)
    meeting = _plan(world, members=members)
    _moved(world, meeting, members)
    entry = CalendarEntry.objects.get(child_meeting=meeting)
    assert entry.sequence == 1
    outcome = replies_apply(_parent_reply(entry, sequence=0), sender="parent@example.org")
    assert "earlier version" in outcome.kept[0][1]
    assert _parent_answer(meeting) == "needs_action"


@pytest.mark.django_db
def test_a_child_meeting_reply_above_the_sequence_sent_is_refused(world):
    meeting = _plan(world)
    entry = CalendarEntry.objects.get(child_meeting=meeting)
    outcome = replies_apply(_parent_reply(entry, sequence=5), sender="parent@example.org")
    assert "newer than any version" in outcome.refused[0][1]
    assert _parent_answer(meeting) == "needs_action"


@pytest.mark.django_db
@pytest.mark.parametrize("order", ["newer first", "older first"])
def test_a_child_meeting_answer_with_the_later_dtstamp_wins_whatever_the_order(world, order):
    meeting = _plan(world)
    entry = CalendarEntry.objects.get(child_meeting=meeting)
    now = timezone.now()
    newer = _parent_reply(entry, response="declined", stamp=now)
    older = _parent_reply(entry, response="accepted", stamp=now - timedelta(minutes=5))
    for reply in ([newer, older] if order == "newer first" else [older, newer]):
        replies_apply(reply, sender="parent@example.org")
    assert _parent_answer(meeting) == "declined"


@pytest.mark.django_db
def test_moving_a_child_meeting_resets_every_answer(world):
    members = _network(world)
    meeting = _plan(world, members=members)
    entry = CalendarEntry.objects.get(child_meeting=meeting)
    replies_apply(_parent_reply(entry), sender="parent@example.org")
    _moved(world, meeting, members)
    assert _parent_answer(meeting) == "needs_action"
    assert CalendarCopy.objects.get(entry=entry, email="parent@example.org").response == "needs_action"


@pytest.mark.django_db
def test_moving_a_child_meeting_asks_every_attendee_again(world):
    members = _network(world)
    meeting = _plan(world, members=members)
    entry = CalendarEntry.objects.get(child_meeting=meeting)
    replies_apply(_parent_reply(entry), sender="parent@example.org")
    OutboxMessage.objects.update(status=OutboxMessage.Status.SENT)
    _moved(world, meeting, members)
    (update,) = waiting(to="parent@example.org")
    (line,) = [a for a in unfolded_lines(update.ics.encode()) if a.startswith("ATTENDEE") and
               a.lower().endswith("parent@example.org")]
    assert "PARTSTAT=NEEDS-ACTION" in line
    assert "RSVP=TRUE" in line


@pytest.mark.django_db
def test_the_rsvp_page_of_a_child_meeting_names_no_child_and_offers_no_deputy(world, client):
    from notifications.rsvp import token_for

    meeting = _plan(world)
    entry = CalendarEntry.objects.get(child_meeting=meeting)
    body = client.get(reverse("rsvp", args=[token_for(entry_id=entry.pk, email="parent@example.org")])).content
    text = body.decode()
    assert SUMMARY in text
    assert world.child.family_name not in text
    assert "deputy" not in text.lower()


# --- pages -----------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_case_manager_plans_and_records_on_the_pages(world, client):
    parent, caseworker, _ = _network(world)
    client.force_login(world.users["case_manager"])
    url = reverse("child_meeting_list", args=[world.child.pk])
    form = client.get(url, {"kind": "initial_planning"}).content.decode()
    assert "suggested" in form
    response = client.post(url, {"kind": "initial_planning", "day": "2027-01-12", "start": "10:00", "end": "11:00",
                                 "place": "establishment", "location": "Visits hall",
                                 "members": [parent.pk, caseworker.pk], "staff": [world.users["case_manager"].pk]})
    assert response.status_code == 302
    meeting = ChildMeeting.objects.get()
    detail = reverse("child_meeting_detail", args=[world.child.pk, meeting.pk])
    assert response["Location"] == detail
    page = client.get(detail).content.decode()
    assert "Fictional Parent" in page
    parent_row = meeting.participants.get(member=parent)
    assert f'type="checkbox" value="{parent_row.pk}"' in page  # who took part: one box per invitee
    assert client.post(reverse("child_meeting_held", args=[world.child.pk, meeting.pk]),
                       {"held_on": "2026-09-25", "child_attended": "yes", "family_attended": "no",
                        "attended": [parent_row.pk], "outcome": "Agreed"}).status_code == 302
    assert Child.objects.get(pk=world.child.pk).ipm_held_on == date(2026, 9, 25)
    recorded = ChildMeeting.objects.get(pk=meeting.pk)
    assert (recorded.child_attended, recorded.family_attended) == (True, False)
    assert ChildMeetingParticipant.objects.get(pk=parent_row.pk).attended is True
    child_page = client.get(reverse("child_detail", args=[world.child.pk])).content.decode()
    assert "Initial planning meeting" in child_page
    for action in ("child.meetings_viewed", "child.meeting_viewed"):
        assert AuditEntry.objects.filter(action=action, child=world.child).exists()


@pytest.mark.django_db
def test_bad_input_on_the_page_names_what_is_wrong(world, client):
    client.force_login(world.users["case_manager"])
    url = reverse("child_meeting_list", args=[world.child.pk])
    response = client.post(url, {"kind": "initial_planning", "day": "2027-01-12", "start": "11:00", "end": "10:00",
                                 "place": "video"})
    assert response.status_code == 400
    assert "The meeting must end after it starts." in response.content.decode()
    assert not ChildMeeting.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["outsider", "other_case_manager", "invited_partner", "invited_yoi"])
def test_outsiders_get_404_on_every_child_meeting_page(world, client, persona):
    meeting = _plan(world, members=[])
    client.force_login(world.users[persona])
    child_id = world.child.pk
    for url in (reverse("child_meeting_list", args=[child_id]),
                reverse("child_meeting_detail", args=[child_id, meeting.pk]),
                reverse("child_meeting_go", args=[meeting.pk])):
        assert client.get(url).status_code == 404, url
    for name in ("child_meeting_detail", "child_meeting_held", "child_meeting_cancel"):
        assert client.post(reverse(name, args=[child_id, meeting.pk]),
                           {"held_on": "2026-10-01", "action": "cancel"}).status_code == 404, name
    meeting.refresh_from_db()
    assert meeting.status == Status.PLANNED


@pytest.mark.django_db
def test_a_meeting_is_found_only_through_its_own_child(world, client):
    meeting = _plan(world, members=[])
    client.force_login(world.users["coordinator"])
    assert client.get(reverse("child_meeting_detail", args=[world.other_child.pk, meeting.pk])).status_code == 404
    go = client.get(reverse("child_meeting_go", args=[meeting.pk]))
    assert go.status_code == 302
    assert go["Location"] == reverse("child_meeting_detail", args=[world.child.pk, meeting.pk])


@pytest.mark.django_db
def test_the_pages_cost_the_same_whatever_the_number_of_meetings(world, client, django_assert_max_num_queries):
    client.force_login(world.users["case_manager"])
    _network(world)
    meeting = _plan(world, members=[])
    for offset in range(1, 6):
        _plan(world, kind=Kind.REVIEW, day=date(2027, 2, 1) + timedelta(days=offset), members=[])
    # measured with 6 meetings: 13, 12 and 14 queries (the list's plan form starts on the first meeting due, with
    # the network read once for its suggestions and its boxes)
    with django_assert_max_num_queries(13):  # the child's page parts (meetings due, release, escalation): constant
        assert client.get(reverse("child_meeting_list", args=[world.child.pk])).status_code == 200
    with django_assert_max_num_queries(13):
        assert client.get(reverse("child_meeting_detail", args=[world.child.pk, meeting.pk])).status_code == 200
    # the child page: 18 with the release address and ETE and the escalation steps (tests/panels/test_page_queries)
    with django_assert_max_num_queries(18):
        assert client.get(reverse("child_detail", args=[world.child.pk])).status_code == 200


@pytest.mark.django_db
def test_recording_as_held_rebuilds_the_agendas_without_the_reason(world, django_capture_on_commit_callbacks):
    """v2 §7: the panel oversees the meeting until it is recorded as held; then its reason leaves the agenda."""
    import time_machine

    from agendas import services as agenda_services
    from agendas.models import AgendaItem
    from panels.enums import MeetingStatus
    from tests.factories import MeetingFactory, PanelFactory

    with time_machine.travel(datetime(2026, 12, 3, 9, 0, tzinfo=UTC), tick=False):
        panel = PanelFactory(service=world.service, name="Resettlement panel", kind="resettlement")
        meeting = MeetingFactory(panel=panel, starts_at=at(date(2027, 1, 7), 10), ends_at=at(date(2027, 1, 7), 12),
                                 status=MeetingStatus.SCHEDULED)
        agenda_services.agenda_build(meeting=meeting)

        def codes() -> set[str]:
            item = AgendaItem.objects.get(meeting=meeting, child=world.child, state=AgendaItem.State.LISTED)
            return set(item.codes)

        assert "RS_INITIAL_PLANNING" in codes()
        ipm = _plan(world, members=[])
        with django_capture_on_commit_callbacks(execute=True):
            cms.child_meeting_record_held(meeting=ipm, actor=world.users["case_manager"],
                                          held_on=date(2026, 9, 25))
        assert "RS_INITIAL_PLANNING" not in codes()


@pytest.mark.django_db
def test_a_users_feed_lists_their_child_meetings_without_the_child(world, client):
    from notifications.feeds import feed_token_create

    meeting = _plan(world, members=[])
    token = feed_token_create(user=world.users["case_manager"])
    body = client.get(reverse("calendar_feed", args=[token])).content.decode()
    assert meeting.ical_uid in body
    assert SUMMARY in body
    assert world.child.family_name not in body
    assert world.child.reference not in body
    cms.child_meeting_cancel(meeting=meeting, actor=world.users["case_manager"])
    calendar = Calendar.from_ical(client.get(reverse("calendar_feed", args=[token])).content)
    (event,) = [e for e in calendar.walk("VEVENT") if str(e["uid"]) == meeting.ical_uid]
    assert str(event["status"]) == "CANCELLED"


# --- what the case manager sees first --------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_child_page_lists_every_meeting_due_not_only_the_overdue_ones(world, client):
    today = timezone.localdate()
    world.child.episodes.update(start_date=today - timedelta(days=1))  # initial planning due in 10 working days
    due = statutory_meetings_due(child=world.child, today=today)
    assert [d for d in due if not d["overdue"]], "the world's child has a meeting due and not yet overdue"
    client.force_login(world.users["case_manager"])
    page = client.get(reverse("child_detail", args=[world.child.pk])).content.decode()
    for d in due:
        assert f"<strong>{d['title']}</strong>: due by" in page, d["title"]


@pytest.mark.django_db
def test_planning_starts_on_the_first_meeting_due_that_is_not_yet_planned(world, client):
    due = statutory_meetings_due(child=world.child, today=timezone.localdate())
    client.force_login(world.users["case_manager"])
    url = reverse("child_meeting_list", args=[world.child.pk])
    assert f'<option value="{due[0]["kind"]}" selected>' in client.get(url).content.decode()
    _plan(world, kind=due[0]["kind"], members=[])
    form = client.get(url).content.decode()
    assert f'<option value="{due[0]["kind"]}" selected>' not in form
    if len(due) > 1:
        assert f'<option value="{due[1]["kind"]}" selected>' in form
    assert f'<option value="{Kind.REVIEW}" selected>' in client.get(url, {"kind": Kind.REVIEW}).content.decode()


@pytest.mark.django_db
def test_an_empty_network_says_how_to_add_people_to_invite(world, client):
    client.force_login(world.users["case_manager"])
    url = reverse("child_meeting_list", args=[world.child.pk])
    assert "Nobody is in the child" in client.get(url).content.decode()
    _network(world)
    assert "Nobody is in the child" not in client.get(url).content.decode()
