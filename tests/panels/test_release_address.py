"""The release address history and ETE on release (issue 16, point 4): the service keeps the child's status in step,
the selectors answer the status on a date and the date confirmed, the cohort import adds dated changes."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from panels import release_services, selectors
from panels.cohort_import import cohort_import_create, cohort_import_process
from panels.enums import AddressKind, EteKind, ReleaseAddressStatus
from panels.models import AuditEntry, Child, ReleaseAddressChange, ReleaseEte
from panels.records import child_to_record

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
