"""Meetings can be filtered by panel (issue 15, point 11)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from panels.enums import MeetingStatus
from tests.factories import InviteeFactory, MeetingFactory, PanelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def education(world):
    panel = PanelFactory(service=world.service, name="Education Panel")
    MeetingFactory(panel=panel, status=MeetingStatus.SCHEDULED, location="Civic Centre, Room 4",
                   starts_at=world.meeting.starts_at + timedelta(days=3),
                   ends_at=world.meeting.ends_at + timedelta(days=3))
    return panel


def test_meetings_filtered_by_panel_show_only_that_panels_meetings(world, client, education):
    client.force_login(world.users["coordinator"])
    page = client.get(reverse("meeting_list"), {"panel": education.pk}).content.decode()
    assert "Civic Centre, Room 4" in page
    assert world.meeting.location not in page


def test_the_panel_filter_offers_the_panels_of_the_meetings_the_user_may_see(world, client, education):
    y2a = PanelFactory(service=world.service, name="Y2A Panel")
    meeting = MeetingFactory(panel=y2a, status=MeetingStatus.SCHEDULED)
    InviteeFactory(meeting=meeting, user=world.users["invited_partner"])
    client.force_login(world.users["invited_partner"])  # invited to High Risk and Y2A meetings, not Education
    page = client.get(reverse("meeting_list")).content.decode()
    assert 'name="panel"' in page
    assert "High Risk Panel</option>" in page and "Y2A Panel</option>" in page
    assert "Education Panel</option>" not in page


def test_a_panel_the_user_may_not_see_filters_to_nothing(world, client, education):
    client.force_login(world.users["invited_partner"])
    page = client.get(reverse("meeting_list"), {"panel": education.pk}).content.decode()
    assert "Civic Centre, Room 4" not in page


def test_the_filter_is_kept_when_moving_between_upcoming_and_past(world, client, education):
    client.force_login(world.users["coordinator"])
    page = client.get(reverse("meeting_list"), {"panel": education.pk}).content.decode()
    assert f"show=past&amp;panel={education.pk}" in page
