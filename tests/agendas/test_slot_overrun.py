"""When the slots overrun the meeting's end, the chair is warned with what would fit (issue 15, point 5)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from agendas import services as agenda_services
from agendas.models import AgendaItem
from agendas.timing import slot_overrun
from panels.enums import LegalStatus
from tests.factories import ChildFactory, EpisodeFactory

LONDON = ZoneInfo("Europe/London")
START, END = datetime(2026, 12, 10, 10, 0, tzinfo=LONDON), datetime(2026, 12, 10, 12, 0, tzinfo=LONDON)


def _slots(count: int, minutes: int, first: time = time(10, 15)) -> list[tuple[time, int]]:
    base = datetime.combine(START.date(), first)
    return [((base + timedelta(minutes=minutes * n)).time(), minutes) for n in range(count)]


def test_slots_that_end_before_the_closing_items_raise_no_warning():
    assert slot_overrun(slots=_slots(19, 5), starts_at=START, ends_at=END, opening_minutes=15,
                        closing_minutes=10) is None


def test_forty_one_children_in_five_minute_slots_run_past_a_meeting_ending_at_noon():
    overrun = slot_overrun(slots=_slots(41, 5), starts_at=START, ends_at=END, opening_minutes=15, closing_minutes=10)
    assert overrun.runs_to == time(13, 40) and overrun.closing_at == time(11, 50)
    assert overrun.over_minutes == 110 and overrun.listed == 41
    assert overrun.fit == 19  # 10:15 to 11:50 is 95 minutes: nineteen 5-minute slots
    assert overrun.minutes_each is None and overrun.most_at_minimum == 19


def test_when_shorter_slots_would_fit_everyone_the_warning_says_how_long():
    overrun = slot_overrun(slots=_slots(8, 15), starts_at=START, ends_at=END, opening_minutes=15, closing_minutes=10)
    assert overrun.fit == 6 and overrun.minutes_each == 11


@pytest.mark.django_db
def test_the_agenda_page_warns_the_chair_when_the_slots_overrun(world, client):
    chair = world.users["chair"]
    meeting = world.meeting
    meeting.starts_at = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=7)
    meeting.ends_at = meeting.starts_at + timedelta(hours=2)
    meeting.save()
    for n in range(30):
        child = ChildFactory(service=world.service, reference=f"YJ-9{n:03d}", legal_status=LegalStatus.SENTENCED)
        EpisodeFactory(child=child, establishment=world.yoi)
        agenda_services.agenda_child_add(meeting=meeting, child=child, reason="Risk", actor=chair)
    agenda_services.agenda_assign_slots(meeting=meeting, actor=chair)
    assert AgendaItem.objects.filter(meeting=meeting, slot_minutes=5).count() == 30
    client.force_login(chair)
    page = client.get(reverse("meeting_agenda", args=[meeting.pk])).content.decode()
    assert "govuk-warning-text" in page
    assert "The slots run to 12:45" in page and "19 of the 30 children" in page


@pytest.mark.django_db
def test_partners_are_not_shown_the_overrun_warning(world, client):
    chair = world.users["chair"]
    for n in range(30):
        child = ChildFactory(service=world.service, reference=f"YJ-9{n:03d}", legal_status=LegalStatus.SENTENCED)
        EpisodeFactory(child=child, establishment=world.yoi)
        agenda_services.agenda_child_add(meeting=world.meeting, child=child, reason="Risk", actor=chair)
    agenda_services.agenda_assign_slots(meeting=world.meeting, actor=chair)
    agenda_services.agenda_publish(meeting=world.meeting, actor=chair)
    client.force_login(world.users["invited_yoi"])
    page = client.get(reverse("meeting_agenda", args=[world.meeting.pk])).content.decode()
    assert "The slots run to" not in page


@pytest.mark.django_db
def test_the_chairs_tools_come_before_the_list_of_children(world, client):
    agenda_services.agenda_child_add(meeting=world.meeting, child=world.child, reason="Risk",
                                     actor=world.users["chair"])
    client.force_login(world.users["chair"])
    page = client.get(reverse("meeting_agenda", args=[world.meeting.pk])).content.decode()
    assert page.index("Chair's tools") < page.index('action="' + reverse("agenda_publish", args=[world.meeting.pk]))
    assert page.index('action="' + reverse("agenda_publish", args=[world.meeting.pk])) < page.index(
        f'id="item-{world.child.pk}"')


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["panel_detail", "meeting_detail", "meeting_agenda"])
def test_forward_look_rules_and_referrals_are_linked_for_the_chair(world, client, url_name):
    client.force_login(world.users["chair"])
    target = world.panel if url_name == "panel_detail" else world.meeting
    page = client.get(reverse(url_name, args=[target.pk])).content.decode()
    for name in ("panel_forward_look", "panel_rule_settings", "panel_referrals"):
        assert f'href="{reverse(name, args=[world.panel.pk])}"' in page, name
