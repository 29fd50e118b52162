"""One status and RAG vocabulary for actions, from one function (issue 15, point 8)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agendas import services as agenda_services
from minutes import services as minutes_services
from minutes.standing import action_standing
from panels.enums import MeetingStatus
from tests.factories import MeetingFactory

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize(("status", "due", "label", "colour"), [
    ("open", TODAY - timedelta(days=1), "Overdue", "red"),
    ("in_progress", TODAY, "Due soon", "yellow"),
    ("blocked", TODAY + timedelta(days=7), "Due soon", "yellow"),
    ("open", TODAY + timedelta(days=8), "On track", "green"),
    ("done", TODAY - timedelta(days=30), "Done", "grey"),
    ("cancelled", TODAY - timedelta(days=30), "Cancelled", "grey"),
])
def test_an_actions_standing_depends_on_its_status_and_due_date_on_the_day_it_is_read(status, due, label, colour):
    standing = action_standing(status=status, due=due, today=TODAY)
    assert (standing.label, standing.colour) == (label, colour)


def test_a_due_date_as_text_reads_the_same_as_a_date():
    assert action_standing(status="open", due="2026-12-01", today=TODAY).days_overdue == 2


@pytest.mark.django_db
def test_an_action_due_before_the_next_meeting_but_after_today_is_nowhere_overdue(world, client):
    """The agenda marked an action due later this month 'Overdue' (it would be by the meeting) while My children
    showed it 'On track': every page now reads it on today's date."""
    chair, today = world.users["chair"], timezone.localdate()
    held = MeetingFactory(panel=world.panel, status=MeetingStatus.IN_PROGRESS,
                          starts_at=timezone.now() - timedelta(days=14), ends_at=timezone.now() - timedelta(days=14))
    minutes_services.action_create(meeting=held, actor=chair, child=world.child, description="Book a visit",
                                   owner_agency=world.yoi, owner=None, due_date=today + timedelta(days=10))
    held.status = MeetingStatus.CLOSED
    held.save()
    world.meeting.starts_at = timezone.now() + timedelta(days=20)
    world.meeting.ends_at = world.meeting.starts_at + timedelta(hours=2)
    world.meeting.save()
    agenda_services.agenda_build(meeting=world.meeting, actor=chair)

    client.force_login(world.users["coordinator"])
    pages = {name: client.get(url).content.decode() for name, url in [
        ("agenda", reverse("meeting_agenda", args=[world.meeting.pk])),
        ("register", reverse("action_register", args=[world.panel.pk])),
    ]}
    client.force_login(world.users["case_manager"])
    pages["my children"] = client.get(reverse("my_children")).content.decode()
    # My children also lists the child's statutory meetings, some overdue: read its open actions only
    pages["my children"] = pages["my children"].split(">Open actions<", 1)[1]
    for name, page in pages.items():
        assert "Book a visit" in page, name
        assert "On track" in page, name
        assert ">Overdue<" not in page, name


@pytest.mark.django_db
def test_the_agenda_shows_reason_titles_never_codes(world, client):
    agenda_services.agenda_child_add(meeting=world.meeting, child=world.child, reason="Risk",
                                     actor=world.users["chair"])
    client.force_login(world.users["coordinator"])
    page = client.get(reverse("meeting_agenda", args=[world.meeting.pk])).content.decode()
    assert "Added by the chair" in page and "MANUAL" not in page


@pytest.mark.django_db
def test_the_rule_settings_name_each_rule_by_its_title(world, client):
    world.panel.kind = "high_risk"
    world.panel.save()
    client.force_login(world.users["coordinator"])
    page = client.get(reverse("panel_rule_settings", args=[world.panel.pk])).content.decode()
    assert "High or very high risk of serious harm" in page and ">HR_ROSH<" not in page
