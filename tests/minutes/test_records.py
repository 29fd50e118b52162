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


def test_open_actions_come_back_on_the_next_agenda_of_any_panel(open_meeting):
    w = open_meeting
    action = services.action_create(meeting=w.meeting, actor=w.users["chair"], child=w.child,
                                    description="Confirm release address", owner_agency=w.probation,
                                    due_date=w.meeting.local_date + timedelta(7))
    later = w.meeting.starts_at + timedelta(days=40)
    from tests.factories import PanelFactory

    other_panel = PanelFactory(service=w.service, name="Resettlement", kind="custom")
    next_meeting = MeetingFactory(panel=other_panel, starts_at=later, ends_at=later + timedelta(hours=2))
    items = agenda_services.agenda_compute(meeting=next_meeting, today=w.meeting.local_date)
    reasons = {i.reference: i.reasons for i in items}
    assert reasons["YJ-0001"][0]["code"] == "OPEN_ACTIONS"
    assert reasons["YJ-0001"][0]["late"] is True  # due a week after the first meeting, overdue by the next
    assert reasons["YJ-0001"][0]["actions"] == [{"description": "Confirm release address", "owner": "Probation Service",
                                                 "due": action.due_date.isoformat(), "status": "open", "overdue": True}]
    # …listed under the child's item on the agenda page and in the pack (same reason data)
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    html = render_to_string("agendas/_reasons.html", {"reasons": reasons["YJ-0001"]}, request=RequestFactory().get("/"))
    assert "Confirm release address: Probation Service" in html
    services.action_update_status(action=action, actor=w.users["chair"], status="done", expected_version=1)
    assert agenda_services.agenda_compute(meeting=next_meeting, today=w.meeting.local_date) == []


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
