"""The meeting cockpit: one item at a time, saved without reloading, visible only to whom it may be."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agendas.models import AgendaItem
from minutes import services
from minutes.cockpit import cockpit_for
from minutes.models import Action, Attendance, Decision, MeetingEvent, NextReview
from panels.models import AuditEntry
from panels.selectors import meeting_get_for_user
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def run_url(world, tail=""):
    return f"/meetings/{world.meeting.pk}/run/{tail}"


def test_the_chair_opens_the_cockpit_on_the_first_item_with_every_child_in_the_jump_list(live, login):
    client = login(live, "chair")
    page = client.get(run_url(live)).content.decode()
    assert "Item 1 of 3" in page
    assert f'data-key="{live.child.pk}"' in page
    assert f'data-key="{live.other_child.pk}"' in page


def test_a_secure_estate_partner_sees_only_the_child_held_there(live, login):
    page = login(live, "invited_yoi").get(run_url(live)).content.decode()
    assert f'data-key="{live.child.pk}"' in page
    assert f'data-key="{live.other_child.pk}"' not in page


def test_a_child_the_viewer_may_not_see_is_not_found_as_an_item(live, login):
    client = login(live, "invited_yoi")
    assert client.get(run_url(live, f"{live.other_child.pk}/"), **HX).status_code == 404
    assert client.get(run_url(live) + f"?item={live.other_child.pk}").status_code == 404


def test_an_outsider_gets_not_found_on_every_cockpit_page(live, login):
    client = login(live, "outsider")
    for tail in ("", "meeting/", "meeting/records/", "focus/", f"{live.child.pk}/"):
        assert client.get(run_url(live, tail)).status_code == 404, tail
    assert client.post(run_url(live, f"{live.child.pk}/record/"), {}).status_code == 404


def test_reading_a_child_item_is_audited_with_the_child(live, login):
    login(live, "chair").get(run_url(live, f"{live.child.pk}/"), **HX)
    assert AuditEntry.objects.filter(action="minutes.cockpit_viewed", child=live.child,
                                     meeting=live.meeting).exists()


def test_the_item_shows_why_the_child_is_here_in_words_not_codes(live, login):
    page = login(live, "chair").get(run_url(live, f"{live.child.pk}/"), **HX).content.decode()
    assert "Why" in page and "is here" in page
    assert "MANUAL" not in page


def test_the_cockpit_page_makes_a_bounded_number_of_queries(live, login, django_assert_max_num_queries):
    client = login(live, "chair")
    with django_assert_max_num_queries(45):
        assert client.get(run_url(live) + f"?item={live.child.pk}").status_code == 200


def test_a_decision_saved_answers_with_the_records_and_a_fresh_form(live, login):
    key = live.child.pk
    response = login(live, "chair").post(run_url(live, f"{key}/record/"), {f"decision-{key}-text": "Refer to CAMHS"},
                                         **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="cockpit-records"' in html and "Refer to CAMHS" in html
    assert 'id="cockpit-form"' in html and 'hx-swap-oob="true"' in html
    assert Decision.objects.get(meeting=live.meeting, child=live.child).text == "Refer to CAMHS"
    assert MeetingEvent.objects.filter(meeting=live.meeting, kind="decision.recorded").exists()


def test_a_decision_over_its_limit_is_refused_saying_the_limit_and_keeping_the_text(live, login):
    key = live.child.pk
    text = "x" * 4001
    response = login(live, "chair").post(run_url(live, f"{key}/record/"), {f"decision-{key}-text": text}, **HX)
    html = response.content.decode()
    assert response["HX-Retarget"] == "#cockpit-form"
    assert "The decision must be 4,000 characters or fewer (it has 4,001)." in html
    assert text in html
    assert f'href="#id_decision-{key}-text"' in html
    assert not Decision.objects.exists()


def test_an_action_owned_by_a_named_person_takes_their_agency(live, login):
    key = live.child.pk
    yoi = live.users["invited_yoi"]
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    login(live, "chair").post(run_url(live, f"{key}/record/"), {
        f"action-{key}-description": "Book the visit", f"action-{key}-owner": yoi.pk,
        f"action-{key}-due_date": due}, **HX)
    action = Action.objects.get(meeting=live.meeting)
    assert (action.owner, action.owner_agency) == (yoi, live.yoi)


def test_an_action_with_neither_person_nor_agency_is_refused(live, login):
    key = live.child.pk
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    html = login(live, "chair").post(run_url(live, f"{key}/record/"), {
        f"action-{key}-description": "Book the visit", f"action-{key}-due_date": due}, **HX).content.decode()
    assert "Name the person or the agency who owns the action." in html
    assert not Action.objects.exists()


def test_an_action_due_in_the_past_is_refused(live, login):
    key = live.child.pk
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    html = login(live, "chair").post(run_url(live, f"{key}/record/"), {
        f"action-{key}-description": "Book the visit", f"action-{key}-owner_agency": live.yoi.pk,
        f"action-{key}-due_date": past}, **HX).content.decode()
    assert "The due date must not be in the past." in html
    assert not Action.objects.exists()


def test_the_action_form_preselects_no_agency(live, login):
    html = login(live, "chair").get(run_url(live, f"{live.child.pk}/"), **HX).content.decode()
    select = html.split(f'name="action-{live.child.pk}-owner_agency"')[1].split("</select>")[0]
    assert " selected" in select.split("</option>")[0]  # the empty "Choose an agency" option
    assert select.count(" selected") == 1


def test_attendance_is_ticked_from_the_invitee_list(live, login):
    probation = live.meeting.invitees.get(user=live.users["invited_partner"])
    cockpit = cockpit_for(meeting_get_for_user(user=live.users["chair"], meeting_id=live.meeting.pk), key="meeting")
    index = [a.name for a in cockpit.attendees].index(probation.name)
    login(live, "chair").post(run_url(live, "meeting/record/"), {f"attendance-meeting-status_{index}": "apologies"},
                        **HX)
    record = Attendance.objects.get(meeting=live.meeting, child=None)
    assert (record.name, record.status) == (probation.name, "apologies")


def test_a_guest_added_once_joins_the_list_and_is_not_added_twice(live, login):
    client = login(live, "chair")
    client.post(run_url(live, "meeting/record/"), {"attendance-meeting-guest_name": "Dana Visitor",
                                                       "attendance-meeting-guest_status": "present"}, **HX)
    html = client.post(run_url(live, "meeting/record/"), {"attendance-meeting-guest_name": "dana visitor"},
                       **HX).content.decode()
    assert "is on the list already" in html
    assert Attendance.objects.filter(meeting=live.meeting, name__iexact="dana visitor").count() == 1


def test_the_next_review_is_set_for_the_child_and_not_before_the_meeting(live, login):
    key = live.child.pk
    client = login(live, "chair")
    early = client.post(run_url(live, f"{key}/record/"),
                        {f"review-{key}-review_by": live.meeting.local_date.isoformat()}, **HX).content.decode()
    assert "The next review must be after this meeting." in early
    later = live.meeting.local_date + timedelta(days=28)
    client.post(run_url(live, f"{key}/record/"), {f"review-{key}-review_by": later.isoformat()}, **HX)
    assert NextReview.objects.get(meeting=live.meeting, child=live.child).review_by == later


def test_someone_who_may_only_read_gets_no_forms_and_cannot_post(live, login):
    client = login(live, "invited_partner")
    html = client.get(run_url(live, f"{live.child.pk}/"), **HX).content.decode()
    assert 'id="cockpit-form"' not in html
    key = live.child.pk
    assert client.post(run_url(live, f"{key}/record/"), {f"decision-{key}-text": "x"}, **HX).status_code == 404


def test_the_chairs_move_is_the_focus_others_may_follow(live, login):
    login(live, "chair").post(run_url(live, "focus/"), {"item": str(live.child.pk)})
    assert login(live, "invited_yoi").get(run_url(live, "focus/")).json()["item"] == str(live.child.pk)


def test_the_focus_is_not_told_to_someone_who_may_not_see_that_child(live, login):
    login(live, "chair").post(run_url(live, "focus/"), {"item": str(live.child.pk)})
    assert login(live, "invited_stc").get(run_url(live, "focus/")).json()["item"] is None


def test_only_the_chair_moves_the_focus(live, login):
    assert login(live, "coordinator").post(run_url(live, "focus/"), {"item": "meeting"}).status_code == 404
    assert not MeetingEvent.objects.filter(kind="focus").exists()


def test_staying_on_the_same_item_records_no_new_focus(live):
    chair = live.users["chair"]
    services.focus_move(meeting=live.meeting, actor=chair, child=live.child)
    services.focus_move(meeting=live.meeting, actor=chair, child=live.child)
    assert MeetingEvent.objects.filter(kind="focus").count() == 1


def test_the_cockpit_opens_where_the_chair_is(live, login):
    services.focus_move(meeting=live.meeting, actor=live.users["chair"], child=live.other_child)
    page = login(live, "coordinator").get(run_url(live)).content.decode()
    assert f'data-item="{live.other_child.pk}"' in page


def test_time_used_is_counted_from_the_chairs_move_and_an_overrun_is_flagged(live):
    meeting = live.meeting
    AgendaItem.objects.filter(meeting=meeting).update(slot_minutes=90)
    services.focus_move(meeting=meeting, actor=live.users["chair"], child=live.child)
    MeetingEvent.objects.filter(kind="focus").update(created_at=meeting.starts_at)  # the first item, at the start
    access = meeting_get_for_user(user=live.users["chair"], meeting_id=meeting.pk)
    later = meeting.starts_at + timedelta(minutes=100)
    pace = cockpit_for(access, key=str(live.child.pk), now=later).pace
    assert pace.used_minutes == 100
    assert pace.item_over_by == 10
    assert pace.meeting_over_by == 100 + 90 - 120  # the other child's 90 minutes still to come


def test_a_scheduled_meeting_records_no_focus(world):
    services.focus_move(meeting=world.meeting, actor=world.users["chair"], child=None)
    assert not MeetingEvent.objects.filter(kind="focus").exists()


def test_open_actions_come_only_from_this_panels_earlier_meetings(live, login):
    earlier = MeetingFactory(panel=live.panel, status="in_progress",
                             starts_at=live.meeting.starts_at - timedelta(days=28),
                             ends_at=live.meeting.ends_at - timedelta(days=28))
    services.action_create(meeting=earlier, actor=live.users["chair"], child=live.child, description="Check the bed",
                           owner_agency=live.yoi, due_date=earlier.local_date + timedelta(days=7),
                           allow_past_due=True)
    other_panel_meeting = MeetingFactory(status="in_progress", starts_at=earlier.starts_at, ends_at=earlier.ends_at)
    services.action_create(meeting=other_panel_meeting, actor=live.users["chair"], child=live.child,
                           description="Mentoring referral", owner_agency=live.yoi,
                           due_date=earlier.local_date + timedelta(days=7), allow_past_due=True)
    html = login(live, "chair").get(run_url(live, f"{live.child.pk}/"), **HX).content.decode()
    assert "Check the bed" in html
    assert "Mentoring referral" not in html


def test_everything_filled_in_for_an_item_is_saved_together(live, login):
    key = live.child.pk
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    review = (live.meeting.local_date + timedelta(days=28)).isoformat()
    html = login(live, "chair").post(run_url(live, f"{key}/record/"), {
        f"decision-{key}-text": "Keep on the panel", f"action-{key}-description": "Book the visit",
        f"action-{key}-owner_agency": live.yoi.pk, f"action-{key}-due_date": due,
        f"review-{key}-review_by": review}, **HX).content.decode()
    assert "Saved the decision, the action, the next review." in html
    assert Decision.objects.filter(meeting=live.meeting).count() == 1
    assert Action.objects.filter(meeting=live.meeting).count() == 1
    assert NextReview.objects.filter(meeting=live.meeting).count() == 1


def test_one_bad_part_saves_nothing_and_keeps_every_input(live, login):
    key = live.child.pk
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    html = login(live, "chair").post(run_url(live, f"{key}/record/"), {
        f"decision-{key}-text": "Keep on the panel", f"action-{key}-description": "Book the visit",
        f"action-{key}-owner_agency": live.yoi.pk, f"action-{key}-due_date": past}, **HX).content.decode()
    assert "The due date must not be in the past." in html
    assert "Keep on the panel" in html
    assert not Decision.objects.exists()


def test_a_part_the_service_refuses_rolls_back_the_parts_already_saved(live):
    with pytest.raises(services.ItemRecordError) as refused:
        services.item_record(meeting=live.meeting, actor=live.users["chair"], child=live.child,
                             decision="Keep on the panel", review_by=live.meeting.local_date)
    assert refused.value.part == "review"
    assert not Decision.objects.exists()


def test_saving_an_empty_form_says_there_is_nothing_to_save(live, login):
    html = login(live, "chair").post(run_url(live, "meeting/record/"), {}, **HX).content.decode()
    assert "Nothing to save" in html


def test_only_the_parts_filled_in_are_checked(live, login):
    key = live.child.pk
    html = login(live, "chair").post(run_url(live, f"{key}/record/"), {f"action-{key}-description": "Visit"},
                                     **HX).content.decode()
    assert "Give the date the action is due by." in html
    assert "Write the decision." not in html
    assert "Give the date of the next review." not in html


def test_an_actions_due_date_comes_filled_in_with_the_panels_next_meeting(live, login):
    key = live.child.pk
    client = login(live, "chair")
    html = client.get(run_url(live, f"{key}/"), **HX).content.decode()
    assert f'value="{live.draft_meeting.local_date.isoformat()}"' in html
    client.post(run_url(live, f"{key}/record/"), {
        f"action-{key}-description": "Book the visit", f"action-{key}-owner_agency": live.yoi.pk,
        f"action-{key}-due_date": live.draft_meeting.local_date.isoformat()}, **HX)
    assert Action.objects.get(meeting=live.meeting).due_date == live.draft_meeting.local_date


def test_the_filled_in_due_date_alone_saves_no_action(live, login):
    key = live.child.pk
    html = login(live, "chair").post(run_url(live, f"{key}/record/"), {
        f"action-{key}-due_date": live.draft_meeting.local_date.isoformat()}, **HX).content.decode()
    assert "Nothing to save" in html
