"""The live agenda: rules + referrals + the chair's decisions, rebuilt safely and published in versions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agendas import services
from agendas.models import AgendaDecision, AgendaItem, Referral
from panels.enums import LegalStatus, MeetingStatus
from panels.models import AuditEntry
from tests.factories import ChildFactory, EpisodeFactory, MeetingFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 22)


def at(day: date, hour: int = 10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def hrp(world):
    """The world's High Risk Panel with three meetings to come and two sentenced children."""
    world.meeting.delete()
    world.draft_meeting.delete()
    meetings = [
        MeetingFactory(panel=world.panel, starts_at=at(d), ends_at=at(d, 12), status=MeetingStatus.SCHEDULED)
        for d in (date(2026, 12, 3), date(2027, 1, 7), date(2027, 2, 4))
    ]
    zane = world.child  # held at the YOI
    zane.episodes.update(start_date=date(2026, 9, 15), release_date=date(2027, 1, 15), sentence_length_months=8)
    late = world.other_child  # held at the STC; due date passed before the first meeting to come
    late.episodes.update(start_date=date(2026, 9, 1), release_date=date(2026, 12, 20))
    world.meetings = meetings
    return world


def listed(meeting) -> dict[str, list[str]]:
    return {i.child.reference: i.codes for i in
            meeting.agenda_items.filter(state=AgendaItem.State.LISTED).select_related("child")}


def test_build_places_each_child_by_the_rules_and_flags_late(hrp):
    first, second, _ = hrp.meetings
    items = services.agenda_build(meeting=first, today=TODAY)
    assert [(i.child.reference, i.late) for i in items] == [("YJ-0002", True), ("YJ-0001", False)]
    zane = items[1]
    assert zane.reasons == [{
        "code": "HR_PRE_RELEASE", "kind": "before", "due": "2026-12-04", "late": False,
        "explanation": zane.reasons[0]["explanation"],
    }]
    assert "4 Dec 2026" in zane.reasons[0]["explanation"]
    assert list(services.agenda_build(meeting=second, today=TODAY)) == []


def test_computing_and_rebuilding_use_a_constant_number_of_queries(hrp, django_assert_num_queries):
    first = hrp.meetings[0]
    services.agenda_build(meeting=first, today=TODAY)
    with CaptureQueriesContext(connection) as compute_small:
        services.agenda_compute(meeting=first, today=TODAY)
    with CaptureQueriesContext(connection) as rebuild_small:
        services.agenda_build(meeting=first, today=TODAY)
    for n in range(40):
        child = ChildFactory(service=hrp.service, legal_status=LegalStatus.SENTENCED)
        EpisodeFactory(child=child, start_date=date(2026, 9, 1), release_date=date(2027, 1, 1) + timedelta(days=n))
    services.agenda_build(meeting=first, today=TODAY)
    with django_assert_num_queries(len(compute_small.captured_queries)):
        items = services.agenda_compute(meeting=first, today=TODAY)
    assert len(items) > 20
    with django_assert_num_queries(len(rebuild_small.captured_queries)):
        services.agenda_build(meeting=first, today=TODAY)


def test_a_reason_discussed_at_a_held_meeting_is_not_listed_again(hrp):
    first, second, _ = hrp.meetings
    services.agenda_build(meeting=first, today=TODAY)
    first.status = MeetingStatus.CLOSED
    first.save()
    # the next meeting would otherwise take the late child's HR_PRE_RELEASE again
    assert list(services.agenda_build(meeting=second, today=date(2026, 12, 10))) == []


def test_an_accepted_referral_lists_the_child_at_the_next_meeting(hrp):
    first, second, _ = hrp.meetings
    child = ChildFactory(service=hrp.service, reference="YJ-0099", legal_status=LegalStatus.COMMUNITY)
    referral = services.referral_create(panel=hrp.panel, child=child, reason="Not engaging; new concerns",
                                        actor=hrp.users["case_manager"])
    assert "YJ-0099" not in listed_after_build(first)
    with pytest.raises(ValidationError, match="Say why"):
        services.referral_decide(referral=referral, actor=hrp.users["chair"], accept=False)
    services.referral_decide(referral=referral, actor=hrp.users["chair"], accept=True)
    assert listed_after_build(first)["YJ-0099"] == ["REFERRAL"]
    assert "YJ-0099" not in listed_after_build(second)
    with pytest.raises(ValidationError, match="already"):
        services.referral_decide(referral=referral, actor=hrp.users["chair"], accept=True)


def listed_after_build(meeting):
    services.agenda_build(meeting=meeting, today=TODAY)
    return listed(meeting)


def test_chairs_add_and_remove_with_reasons_and_rebuilds_keep_them(hrp):
    first = hrp.meetings[0]
    chair = hrp.users["chair"]
    services.agenda_build(meeting=first, today=TODAY)
    extra = ChildFactory(service=hrp.service, reference="YJ-0050")
    with pytest.raises(ValidationError, match="reason"):
        services.agenda_child_add(meeting=first, child=extra, reason=" ", actor=chair)
    services.agenda_child_add(meeting=first, child=extra, reason="New intelligence", actor=chair)
    services.agenda_child_remove(meeting=first, child=hrp.child, reason="Discussed at MAPPA instead", actor=chair)
    services.agenda_build(meeting=first, today=TODAY)
    items = {i.child.reference: i for i in first.agenda_items.select_related("child")}
    assert items["YJ-0050"].codes == ["MANUAL"] and items["YJ-0050"].state == "listed"
    assert items["YJ-0001"].state == "removed"
    actions = set(AuditEntry.objects.filter(meeting=first).values_list("action", flat=True))
    assert {"agenda.child_added", "agenda.child_removed"} <= actions
    # adding back supersedes the removal
    services.agenda_child_add(meeting=first, child=hrp.child, reason="Back on", actor=chair)
    assert first.agenda_items.get(child=hrp.child).state == "listed"
    assert AgendaDecision.objects.filter(meeting=first, child=hrp.child, superseded=False).count() == 1


def test_slots_survive_rebuilds_and_stale_writes_are_refused(hrp):
    first = hrp.meetings[0]
    chair = hrp.users["chair"]
    services.agenda_build(meeting=first, today=TODAY)
    item = first.agenda_items.get(child=hrp.child)
    services.agenda_item_update(item=item, actor=chair, expected_version=item.version, slot_start=time(10, 30),
                                slot_minutes=20, presenter=hrp.users["case_manager"])
    stale = item.version - 1
    with pytest.raises(services.AgendaConflict):
        services.agenda_item_update(item=item, actor=chair, expected_version=stale, slot_start=time(11, 0),
                                    slot_minutes=20, presenter=None)
    with pytest.raises(ValidationError, match="within the meeting"):
        services.agenda_item_update(item=item, actor=chair, expected_version=item.version, slot_start=time(11, 50),
                                    slot_minutes=20, presenter=None)
    services.agenda_build(meeting=first, today=TODAY)
    item.refresh_from_db()
    assert (item.slot_start, item.slot_minutes, item.presenter) == (time(10, 30), 20, hrp.users["case_manager"])


def test_publishing_freezes_versions_with_a_list_of_changes(hrp):
    first = hrp.meetings[0]
    chair = hrp.users["chair"]
    services.agenda_build(meeting=first, today=TODAY)
    v1 = services.agenda_publish(meeting=first, actor=chair)
    assert v1.number == 1 and [e["reference"] for e in v1.items] == ["YJ-0002", "YJ-0001"]
    with pytest.raises(ValidationError, match="Nothing has changed"):
        services.agenda_publish(meeting=first, actor=chair)
    services.agenda_child_add(meeting=first, child=ChildFactory(service=hrp.service, reference="YJ-0077"),
                              reason="Urgent", actor=chair)
    services.agenda_child_remove(meeting=first, child=hrp.other_child, reason="Released early", actor=chair)
    services.agenda_assign_slots(meeting=first, actor=chair)
    v2 = services.agenda_publish(meeting=first, actor=chair, note="Added YJ-0077", note_checked=True)
    assert v2.number == 2
    assert v2.changes["added"] == ["YJ-0077"] and v2.changes["removed"] == ["YJ-0002"]
    assert [m["reference"] for m in v2.changes["moved"]] == ["YJ-0001"]
    v1.refresh_from_db()
    assert len(v1.items) == 2  # the old version is untouched


def test_a_published_child_no_longer_due_is_kept_and_flagged(hrp):
    first = hrp.meetings[0]
    services.agenda_build(meeting=first, today=TODAY)
    services.agenda_publish(meeting=first, actor=hrp.users["chair"])
    hrp.child.episodes.update(release_date=date(2027, 6, 30))  # release moved: no longer due in December
    services.agenda_build(meeting=first, today=TODAY)
    assert first.agenda_items.get(child=hrp.child).state == AgendaItem.State.NO_LONGER_DUE


def test_held_meetings_cannot_change(hrp):
    first = hrp.meetings[0]
    first.status = MeetingStatus.CLOSED
    first.save()
    with pytest.raises(ValidationError):
        services.agenda_child_add(meeting=first, child=hrp.child, reason="x", actor=hrp.users["chair"])


def test_referral_is_closed_once_heard(hrp, django_capture_on_commit_callbacks):
    from panels import services as panel_services

    first = hrp.meetings[0]
    child = ChildFactory(service=hrp.service, reference="YJ-0098")
    referral = services.referral_create(panel=hrp.panel, child=child, reason="Concerns",
                                        actor=hrp.users["case_manager"])
    services.referral_decide(referral=referral, actor=hrp.users["chair"], accept=True)
    services.agenda_build(meeting=first, today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        panel_services.meeting_start(meeting=first, actor=hrp.users["chair"])
    referral.refresh_from_db()
    assert referral.discussed_at == first and referral.status == Referral.Status.ACCEPTED


def test_a_change_of_running_order_within_the_same_slot_is_not_a_move():
    from agendas.services import _changes

    def entry(child_id, position, slot):
        return {"child_id": child_id, "reference": f"NB-{child_id}", "position": position, "slot_start": slot}

    before = [entry(1, 1, "11:15"), entry(2, 2, None)]
    after = [entry(3, 1, None), entry(1, 2, "11:15"), entry(2, 3, None)]
    assert _changes(before, after) == {"added": ["NB-3"], "removed": [],
                                       "moved": [{"reference": "NB-2", "from": "#2", "to": "#3"}]}
    assert _changes([entry(1, 1, "11:15")], [entry(1, 1, "11:30")])["moved"] == [
        {"reference": "NB-1", "from": "11:15", "to": "11:30"}]


# --- version 2 ------------------------------------------------------------------------------------
@pytest.fixture
def resettlement(world):
    """A resettlement panel with three meetings to come; the world's child sentenced on 15 Sep 2026."""
    from tests.factories import PanelFactory

    panel = PanelFactory(service=world.service, name="Resettlement panel", kind="resettlement")
    world.meetings = [
        MeetingFactory(panel=panel, starts_at=at(d), ends_at=at(d, 12), status=MeetingStatus.SCHEDULED)
        for d in (date(2026, 12, 3), date(2027, 1, 7), date(2027, 2, 4))
    ]
    world.child.episodes.update(start_date=date(2026, 9, 15), custody_entry_date=date(2026, 9, 15),
                                release_date=date(2027, 3, 15), sentence_length_months=12)
    world.other_child.legal_status = LegalStatus.CLOSED
    world.other_child.save()
    world.resettlement = panel
    return world


def test_a_panel_discussion_does_not_meet_a_meeting_code(resettlement):
    """v2 §7: v1 took RS_FIRST_PLANNING (and every dated code) off later agendas once a held meeting had
    discussed it; now only the recorded meeting ends it."""
    first, second, _ = resettlement.meetings
    services.agenda_build(meeting=first, today=TODAY)
    assert {"RS_FIRST_PLANNING", "RS_INITIAL_PLANNING"} <= set(listed(first)["YJ-0001"])
    first.status = MeetingStatus.CLOSED
    first.save()
    services.agenda_build(meeting=second, today=date(2026, 12, 10))
    assert {"RS_FIRST_PLANNING", "RS_INITIAL_PLANNING"} <= set(listed(second)["YJ-0001"])
    resettlement.child.first_planning_held_on = date(2026, 10, 2)
    resettlement.child.ipm_held_on = date(2026, 9, 25)
    resettlement.child.save()
    services.agenda_build(meeting=second, today=date(2026, 12, 10))
    assert not {"RS_FIRST_PLANNING", "RS_INITIAL_PLANNING"} & set(listed(second)["YJ-0001"])


def test_the_accommodation_watch_stays_on_every_agenda_until_the_address_is_confirmed(resettlement):
    first, second, third = resettlement.meetings
    services.agenda_build(meeting=first, today=TODAY)
    first.status = MeetingStatus.CLOSED
    first.save()
    for meeting in (second, third):
        services.agenda_build(meeting=meeting, today=date(2026, 12, 10))
    watch = {m.local_date: [r for r in m.agenda_items.get(child=resettlement.child).reasons
                            if r["code"] == "RS_ACCOMMODATION"] for m in (second, third)}
    assert [(r["kind"], r["due"], r["late"]) for r in watch[date(2027, 1, 7)]] == [("watch", "2027-02-15", False)]
    assert [(r["kind"], r["late"]) for r in watch[date(2027, 2, 4)]] == [("watch", False)]
    resettlement.child.release_address_status = "confirmed"
    resettlement.child.save()
    services.agenda_build(meeting=second, today=date(2026, 12, 10))
    assert "RS_ACCOMMODATION" not in listed(second)["YJ-0001"]


def test_a_child_remanded_to_local_authority_accommodation_is_not_listed_as_in_custody(resettlement, client):
    resettlement.child.episodes.all().delete()
    EpisodeFactory(child=resettlement.child, kind="remand", start_date=date(2026, 11, 20),
                   sentence_type="remand_la")
    resettlement.child.legal_status = LegalStatus.REMAND
    resettlement.child.save()
    first = resettlement.meetings[0]
    services.agenda_build(meeting=first, today=TODAY)
    assert listed(first)["YJ-0001"] == ["RS_FIRST_PLANNING", "RS_REMAND_PLANNING"]
    client.force_login(resettlement.users["coordinator"])
    body = client.get(f"/children/{resettlement.child.pk}/agendas/").content.decode()
    assert "Remand planning meeting" in body and "In custody" not in body and "RS_" not in body


def test_the_live_builder_works_for_meetings_years_ahead(resettlement):
    """v2 §7: any date works; v1's calendar covered only a few years around the meetings."""
    far = MeetingFactory(panel=resettlement.resettlement, starts_at=at(date(2034, 6, 1)),
                         ends_at=at(date(2034, 6, 1), 12), status=MeetingStatus.SCHEDULED)
    young = ChildFactory(service=resettlement.service, reference="YJ-0014", legal_status=LegalStatus.SENTENCED,
                         date_of_birth=date(2014, 1, 31))
    EpisodeFactory(child=young, start_date=date(2033, 12, 1), release_date=date(2034, 12, 1),
                   custody_entry_date=date(2033, 12, 1))
    services.agenda_build(meeting=far, today=TODAY)
    assert "RS_IN_CUSTODY" in listed(far)["YJ-0014"]


def test_a_decline_note_over_its_limit_is_refused_by_name_and_the_referral_waits(hrp, client):
    from django.urls import reverse

    from agendas.models import Referral

    child = ChildFactory(service=hrp.service, reference="YJ-0098", legal_status=LegalStatus.COMMUNITY)
    referral = services.referral_create(panel=hrp.panel, child=child, reason="New concerns",
                                        actor=hrp.users["case_manager"])
    client.force_login(hrp.users["chair"])
    url = reverse("panel_referrals", args=[hrp.panel.pk])
    page = client.get(url).content.decode()
    assert "Up to 500 characters." in page
    response = client.post(url, {"referral": referral.pk, "decision": "decline", "note": "x" * 501}, follow=True)
    assert "The note must be 500 characters or fewer" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING
