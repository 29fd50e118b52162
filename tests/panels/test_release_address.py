"""The release address history and ETE on release (issue 16, point 4): the service keeps the child's status in step,
the selectors answer the status on a date and the date confirmed, the cohort import adds dated changes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from panels import release_services, selectors
from panels.cohort_import import cohort_import_create, cohort_import_process
from panels.enums import AddressKind, EteKind, PanelKind, ReleaseAddressStatus
from panels.models import AuditEntry, Child, ReleaseAddressChange, ReleaseEte
from panels.records import child_to_record
from panels.release_selectors import address_words

TODAY = date(2026, 11, 20)


def _record(world, status, on, **kw):
    return release_services.release_address_record(
        child=world.child, actor=world.users["case_manager"], status=status, on=on, today=TODAY, **kw)


def test_a_change_sets_the_childs_status(world):
    _record(world, ReleaseAddressStatus.PROPOSED, date(2026, 10, 1), kind=AddressKind.FAMILY_HOME,
            summary="Mother's flat")
    world.child.refresh_from_db()
    assert world.child.release_address_status == ReleaseAddressStatus.PROPOSED


def test_a_late_recorded_older_change_leaves_the_status_of_the_latest(world):
    _record(world, ReleaseAddressStatus.ASSESSED, date(2026, 10, 10))
    _record(world, ReleaseAddressStatus.PROPOSED, date(2026, 10, 1))
    world.child.refresh_from_db()
    assert world.child.release_address_status == ReleaseAddressStatus.ASSESSED


def test_status_on_a_date(world):
    _record(world, ReleaseAddressStatus.PROPOSED, date(2026, 10, 1))
    _record(world, ReleaseAddressStatus.CONFIRMED, date(2026, 10, 20))
    assert selectors.release_address_on(world.child, date(2026, 9, 30)) is None
    assert selectors.release_address_on(world.child, date(2026, 10, 1)) == ReleaseAddressStatus.PROPOSED
    assert selectors.release_address_on(world.child, date(2026, 10, 19)) == ReleaseAddressStatus.PROPOSED
    assert selectors.release_address_on(world.child.pk, date(2026, 10, 20)) == ReleaseAddressStatus.CONFIRMED


def test_confirmed_on_is_the_last_confirmation_standing(world):
    _record(world, ReleaseAddressStatus.CONFIRMED, date(2026, 10, 1))
    assert selectors.release_address_confirmed_on(world.child) == date(2026, 10, 1)
    _record(world, ReleaseAddressStatus.NONE, date(2026, 10, 5), fell_through=True)
    assert selectors.release_address_confirmed_on(world.child) is None
    _record(world, ReleaseAddressStatus.CONFIRMED, date(2026, 11, 2))
    assert selectors.release_address_confirmed_on(world.child) == date(2026, 11, 2)


def test_many_children_in_one_query(world, django_assert_num_queries):
    _record(world, ReleaseAddressStatus.CONFIRMED, date(2026, 10, 1))
    with django_assert_num_queries(1):
        found = selectors.release_addresses_on([world.child.pk, world.other_child.pk], date(2026, 11, 1))
    assert found == {world.child.pk: "confirmed", world.other_child.pk: None}


def test_fell_through_means_no_address(world):
    change = _record(world, ReleaseAddressStatus.CONFIRMED, date(2026, 10, 5), fell_through=True)
    assert change.status == ReleaseAddressStatus.NONE


@pytest.mark.parametrize(("kw", "field"), [
    ({"status": "held", "on": date(2026, 10, 1)}, "status"),
    ({"status": "proposed", "on": None}, "on"),
    ({"status": "proposed", "on": date(2026, 11, 21)}, "on"),
    ({"status": "proposed", "on": date(2026, 10, 1), "summary": "x" * 201}, "summary"),
    ({"status": "proposed", "on": date(2026, 10, 1), "note": "x" * 501}, "note"),
    ({"status": "proposed", "on": date(2026, 10, 1), "kind": "castle"}, "kind"),
])
def test_bad_input_is_refused_naming_the_field(world, kw, field):
    with pytest.raises(ValidationError) as exc:
        release_services.release_address_record(child=world.child, actor=world.users["case_manager"],
                                                today=TODAY, **kw)
    assert field in exc.value.message_dict


def test_a_refused_change_writes_nothing(world):
    with pytest.raises(ValidationError):
        _record(world, ReleaseAddressStatus.PROPOSED, date(2026, 12, 1))
    assert not ReleaseAddressChange.objects.exists()


def test_a_change_is_audited_without_the_address(world):
    _record(world, ReleaseAddressStatus.PROPOSED, date(2026, 10, 1), summary="Flat 3, Larch Road")
    entry = AuditEntry.objects.get(action="child.release_address_recorded")
    assert entry.child_id == world.child.pk
    assert "Larch" not in str(entry.detail)


def test_import_of_a_status_adds_a_change_dated_the_import_day(world):
    record = child_to_record(Child.objects.get(pk=world.child.pk))
    record["release_address_status"] = "assessed"
    header = list(record)
    line = ",".join("" if record[k] is None else str(record[k]).lower() if isinstance(record[k], bool)
                    else str(record[k]) for k in header)
    job = cohort_import_create(service=world.service, actor=world.users["coordinator"],
                               text=",".join(header) + "\n" + line + "\n", filename="c.csv")
    job = cohort_import_process(job=job, today=TODAY)
    assert job.status == job.Status.APPLIED, job.problems
    change = ReleaseAddressChange.objects.get(child=world.child)
    assert (change.status, change.on, change.source) == ("assessed", TODAY, "import")


def test_ete_interview_sets_the_cohort_field(world):
    release_services.release_ete_set(child=world.child, actor=world.users["case_manager"], kind=EteKind.TRAINING,
                                     provider="Northbridge College", hours_per_week=25,
                                     interview_on=date(2026, 11, 3))
    world.child.refresh_from_db()
    assert world.child.ete_interview_on == date(2026, 11, 3)
    assert ReleaseEte.objects.get(child=world.child).hours_per_week == 25


@pytest.mark.parametrize(("kw", "field"), [
    ({"hours_per_week": 0}, "hours_per_week"),
    ({"hours_per_week": 61}, "hours_per_week"),
    ({"provider": "x" * 201}, "provider"),
    ({"kind": "holiday"}, "kind"),
    ({"interview_on": date(1990, 1, 1)}, "interview_on"),
])
def test_bad_ete_input_is_refused(world, kw, field):
    with pytest.raises(ValidationError) as exc:
        release_services.release_ete_set(child=world.child, actor=world.users["case_manager"], **kw)
    assert field in exc.value.message_dict


# --- pages -----------------------------------------------------------------------------------------------------
def _url(world, name="child_release"):
    return reverse(name, args=[world.child.pk])


def test_the_release_page_shows_the_history_to_the_case_manager(world, client):
    _record(world, ReleaseAddressStatus.PROPOSED, date(2026, 10, 1), summary="Aunt's house, Larch Road")
    client.force_login(world.users["case_manager"])
    response = client.get(_url(world))
    assert response.status_code == 200
    assert "Aunt&#39;s house, Larch Road" in response.content.decode()


def test_the_release_page_is_audited_with_the_child(world, client):
    client.force_login(world.users["case_manager"])
    client.get(_url(world))
    assert AuditEntry.objects.filter(action="child.release_viewed", child=world.child).count() == 1


@pytest.mark.parametrize("persona", ["other_case_manager", "chair", "invited_partner", "invited_yoi", "outsider"])
def test_outsiders_get_404(world, client, persona):
    client.force_login(world.users[persona])
    assert client.get(_url(world)).status_code == 404
    response = client.post(_url(world, "child_release_address"),
                           {"address-status": "confirmed", "address-on": "2026-10-01"})
    assert response.status_code == 404
    assert not ReleaseAddressChange.objects.exists()


def test_recording_from_the_page(world, client):
    client.force_login(world.users["coordinator"])
    response = client.post(_url(world, "child_release_address"), {
        "address-status": "assessed", "address-on": "2026-10-01", "address-kind": "relative_friend"})
    assert response.status_code == 302
    world.child.refresh_from_db()
    assert world.child.release_address_status == "assessed"


def test_a_bad_date_is_named_and_nothing_saved(world, client):
    client.force_login(world.users["coordinator"])
    response = client.post(_url(world, "child_release_address"), {"address-status": "assessed", "address-on": "soon"})
    assert response.status_code == 400
    assert "Give the date of the change as YYYY-MM-DD" in response.content.decode()
    assert not ReleaseAddressChange.objects.exists()


def test_a_page_with_a_refused_change_says_error_first_in_its_title(world, client):
    client.force_login(world.users["coordinator"])
    response = client.post(_url(world, "child_release_ete"), {"ete-interview_on": "soon"})
    assert "<title>Error: Release address and ETE of" in response.content.decode()


def test_the_interview_from_the_page_sets_ete_interview_on(world, client):
    client.force_login(world.users["case_manager"])
    response = client.post(_url(world, "child_release_ete"), {
        "ete-kind": "education", "ete-provider": "Northbridge College", "ete-hours_per_week": "25",
        "ete-interview_on": "2026-11-03"})
    assert response.status_code == 302
    world.child.refresh_from_db()
    assert world.child.ete_interview_on == date(2026, 11, 3)


def test_too_many_hours_are_refused_with_the_field_named(world, client):
    client.force_login(world.users["case_manager"])
    response = client.post(_url(world, "child_release_ete"), {"ete-hours_per_week": "80"})
    assert response.status_code == 400
    assert "ete-hours_per_week-error" in response.content.decode()


def _sentenced_release(world, release: date):
    episode = world.child.episodes.get(is_current=True)
    episode.release_date, episode.start_date, episode.actual_release_date = release, date(2026, 6, 1), None
    episode.save()


@time_machine.travel("2026-11-20 12:00 +00:00", tick=False)
def test_child_page_says_the_address_is_late_a_month_before_release(world, client):
    _sentenced_release(world, date(2026, 12, 10))  # due by 10 November: late on 20 November
    client.force_login(world.users["case_manager"])
    body = client.get(reverse("child_detail", args=[world.child.pk])).content.decode()
    assert "No confirmed release address and release is less than a month away" in body


@time_machine.travel("2026-11-20 12:00 +00:00", tick=False)
def test_a_confirmed_address_is_not_late(world, client):
    _sentenced_release(world, date(2026, 12, 10))
    _record(world, ReleaseAddressStatus.CONFIRMED, date(2026, 11, 19))
    client.force_login(world.users["case_manager"])
    body = client.get(reverse("child_detail", args=[world.child.pk])).content.decode()
    assert "release is less than a month away" not in body


@pytest.mark.parametrize("name", ["child_release", "child_detail"])
def test_pages_cost_the_same_with_a_long_history(world, client, name):
    client.force_login(world.users["case_manager"])
    url = _url(world, name)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for day in range(1, 20):
        _record(world, ReleaseAddressStatus.PROPOSED, date(2026, 10, day))
    release_services.release_ete_set(child=world.child, actor=world.users["case_manager"], provider="College")
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) <= len(small.captured_queries) + 1  # the ETE row, once recorded


def test_the_release_page_has_a_query_budget(world, client, django_assert_max_num_queries):
    client.force_login(world.users["case_manager"])
    client.get(_url(world))
    with django_assert_max_num_queries(16):
        assert client.get(_url(world)).status_code == 200


# --- agendas and the cockpit: the status in words, never the address -------------------------------------------
def _resettlement_item(world):
    from agendas import services as agenda_services

    world.panel.kind = PanelKind.RESETTLEMENT
    world.panel.save()
    agenda_services.agenda_child_add(meeting=world.meeting, child=world.child, reason="Release soon",
                                     actor=world.users["coordinator"])
    _record(world, ReleaseAddressStatus.PROPOSED, date(2026, 10, 1), summary="Aunt's house, Larch Road")


def test_the_agenda_item_says_the_address_status_in_words(world, client):
    _resettlement_item(world)
    client.force_login(world.users["coordinator"])
    body = client.get(reverse("meeting_agenda", args=[world.meeting.pk])).content.decode()
    assert "Release address proposed on 1 October 2026, not yet assessed or confirmed." in body


def test_the_agenda_never_shows_the_address(world, client):
    _resettlement_item(world)
    client.force_login(world.users["coordinator"])
    body = client.get(reverse("meeting_agenda", args=[world.meeting.pk])).content.decode()
    assert "Larch Road" not in body


def test_the_cockpit_item_says_the_address_status(world, client):
    _resettlement_item(world)
    client.force_login(world.users["coordinator"])
    body = client.get(reverse("cockpit_item", args=[world.meeting.pk, world.child.pk])).content.decode()
    assert "Release address proposed on 1 October 2026" in body


def test_the_cockpit_never_shows_the_address(world, client):
    _resettlement_item(world)
    client.force_login(world.users["coordinator"])
    body = client.get(reverse("cockpit_item", args=[world.meeting.pk, world.child.pk])).content.decode()
    assert "Larch Road" not in body


def test_a_high_risk_item_without_the_address_reason_says_nothing_of_it(world, client):
    from agendas import services as agenda_services

    agenda_services.agenda_child_add(meeting=world.meeting, child=world.child, reason="Risk",
                                     actor=world.users["coordinator"])
    client.force_login(world.users["coordinator"])
    body = client.get(reverse("meeting_agenda", args=[world.meeting.pk])).content.decode()
    assert "Release address" not in body


def test_address_words():
    assert address_words(None, None) == "Release address not recorded."
    assert address_words("none", date(2026, 10, 5), fell_through=True) == (
        "No release address: the address fell through on 5 October 2026.")
    assert address_words("confirmed", date(2026, 10, 5)) == "Release address confirmed on 5 October 2026."


def test_an_address_change_refreshes_the_childs_agendas(world, monkeypatch, django_capture_on_commit_callbacks):
    import agendas.services

    rebuilt = []
    monkeypatch.setattr(agendas.services, "agendas_refresh_child",
                        lambda *, service_id, child_id: rebuilt.append((service_id, child_id)))
    with django_capture_on_commit_callbacks(execute=True):
        _record(world, ReleaseAddressStatus.CONFIRMED, date(2026, 10, 1))
    assert rebuilt == [(world.service.pk, world.child.pk)]


def test_a_confirmed_address_ends_rs_accommodation_on_the_resettlement_agenda(world):
    from agendas.services import agenda_compute

    world.panel.kind = PanelKind.RESETTLEMENT
    world.panel.save()
    episode = world.child.episodes.get(is_current=True)
    episode.start_date, episode.release_date = world.meeting.local_date - timedelta(days=60), (
        world.meeting.local_date + timedelta(days=40))
    episode.save()

    def codes():
        items = agenda_compute(meeting=world.meeting, today=world.meeting.local_date - timedelta(days=1))
        return {r["code"] for i in items if i.child_id == world.child.pk for r in i.reasons}

    assert "RS_ACCOMMODATION" in codes()
    release_services.release_address_record(child=world.child, actor=world.users["case_manager"],
                                            status="confirmed", on=world.meeting.local_date - timedelta(days=2),
                                            today=world.meeting.local_date)
    assert "RS_ACCOMMODATION" not in codes()
