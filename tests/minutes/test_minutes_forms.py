"""Issue 15, point 7, on the minutes page: approving early or approving an empty record asks first (on the
server); a refused form comes back with what was typed, its item open and a linked error summary; a decision
over its limit is named as too long (it used to get "Write the decision.")."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from minutes import services
from minutes.models import Decision, MinutesRevision
from panels.enums import MeetingStatus
from panels.models import Meeting

pytestmark = pytest.mark.django_db

OUTSIDERS = ("case_manager", "invited_partner", "uninvited_partner", "invited_yoi", "outsider")


def summary_links(html: str) -> list[str]:
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="#([^"]+)"', summary)


def html_ids(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def approve_url(w):
    return reverse("minutes_approve", args=[w.meeting.pk])


@pytest.fixture
def closed(live):
    """The meeting closed after its end time, with a decision recorded."""
    services.decision_record(meeting=live.meeting, actor=live.users["chair"], text="Refer to CAMHS",
                             child=live.child)
    Meeting.objects.filter(pk=live.meeting.pk).update(
        status=MeetingStatus.CLOSED, starts_at=timezone.now() - timedelta(hours=3),
        ends_at=timezone.now() - timedelta(hours=1))
    return live


# --- approval ------------------------------------------------------------------------------------------
def test_approving_a_held_meeting_with_a_record_needs_no_confirmation(closed, login):
    response = login(closed, "chair").post(approve_url(closed))
    assert response.status_code == 302
    assert MinutesRevision.objects.filter(meeting=closed.meeting).count() == 1


def test_approving_before_the_end_time_asks_first(closed, login):
    Meeting.objects.filter(pk=closed.meeting.pk).update(ends_at=timezone.now() + timedelta(hours=1))
    response = login(closed, "chair").post(approve_url(closed))
    html = response.content.decode()
    assert "Approve the minutes before the meeting&#39;s end time?" in html
    assert "cannot be withdrawn" in html
    assert not MinutesRevision.objects.exists()


def test_approving_early_once_confirmed_approves(closed, login):
    Meeting.objects.filter(pk=closed.meeting.pk).update(ends_at=timezone.now() + timedelta(hours=1))
    login(closed, "chair").post(approve_url(closed), {"confirm": "yes"})
    assert MinutesRevision.objects.filter(meeting=closed.meeting).count() == 1


def test_approving_empty_minutes_asks_first_on_get(closed, login):
    Decision.objects.all().delete()
    response = login(closed, "chair").get(approve_url(closed))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Approve minutes that record nothing?" in html
    assert not MinutesRevision.objects.exists()


def test_approving_empty_minutes_without_confirming_does_not_approve(closed, login):
    Decision.objects.all().delete()
    login(closed, "chair").post(approve_url(closed))
    assert not MinutesRevision.objects.exists()


def test_approving_empty_minutes_once_confirmed_approves(closed, login):
    Decision.objects.all().delete()
    login(closed, "chair").post(approve_url(closed), {"confirm": "yes"})
    assert MinutesRevision.objects.filter(meeting=closed.meeting).count() == 1


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_the_approval_confirmation_is_not_found_for_others(closed, login, persona):
    Decision.objects.all().delete()
    assert login(closed, persona).get(approve_url(closed)).status_code == 404


def test_the_approval_confirmation_reads_few_queries(closed, login, django_assert_max_num_queries):
    Decision.objects.all().delete()
    client = login(closed, "chair")
    with django_assert_max_num_queries(20):
        client.get(approve_url(closed))


def test_a_revision_reason_over_its_limit_comes_back_named_and_kept(closed, login):
    services.minutes_approve(meeting=closed.meeting, actor=closed.users["chair"])
    reason = "r" * 501
    response = login(closed, "chair").post(approve_url(closed), {"reason": reason})
    html = response.content.decode()
    assert response.status_code == 400
    assert "The reason must be 500 characters or fewer (it has 501)." in html
    assert f'value="{reason}"' in html
    assert summary_links(html) == ["approve-reason"]


def test_a_revision_without_a_reason_comes_back_on_its_field(closed, login):
    services.minutes_approve(meeting=closed.meeting, actor=closed.users["chair"])
    response = login(closed, "chair").post(approve_url(closed), {"reason": ""})
    assert summary_links(response.content.decode()) == ["approve-reason"]
    assert MinutesRevision.objects.filter(meeting=closed.meeting).count() == 1


# --- the record's forms ---------------------------------------------------------------------------------
def test_a_decision_over_its_limit_is_named_as_too_long_and_kept(live, login):
    text = "d" * 10_000
    response = login(live, "chair").post(reverse("minutes_decision_add", args=[live.meeting.pk]),
                                         {"text": text, "child": live.child.pk})
    html = response.content.decode()
    assert response.status_code == 400
    assert "The decision must be 4,000 characters or fewer (it has 10,000)." in html
    assert "Write the decision." not in html
    assert text in html
    assert not Decision.objects.exists()


def test_an_empty_decision_links_to_its_own_item_s_field(live, login):
    response = login(live, "chair").post(reverse("minutes_decision_add", args=[live.meeting.pk]),
                                         {"text": "  ", "child": live.child.pk})
    html = response.content.decode()
    assert summary_links(html) == [f"decision-{live.child.pk}-text"]
    assert f"decision-{live.child.pk}-text" in html_ids(html)


def test_a_refused_action_keeps_every_field_and_opens_its_item(live, login):
    response = login(live, "chair").post(reverse("minutes_action_add", args=[live.meeting.pk]), {
        "description": "Confirm the address", "owner_agency": live.probation.pk, "due_date": "next week",
        "child": live.child.pk})
    html = response.content.decode()
    assert response.status_code == 400
    assert summary_links(html) == [f"action-{live.child.pk}-due_date"]
    assert 'value="Confirm the address"' in html
    assert f'<option value="{live.probation.pk}" selected>' in html
    assert 'value="next week"' in html
    assert html.count("<details class=\"govuk-details\" open>") == 1


def test_every_free_text_field_on_the_minutes_page_states_its_limit(live, login):
    html = login(live, "chair").get(reverse("minutes_page", args=[live.meeting.pk])).content.decode()
    key = live.child.pk
    assert "Up to 4,000 characters." in html.split(f'id="decision-{key}-text-info"', 1)[1].split("</div>", 1)[0]
    for field, limit in ((f"action-{key}-description", "2,000"), (f"att-{key}-name", "200")):
        assert f"Up to {limit} characters." in html.split(f'id="{field}-hint"', 1)[1].split("</div>", 1)[0]


# --- the action page -------------------------------------------------------------------------------------
@pytest.fixture
def action(live):
    return services.action_create(meeting=live.meeting, actor=live.users["chair"], child=live.child,
                                  description="Confirm the release address", owner_agency=live.probation,
                                  owner=live.users["invited_partner"],
                                  due_date=live.meeting.local_date + timedelta(days=10))


def test_a_progress_note_over_its_limit_comes_back_named_and_kept(live, action, login):
    note = "n" * 4001
    response = login(live, "invited_partner").post(reverse("action_update", args=[action.pk]),
                                                   {"version": action.version, "status": "", "note": note})
    html = response.content.decode()
    assert response.status_code == 400
    assert "The progress note must be 4,000 characters or fewer (it has 4,001)." in html
    assert summary_links(html) == ["update-note"]
    assert note in html


def test_a_refused_date_request_opens_its_section_and_links_the_date(live, action, login):
    response = login(live, "invited_partner").post(reverse("action_date_request", args=[action.pk]),
                                                   {"new_due_date": "soon", "reason": "Court date moved"})
    html = response.content.decode()
    assert response.status_code == 400
    assert summary_links(html) == ["date-new_due_date"]
    assert "Court date moved" in html
    assert '<details class="govuk-details" open>' in html


def test_the_action_page_states_its_limits(live, action, login):
    html = login(live, "invited_partner").get(reverse("action_detail", args=[action.pk])).content.decode()
    assert "Up to 4,000 characters." in html.split('id="update-note-info"', 1)[1].split("</div>", 1)[0]
    assert "Up to 2,000 characters." in html.split('id="update-evidence-hint"', 1)[1].split("</div>", 1)[0]
    assert "Up to 2,000 characters." in html.split('id="date-reason-info"', 1)[1].split("</div>", 1)[0]


# --- the approved record's forms ---------------------------------------------------------------------------
def test_a_correction_request_over_its_limit_comes_back_named_and_kept(closed, login):
    services.minutes_approve(meeting=closed.meeting, actor=closed.users["chair"])
    text = "c" * 4001
    response = login(closed, "invited_partner").post(
        reverse("minutes_correction_add", args=[closed.meeting.pk, 1]), {"text": text})
    html = response.content.decode()
    assert response.status_code == 400
    assert "The correction must be 4,000 characters or fewer (it has 4,001)." in html
    assert summary_links(html) == ["correction-text"]
    assert text in html


def test_an_empty_correction_request_links_to_its_field(closed, login):
    services.minutes_approve(meeting=closed.meeting, actor=closed.users["chair"])
    response = login(closed, "invited_partner").post(
        reverse("minutes_correction_add", args=[closed.meeting.pk, 1]), {"text": " "})
    html = response.content.decode()
    assert "Say what is wrong and what it should say." in html
    assert "correction-text" in html_ids(html)
