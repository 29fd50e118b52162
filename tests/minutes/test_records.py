"""The structured record: versioned writes, the event log, actions' history, carry-forward, approval."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from agendas import services as agenda_services
from minutes import services
from minutes.models import Action, ActionEvent, MeetingEvent, MinuteDocument
from panels.enums import MeetingStatus
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_meeting(world):
    world.meeting.status = MeetingStatus.IN_PROGRESS
    world.meeting.save()
    return world


def test_actions_need_an_owner_agency_that_matches_the_owner_and_a_due_date_after_the_meeting(open_meeting):
    w = open_meeting
    with pytest.raises(ValidationError) as exc:
        services.action_create(meeting=w.meeting, actor=w.users["chair"], description=" ", owner_agency=w.police,
                               owner=w.users["invited_partner"], due_date=w.meeting.local_date - timedelta(days=1))
    assert set(exc.value.message_dict) == {"description", "owner", "due_date"}
    action = services.action_create(meeting=w.meeting, actor=w.users["chair"], child=w.child,
                                    description="Confirm release address", owner_agency=w.probation,
                                    owner=w.users["invited_partner"], due_date=w.meeting.local_date + timedelta(14))
    assert action.status == "open" and action.history.count() == 1


def test_concurrent_status_changes_are_detected_not_overwritten(open_meeting):
    w = open_meeting
    action = services.action_create(meeting=w.meeting, actor=w.users["chair"], child=w.child, description="Visit",
                                    owner_agency=w.probation, due_date=w.meeting.local_date + timedelta(7))
    first = services.action_update_status(action=action, actor=w.users["invited_partner"], status="in_progress",
                                          expected_version=1, note="Booked")
    with pytest.raises(services.RecordConflict) as exc:
        services.action_update_status(action=action, actor=w.users["chair"], status="blocked", expected_version=1,
                                      note="Waiting for housing")
    assert exc.value.current.status == "in_progress" and first.version == 2
    with pytest.raises(ValidationError, match="reason"):
        services.action_update_status(action=first, actor=w.users["chair"], status="cancelled", expected_version=2)
    services.action_update_status(action=first, actor=w.users["chair"], status="done", expected_version=2)
    assert [e.to_status for e in ActionEvent.objects.filter(action=action)] == ["open", "in_progress", "done"]
    with pytest.raises(ValidationError, match="cannot become"):
        services.action_update_status(action=first, actor=w.users["chair"], status="open", expected_version=3)


def test_every_write_is_in_the_event_log_with_increasing_ids(open_meeting):
    w = open_meeting
    services.attendance_set(meeting=w.meeting, actor=w.users["chair"], name="Sam Hartigan", agency=w.probation,
                            status="present")
    record = services.attendance_set(meeting=w.meeting, actor=w.users["chair"], name="Sam Hartigan",
                                     status="remote", expected_version=1)
    with pytest.raises(services.RecordConflict):
        services.attendance_set(meeting=w.meeting, actor=w.users["chair"], name="Sam Hartigan", status="absent",
                                expected_version=1)
    decision = services.decision_record(meeting=w.meeting, actor=w.users["chair"], child=w.child,
                                        text="Refer to MAPPA level 2")
    services.decision_edit(decision=decision, actor=w.users["chair"], text="Refer to MAPPA level 2 now",
                           expected_version=1)
    events = list(MeetingEvent.objects.filter(meeting=w.meeting))
    assert [e.kind for e in events] == ["attendance.set", "attendance.set", "decision.recorded", "decision.edited"]
    assert [e.id for e in events] == sorted(e.id for e in events)
    page, refresh = services.events_since(meeting=w.meeting, after=events[1].id)
    assert [e.kind for e in page] == ["decision.recorded", "decision.edited"] and not refresh
    page, refresh = services.events_since(meeting=w.meeting, after=0, limit=2)
    assert refresh
    assert record.status == "remote"


def test_open_actions_come_back_on_the_next_agenda_of_the_same_panel(open_meeting):
    """v2 §3 OPEN_ACTIONS: only this panel's open actions list the child; overdue is never late (v1: any panel,
    and late when overdue); the agenda shows each action's own status."""
    w = open_meeting
    action = services.action_create(meeting=w.meeting, actor=w.users["chair"], child=w.child,
                                    description="Confirm release address", owner_agency=w.probation,
                                    due_date=w.meeting.local_date + timedelta(7))
    later = w.meeting.starts_at + timedelta(days=40)
    next_meeting = MeetingFactory(panel=w.panel, starts_at=later, ends_at=later + timedelta(hours=2))
    items = agenda_services.agenda_compute(meeting=next_meeting, today=w.meeting.local_date)
    reasons = {i.reference: i.reasons for i in items}
    assert [r["code"] for r in reasons["YJ-0001"]] == ["OPEN_ACTIONS"]
    assert reasons["YJ-0001"][0]["late"] is False  # a week overdue by the next meeting: still not late
    assert {i.reference: i.late for i in items}["YJ-0001"] is False
    assert reasons["YJ-0001"][0]["actions"] == [{"description": "Confirm release address", "owner": "Probation Service",
                                                 "due": action.due_date.isoformat(), "status": "open",
                                                 "status_label": "Open", "overdue": True}]
    # …listed under the child's item on the agenda page and in the pack (same reason data), with its status
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    html = render_to_string("agendas/_reasons.html", {"reasons": reasons["YJ-0001"]}, request=RequestFactory().get("/"))
    assert "Confirm release address: Probation Service" in html
    assert "On track" in html  # the action's own standing (minutes.standing.action_standing), not "late"
    assert "OPEN_ACTIONS" not in html  # plain words, never the code
    services.action_update_status(action=action, actor=w.users["chair"], status="done", expected_version=1)
    assert agenda_services.agenda_compute(meeting=next_meeting, today=w.meeting.local_date) == []


def test_open_actions_of_another_panel_do_not_put_the_child_on_this_panels_agenda(open_meeting):
    """Issue 14: open actions from any panel put the child on every panel's agenda, shown with the action text
    to every partner of that panel (a remanded 15-year-old on the MAPPA agenda for a mentoring referral)."""
    from tests.factories import ChildFactory, EpisodeFactory, PanelFactory

    w = open_meeting
    young = ChildFactory(service=w.service, reference="YJ-0015", legal_status="remand",
                         date_of_birth=w.meeting.local_date - timedelta(days=15 * 365 + 100))
    EpisodeFactory(child=young, kind="remand", start_date=w.meeting.local_date - timedelta(days=20))
    services.action_create(meeting=w.meeting, actor=w.users["chair"], child=young, description="Mentoring referral",
                           owner_agency=w.probation, due_date=w.meeting.local_date + timedelta(7))
    later = w.meeting.starts_at + timedelta(days=40)
    mappa = PanelFactory(service=w.service, name="MAPPA liaison", kind="mappa")
    mappa_meeting = MeetingFactory(panel=mappa, starts_at=later, ends_at=later + timedelta(hours=2))
    items = agenda_services.agenda_compute(meeting=mappa_meeting, today=w.meeting.local_date)
    assert "YJ-0015" not in {i.reference for i in items}
    assert not any("Mentoring referral" in str(i.reasons) for i in items)
    # the panel that set the action still sees it
    own = MeetingFactory(panel=w.panel, starts_at=later, ends_at=later + timedelta(hours=2))
    assert "YJ-0015" in {i.reference for i in agenda_services.agenda_compute(meeting=own, today=w.meeting.local_date)}


def test_the_next_review_the_panel_set_lists_the_child_by_that_date(open_meeting):
    """v2 §3 REVIEW_DUE: a ``before`` reason, eligible the day it was set, due the review date."""
    from tests.factories import PanelFactory

    w = open_meeting
    w.draft_meeting.delete()
    day = w.meeting.local_date
    services.next_review_set(meeting=w.meeting, actor=w.users["chair"], child=w.other_child,
                             review_by=day + timedelta(days=60))
    w.meeting.status = MeetingStatus.CLOSED
    w.meeting.save()
    meetings = [MeetingFactory(panel=w.panel, starts_at=w.meeting.starts_at + timedelta(days=n),
                               ends_at=w.meeting.starts_at + timedelta(days=n, hours=2)) for n in (28, 56, 84)]
    computed = agenda_services.agendas_compute(panel=w.panel, meetings=meetings, today=day + timedelta(days=1))
    review = [[r for i in computed[m.pk] if i.reference == "YJ-0002" for r in i.reasons] for m in meetings]
    assert review[0] == [] and review[2] == []
    assert [(r["code"], r["kind"], r["due"], r["late"]) for r in review[1]] == [
        ("REVIEW_DUE", "before", (day + timedelta(days=60)).isoformat(), False)]  # the latest meeting by the date
    # only on this panel's agendas
    other = PanelFactory(service=w.service, name="Education", kind="custom")
    elsewhere = MeetingFactory(panel=other, starts_at=meetings[1].starts_at, ends_at=meetings[1].ends_at)
    assert agenda_services.agenda_compute(meeting=elsewhere, today=day + timedelta(days=1)) == []


def test_a_review_date_with_no_meeting_before_it_is_late_at_the_next_meeting_and_met_once_discussed(open_meeting):
    w = open_meeting
    w.draft_meeting.delete()
    day = w.meeting.local_date
    services.next_review_set(meeting=w.meeting, actor=w.users["chair"], child=w.other_child,
                             review_by=day + timedelta(days=10))
    w.meeting.status = MeetingStatus.CLOSED
    w.meeting.save()
    first, second = (MeetingFactory(panel=w.panel, starts_at=w.meeting.starts_at + timedelta(days=n),
                                    ends_at=w.meeting.starts_at + timedelta(days=n, hours=2)) for n in (28, 56))
    agenda_services.agenda_build(meeting=first, today=day + timedelta(days=1))
    item = first.agenda_items.get(child=w.other_child)
    assert (item.codes, item.late) == (["REVIEW_DUE"], True)
    first.status = MeetingStatus.CLOSED
    first.save()
    assert agenda_services.agenda_compute(meeting=second, today=day + timedelta(days=30)) == []


def test_approval_freezes_numbered_revisions_and_amendments_need_a_new_one(open_meeting):
    w = open_meeting
    MinuteDocument.objects.create(meeting=w.meeting, child=w.child, section="general", text="Address confirmed.")
    services.decision_record(meeting=w.meeting, actor=w.users["chair"], child=w.child, text="Close the item")
    with pytest.raises(ValidationError, match="Close the meeting"):
        services.minutes_approve(meeting=w.meeting, actor=w.users["chair"])
    w.meeting.status = MeetingStatus.CLOSED
    w.meeting.save()
    first = services.minutes_approve(meeting=w.meeting, actor=w.users["chair"])
    assert first.number == 1
    assert first.snapshot["sections"] == [{"child_id": w.child.pk, "section": "general", "text": "Address confirmed."}]
    assert [i["reference"] for i in first.snapshot["items"]] == [w.child.reference]
    # once closed, only the chair or coordinator may change the record
    with pytest.raises(ValidationError, match="only its chair or coordinator"):
        services.decision_record(meeting=w.meeting, actor=w.users["case_manager"], text="Too late")
    correction = services.correction_request(revision=first, actor=w.users["invited_partner"],
                                             text="The decision was to keep the item open.")
    services.decision_record(meeting=w.meeting, actor=w.users["chair"], child=w.child, text="Keep the item open")
    with pytest.raises(ValidationError, match="why"):
        services.minutes_approve(meeting=w.meeting, actor=w.users["chair"])
    second = services.minutes_approve(meeting=w.meeting, actor=w.users["chair"], reason="Probation's correction",
                                      corrections=[correction])
    assert second.number == 2
    assert [d["text"] for d in second.snapshot["decisions"]] == ["Close the item", "Keep the item open"]
    assert [d["text"] for d in first.snapshot["decisions"]] == ["Close the item"]  # revision 1 is untouched
    correction.refresh_from_db()
    assert correction.status == "accepted" and correction.corrected_in == second
    with pytest.raises(ValidationError, match="newer revision"):
        services.correction_request(revision=first, actor=w.users["invited_partner"], text="Another")


def test_a_declined_correction_needs_an_answer_and_is_answered_once(open_meeting):
    w = open_meeting
    w.meeting.status = MeetingStatus.CLOSED
    w.meeting.save()
    revision = services.minutes_approve(meeting=w.meeting, actor=w.users["chair"])
    correction = services.correction_request(revision=revision, actor=w.users["invited_partner"], text="Wrong date")
    assert correction.agency == w.users["invited_partner"].agency
    with pytest.raises(ValidationError, match="why"):
        services.correction_decline(correction=correction, actor=w.users["chair"], resolution=" ")
    services.correction_decline(correction=correction, actor=w.users["chair"], resolution="The date is right.")
    with pytest.raises(ValidationError, match="already declined"):
        services.correction_decline(correction=correction, actor=w.users["chair"], resolution="Again")


def test_next_review_is_versioned_and_after_the_meeting(open_meeting):
    w = open_meeting
    with pytest.raises(ValidationError, match="after this meeting"):
        services.next_review_set(meeting=w.meeting, actor=w.users["chair"], child=w.child,
                                 review_by=w.meeting.local_date)
    review = services.next_review_set(meeting=w.meeting, actor=w.users["chair"], child=w.child,
                                      review_by=w.meeting.local_date + timedelta(28))
    moved = services.next_review_set(meeting=w.meeting, actor=w.users["chair"], child=w.child,
                                     review_by=w.meeting.local_date + timedelta(21), expected_version=1)
    assert moved.pk == review.pk and moved.version == 2
    with pytest.raises(services.RecordConflict):
        services.next_review_set(meeting=w.meeting, actor=w.users["chair"], child=w.child,
                                 review_by=w.meeting.local_date + timedelta(35), expected_version=1)


def test_actions_are_never_deleted(open_meeting):
    w = open_meeting
    action = services.action_create(meeting=w.meeting, actor=w.users["chair"], child=w.child, description="X",
                                    owner_agency=w.probation, due_date=w.meeting.local_date)
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        w.meeting.delete()
    assert Action.objects.filter(pk=action.pk).exists()
