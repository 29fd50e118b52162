"""Issue 15, point 7, on the meeting page: the surprising or irreversible steps ask first (on the server: a
POST without confirm=yes shows the page and changes nothing); a refused form comes back with what was typed,
its section open and an error summary linking each message to its field; every limit is stated and named."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from panels.enums import MeetingStatus
from panels.models import Meeting

pytestmark = pytest.mark.django_db

OUTSIDERS = ("case_manager", "invited_partner", "uninvited_partner", "invited_yoi", "outsider")


def status_url(meeting, action):
    return reverse("meeting_status", args=[meeting.pk, action])


def status_of(meeting) -> str:
    return Meeting.objects.get(pk=meeting.pk).status


def summary_links(html: str) -> list[str]:
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="#([^"]+)"', summary)


def html_ids(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


# --- opening early ------------------------------------------------------------------------------------
def test_opening_before_the_start_shows_what_will_happen_on_get(world, login):
    response = login(world, "chair").get(status_url(world.meeting, "start"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Open the meeting before it starts?" in html
    assert "cannot go back to scheduled" in html
    assert 'name="confirm" value="yes"' in html
    assert f'href="{reverse("meeting_detail", args=[world.meeting.pk])}"' in html  # the way back
    assert status_of(world.meeting) == MeetingStatus.SCHEDULED


def test_opening_early_without_confirming_does_not_open(world, login):
    response = login(world, "chair").post(status_url(world.meeting, "start"))
    assert response.status_code == 200
    assert "Open the meeting now" in response.content.decode()
    assert status_of(world.meeting) == MeetingStatus.SCHEDULED


def test_opening_early_once_confirmed_opens(world, login):
    response = login(world, "chair").post(status_url(world.meeting, "start"), {"confirm": "yes"})
    assert response.status_code == 302
    assert status_of(world.meeting) == MeetingStatus.IN_PROGRESS


def test_opening_at_the_start_time_needs_no_confirmation(world, login):
    Meeting.objects.filter(pk=world.meeting.pk).update(starts_at=timezone.now() - timedelta(minutes=5),
                                                       ends_at=timezone.now() + timedelta(hours=2))
    response = login(world, "chair").post(status_url(world.meeting, "start"))
    assert response.status_code == 302
    assert status_of(world.meeting) == MeetingStatus.IN_PROGRESS


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_the_confirmation_is_not_found_for_anyone_but_the_managers(world, login, persona):
    response = login(world, persona).get(status_url(world.meeting, "start"))
    assert response.status_code == 404


def test_the_confirmation_page_is_not_cached(world, login):
    response = login(world, "chair").get(status_url(world.meeting, "start"))
    assert response["Cache-Control"] == "no-store"


def test_the_confirmation_page_reads_few_queries(world, login, django_assert_max_num_queries):
    client = login(world, "chair")
    with django_assert_max_num_queries(12):
        client.get(status_url(world.meeting, "start"))


# --- closing early -------------------------------------------------------------------------------------
def _open(world):
    Meeting.objects.filter(pk=world.meeting.pk).update(status=MeetingStatus.IN_PROGRESS)


def test_closing_before_the_end_without_confirming_does_not_close(world, login):
    _open(world)
    response = login(world, "chair").post(status_url(world.meeting, "close"))
    assert "Close the meeting before its end time?" in response.content.decode()
    assert status_of(world.meeting) == MeetingStatus.IN_PROGRESS


def test_closing_early_once_confirmed_closes(world, login):
    _open(world)
    login(world, "chair").post(status_url(world.meeting, "close"), {"confirm": "yes"})
    assert status_of(world.meeting) == MeetingStatus.CLOSED


def test_closing_after_the_end_needs_no_confirmation(world, login):
    Meeting.objects.filter(pk=world.meeting.pk).update(
        status=MeetingStatus.IN_PROGRESS, starts_at=timezone.now() - timedelta(hours=3),
        ends_at=timezone.now() - timedelta(hours=1))
    login(world, "chair").post(status_url(world.meeting, "close"))
    assert status_of(world.meeting) == MeetingStatus.CLOSED


def test_a_confirmation_asked_by_someone_who_may_not_act_is_not_found(world, login):
    _open(world)
    response = login(world, "invited_partner").post(status_url(world.meeting, "close"), {"confirm": "yes"})
    assert response.status_code == 404
    assert status_of(world.meeting) == MeetingStatus.IN_PROGRESS


# --- cancelling ----------------------------------------------------------------------------------------
def test_cancelling_asks_first_and_carries_the_reason(world, login):
    response = login(world, "chair").post(status_url(world.meeting, "cancel"), {"reason": "Chair unwell"})
    html = response.content.decode()
    assert "Cancel this meeting?" in html
    assert '<input type="hidden" name="reason" value="Chair unwell">' in html
    assert status_of(world.meeting) == MeetingStatus.SCHEDULED


def test_cancelling_once_confirmed_cancels(world, login):
    login(world, "chair").post(status_url(world.meeting, "cancel"), {"reason": "Chair unwell", "confirm": "yes"})
    assert status_of(world.meeting) == MeetingStatus.CANCELLED


def test_a_cancellation_reason_over_its_limit_is_named_and_kept(world, login):
    reason = "r" * 301
    response = login(world, "chair").post(status_url(world.meeting, "cancel"), {"reason": reason})
    html = response.content.decode()
    assert response.status_code == 400
    assert "The reason must be 300 characters or fewer (it has 301)." in html
    assert f'value="{reason}"' in html
    assert status_of(world.meeting) == MeetingStatus.SCHEDULED


# --- moving into the past ------------------------------------------------------------------------------
def _move(client, meeting, day, starts="09:00", ends="11:00", **extra):
    return client.post(reverse("meeting_change", args=[meeting.pk]),
                       {"day": day.isoformat(), "starts": starts, "ends": ends, "location": "Room 9", **extra})


def test_moving_into_the_past_asks_first_and_keeps_the_input(world, login):
    before = Meeting.objects.get(pk=world.meeting.pk).starts_at
    response = _move(login(world, "chair"), world.meeting, timezone.localdate() - timedelta(days=3))
    html = response.content.decode()
    assert "Move the meeting to a time that has passed?" in html
    assert '<input type="hidden" name="location" value="Room 9">' in html
    assert Meeting.objects.get(pk=world.meeting.pk).starts_at == before


def test_moving_into_the_past_once_confirmed_moves(world, login):
    day = timezone.localdate() - timedelta(days=3)
    _move(login(world, "chair"), world.meeting, day, confirm="yes")
    assert Meeting.objects.get(pk=world.meeting.pk).local_date == day


def test_moving_to_a_later_day_needs_no_confirmation(world, login):
    day = timezone.localdate() + timedelta(days=40)
    response = _move(login(world, "chair"), world.meeting, day)
    assert response.status_code == 302
    assert Meeting.objects.get(pk=world.meeting.pk).local_date == day


# --- withdrawing an invitation -------------------------------------------------------------------------
def _invitee(world):
    return world.meeting.invitees.get(user=world.users["invited_partner"])


def test_withdrawing_an_invitation_says_a_cancellation_goes(world, login):
    invitee = _invitee(world)
    response = login(world, "chair").get(reverse("meeting_invitee_remove", args=[world.meeting.pk, invitee.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{invitee.name} is sent a cancellation" in html


def test_withdrawing_without_confirming_keeps_the_invitation(world, login):
    invitee = _invitee(world)
    login(world, "chair").post(reverse("meeting_invitee_remove", args=[world.meeting.pk, invitee.pk]))
    assert world.meeting.invitees.filter(pk=invitee.pk).exists()


def test_withdrawing_once_confirmed_removes(world, login):  # the cancellation: test_invite_pages
    invitee = _invitee(world)
    login(world, "chair").post(reverse("meeting_invitee_remove", args=[world.meeting.pk, invitee.pk]),
                               {"confirm": "yes"})
    assert not world.meeting.invitees.filter(pk=invitee.pk).exists()


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_the_withdrawal_page_is_not_found_for_others(world, login, persona):
    invitee = _invitee(world)
    response = login(world, persona).get(reverse("meeting_invitee_remove", args=[world.meeting.pk, invitee.pk]))
    assert response.status_code == 404


def test_removing_from_a_draft_needs_no_confirmation(world, login):
    invitee = world.draft_meeting.invitees.first()
    login(world, "chair").post(reverse("meeting_invitee_remove", args=[world.draft_meeting.pk, invitee.pk]))
    assert not world.draft_meeting.invitees.filter(pk=invitee.pk).exists()


# --- errors: input kept, summary linked, limits stated -------------------------------------------------
def test_a_refused_invitation_keeps_the_input_and_opens_its_section(world, login):
    response = login(world, "chair").post(reverse("meeting_invitee_add", args=[world.meeting.pk]),
                                          {"name": "Nia Brook", "email": "not-an-address"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="Nia Brook"' in html
    assert 'value="not-an-address"' in html
    assert '<details class="govuk-details" open>' in html


def test_the_error_summary_links_each_message_to_its_field(world, login):
    response = login(world, "chair").post(reverse("meeting_invitee_add", args=[world.meeting.pk]),
                                          {"name": "", "email": "not-an-address"})
    html = response.content.decode()
    links = summary_links(html)
    assert links == ["invitee-name", "invitee-email"]
    assert set(links) <= html_ids(html)


def test_the_page_title_says_error(world, login):
    response = login(world, "chair").post(reverse("meeting_invitee_add", args=[world.meeting.pk]), {"name": ""})
    assert "<title>Error: " in response.content.decode()


def test_a_name_over_its_limit_is_named_not_called_empty(world, login):
    response = login(world, "chair").post(reverse("meeting_invitee_add", args=[world.meeting.pk]),
                                          {"name": "n" * 10_000, "email": "nia@health.example"})
    html = response.content.decode()
    assert "The name must be 200 characters or fewer (it has 10,000)." in html
    assert "Give the name" not in html


def test_every_free_text_field_states_its_limit(world, login):
    html = login(world, "chair").get(reverse("meeting_detail", args=[world.meeting.pk])).content.decode()
    for field, limit in (("change-location", "200"), ("invitee-name", "200"), ("cancel-reason", "300")):
        hint = html.split(f'id="{field}-hint"', 1)[1].split("</div>", 1)[0]
        assert f"Up to {limit} characters." in hint


def test_a_refused_move_keeps_the_input(world, login):
    response = _move(login(world, "chair"), world.meeting, timezone.localdate() + timedelta(days=9),
                     starts="11:00", ends="10:00")
    html = response.content.decode()
    assert response.status_code == 400
    assert summary_links(html) == ["change-ends"]
    assert 'value="Room 9"' in html


def test_cancelling_without_a_reason_links_the_summary_to_the_reason(world, login):
    response = login(world, "chair").post(status_url(world.meeting, "cancel"), {})
    html = response.content.decode()
    assert response.status_code == 400
    assert summary_links(html) == ["cancel-reason"]
    assert status_of(world.meeting) == MeetingStatus.SCHEDULED
