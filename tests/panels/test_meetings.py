"""Meetings from a panel's cadence, and their life cycle."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from panels import services
from panels.cadence import CadenceError, cadence_dates, describe_cadence, parse_cadence
from panels.enums import MeetingStatus

pytestmark = pytest.mark.django_db


def test_first_thursday_monthly():
    assert cadence_dates("FREQ=MONTHLY;BYDAY=+1TH", start=date(2026, 10, 1), end=date(2027, 1, 31)) == [
        date(2026, 10, 1), date(2026, 11, 5), date(2026, 12, 3), date(2027, 1, 7),
    ]
    assert describe_cadence("FREQ=MONTHLY;BYDAY=+1TH") == "First Thursday of each month"
    assert describe_cadence("FREQ=MONTHLY;BYDAY=-1FR") == "Last Friday of each month"


@pytest.mark.parametrize("text", ["", "FREQ=DAILY", "FREQ=MONTHLY;COUNT=3", "every thursday", "FREQ=MONTHLY;BYDAY=XX"])
def test_bad_cadences_are_refused_with_a_reason(text):
    with pytest.raises(CadenceError):
        parse_cadence(text)


def test_generate_creates_drafts_once_in_local_time_across_bst(world):
    panel = world.panel
    created = services.meetings_generate(panel=panel, start=date(2027, 2, 1), end=date(2027, 5, 31))
    assert [timezone.localtime(m.starts_at).date() for m in created] == [
        date(2027, 2, 4), date(2027, 3, 4), date(2027, 4, 1), date(2027, 5, 6),
    ]
    # 10:00 London both in GMT (February) and BST (April)
    assert {timezone.localtime(m.starts_at).time() for m in created} == {time(10, 0)}
    assert created[0].starts_at.utcoffset().total_seconds() == 0
    assert {m.status for m in created} == {MeetingStatus.DRAFT}
    assert services.meetings_generate(panel=panel, start=date(2027, 2, 1), end=date(2027, 5, 31)) == []


def test_meetings_on_bank_holidays_move_to_the_working_day_before(world):
    world.panel.cadence = "FREQ=MONTHLY;BYDAY=-1FR"  # last Friday: 25 Dec 2026 is Christmas Day
    created = services.meetings_generate(panel=world.panel, start=date(2026, 12, 1), end=date(2027, 1, 31))
    assert [timezone.localtime(m.starts_at).date() for m in created] == [date(2026, 12, 24), date(2027, 1, 29)]


def test_generated_meetings_invite_the_panel_members(world):
    created = services.meetings_generate(panel=world.panel, start=date(2027, 2, 1), end=date(2027, 2, 28))
    invitee = created[0].invitees.get()
    assert invitee.user == world.users["chair"] and invitee.role == "chair"


def test_status_moves_only_forward(world, django_capture_on_commit_callbacks):
    meeting = world.draft_meeting
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.meeting_schedule(meeting=meeting, actor=world.users["chair"])
    events = [c for c in callbacks if c.__qualname__.startswith("event_emit")]
    assert meeting.status == MeetingStatus.SCHEDULED and len(events) == 1
    with pytest.raises(ValidationError, match="cannot become closed"):
        services.meeting_close(meeting=meeting, actor=world.users["chair"])
    services.meeting_start(meeting=meeting, actor=world.users["chair"])
    services.meeting_close(meeting=meeting, actor=world.users["chair"])
    with pytest.raises(ValidationError):
        services.meeting_cancel(meeting=meeting, actor=world.users["chair"], reason="too late")


def test_cancelling_needs_a_reason(world):
    meeting = world.meeting
    with pytest.raises(ValidationError, match="reason"):
        services.meeting_cancel(meeting=meeting, actor=world.users["chair"], reason="  ")
    services.meeting_cancel(meeting=meeting, actor=world.users["chair"], reason="Chair unwell")
    assert meeting.status == MeetingStatus.CANCELLED and meeting.cancelled_reason == "Chair unwell"


def test_moving_a_meeting_changes_time_and_place(world):
    chair = world.users["chair"]
    new_start = timezone.make_aware(datetime(2027, 3, 4, 14, 0))
    sent = services.meeting_update(meeting=world.meeting, actor=chair, starts_at=new_start,
                                   ends_at=new_start.replace(hour=16), location="Room 9", video_link="")
    assert (sent.starts_at, sent.location) == (new_start, "Room 9")
    with pytest.raises(ValidationError, match="end after"):
        services.meeting_update(meeting=world.meeting, actor=chair, starts_at=new_start, ends_at=new_start,
                                location="", video_link="")
