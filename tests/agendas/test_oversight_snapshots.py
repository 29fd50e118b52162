"""The oversight rows computed once per change in the background (agendas/oversight/snapshots.py): a change starts
the rebuild through panels/jobs.run_job, a reader meanwhile gets the last figures said to be being updated, a stuck
or failed rebuild is run again, what is stored is service-wide (the lists of children are still filtered per
viewer), and the case lists are paged on screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from agendas.models import OversightRows
from agendas.oversight import snapshots
from panels.enums import LegalStatus
from panels.events import ReleaseChanged, event_emit
from panels.models import AuditEntry, AuditEntryChild
from tests.factories import ChildFactory, EpisodeFactory

pytestmark = pytest.mark.django_db
LATE = "/oversight/timeliness/children/?figure=met_late&key=RS_INITIAL_PLANNING"
Status = OversightRows.Status


@pytest.fixture
def late_ipm(world):
    """YJ-0001 sentenced 40 days ago, initial planning meeting held 5 days late."""
    today = timezone.localdate()
    sentence = world.child.episodes.get()
    sentence.start_date = sentence.custody_entry_date = today - timedelta(days=40)
    sentence.save()
    world.child.ipm_held_on = today - timedelta(days=21)
    world.child.save()
    return world


def _met_on_time(world) -> None:
    world.child.ipm_held_on = timezone.localdate() - timedelta(days=39)
    world.child.save()


def test_the_first_reading_of_a_service_computes_and_stores_its_rows(late_ipm, client, manager):
    client.force_login(manager)
    client.get("/oversight/")
    assert OversightRows.objects.get(service=late_ipm.service).built_at is not None


def test_the_stored_rows_are_read_back(late_ipm, client, manager):
    client.force_login(manager)
    client.get(LATE)
    snapshots.forget_rows()  # as another process would: from the stored rows, not this one's memory
    assert "YJ-0001" in client.get(LATE).content.decode()


def test_a_change_starts_the_rebuild_job(late_ipm, client, manager, monkeypatch, django_capture_on_commit_callbacks):
    from panels import jobs

    started = []
    monkeypatch.setattr(jobs, "run_job", lambda kind, job_id: started.append(kind))
    client.force_login(manager)
    client.get("/oversight/")
    with django_capture_on_commit_callbacks(execute=True):
        event_emit(ReleaseChanged(service_id=late_ipm.service.pk, child_id=late_ipm.child.pk))
    assert started == ["oversight_rows"]


def test_a_change_rebuilds_the_rows_and_a_reader_sees_the_new_figures(late_ipm, client, manager, eager,
                                                                      django_capture_on_commit_callbacks):
    client.force_login(manager)
    client.get(LATE)
    _met_on_time(late_ipm)
    with django_capture_on_commit_callbacks(execute=True):
        event_emit(ReleaseChanged(service_id=late_ipm.service.pk, child_id=late_ipm.child.pk))
    snapshots.forget_rows()
    assert "YJ-0001" not in client.get(LATE).content.decode()


def test_the_rebuild_job_stores_rows_ready_to_read(late_ipm, client, manager, eager,
                                                   django_capture_on_commit_callbacks):
    client.force_login(manager)
    client.get("/oversight/")
    with django_capture_on_commit_callbacks(execute=True):
        snapshots.oversight_rows_request(service_id=late_ipm.service.pk)
    assert OversightRows.objects.get(service=late_ipm.service).status == Status.READY


def test_while_the_rows_are_computed_a_reader_gets_the_last_figures_said_to_be_being_updated(late_ipm, client,
                                                                                            manager):
    client.force_login(manager)
    client.get(LATE)
    _met_on_time(late_ipm)  # no event: the reading notices the stamp changed; its rebuild waits (no commit here)
    body = client.get(LATE).content.decode()
    assert "being updated" in body
    assert "YJ-0001" in body  # the last complete figures, never silently


def test_a_reading_that_notices_a_change_asks_for_the_rebuild(late_ipm, client, manager):
    client.force_login(manager)
    client.get("/oversight/")
    _met_on_time(late_ipm)
    client.get("/oversight/")
    assert OversightRows.objects.get(service=late_ipm.service).status == Status.PENDING


def test_current_figures_carry_no_note(late_ipm, client, manager):
    client.force_login(manager)
    client.get("/oversight/")
    assert "being updated" not in client.get("/oversight/").content.decode()


def test_a_change_to_a_service_nobody_reads_starts_no_job(late_ipm, monkeypatch, django_capture_on_commit_callbacks):
    from panels import jobs

    started = []
    monkeypatch.setattr(jobs, "run_job", lambda kind, job_id: started.append(kind))
    with django_capture_on_commit_callbacks(execute=True):
        event_emit(ReleaseChanged(service_id=late_ipm.service.pk, child_id=late_ipm.child.pk))
    assert started == []


def _stored(world, status, minutes_ago: int) -> OversightRows:
    row = OversightRows.objects.get(service=world.service)
    since = timezone.now() - timedelta(minutes=minutes_ago)
    OversightRows.objects.filter(pk=row.pk).update(status=status, requested_at=since, started_at=since)
    return row


def test_a_rebuild_stuck_past_its_timeout_is_failed_with_a_message_by_the_periodic_check(late_ipm, client, manager):
    from panels.tasks import jobs_fail_stuck_task

    client.force_login(manager)
    client.get("/oversight/")
    row = _stored(late_ipm, Status.RUNNING, minutes_ago=20)
    jobs_fail_stuck_task()
    row.refresh_from_db()
    assert "stopped being computed" in row.message


def test_a_rebuild_within_its_timeout_is_left_running(late_ipm, client, manager):
    client.force_login(manager)
    client.get("/oversight/")
    _stored(late_ipm, Status.RUNNING, minutes_ago=0)
    with time_machine.travel(timezone.now() + timedelta(minutes=14), tick=False):
        assert snapshots.oversight_rows_fail_stuck() == 0


def test_a_stuck_rebuild_is_run_again_on_the_next_reading(late_ipm, client, manager, eager,
                                                          django_capture_on_commit_callbacks):
    client.force_login(manager)
    client.get(LATE)
    _stored(late_ipm, Status.RUNNING, minutes_ago=20)
    _met_on_time(late_ipm)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(LATE)
    assert "YJ-0001" not in client.get(LATE).content.decode()


def test_a_failed_rebuild_is_run_again_on_the_next_change(late_ipm, client, manager, eager,
                                                          django_capture_on_commit_callbacks):
    client.force_login(manager)
    client.get("/oversight/")
    row = _stored(late_ipm, Status.FAILED, minutes_ago=1)
    with django_capture_on_commit_callbacks(execute=True):
        event_emit(ReleaseChanged(service_id=late_ipm.service.pk, child_id=late_ipm.child.pk))
    row.refresh_from_db()
    assert row.status == Status.READY


def test_a_rebuild_that_raises_is_failed_with_a_message(late_ipm, client, manager, monkeypatch):
    client.force_login(manager)
    client.get("/oversight/")
    row = _stored(late_ipm, Status.PENDING, minutes_ago=0)

    def broken(**kwargs):
        raise RuntimeError("no")

    monkeypatch.setattr(snapshots, "child_rows", broken)
    snapshots.oversight_rows_build(row.pk)
    row.refresh_from_db()
    assert row.message == "The figures could not be computed: RuntimeError."


def test_a_rebuild_taken_by_one_run_is_not_taken_by_another(late_ipm, client, manager):
    client.force_login(manager)
    client.get("/oversight/")
    row = _stored(late_ipm, Status.RUNNING, minutes_ago=1)
    snapshots.oversight_rows_build(row.pk)
    row.refresh_from_db()
    assert row.status == Status.RUNNING


def test_a_change_while_the_rows_are_computed_runs_the_rebuild_once_more(late_ipm, client, manager, monkeypatch):
    from panels import jobs

    started = []
    monkeypatch.setattr(jobs, "run_job", lambda kind, job_id: started.append(kind))
    client.force_login(manager)
    client.get("/oversight/")
    row = _stored(late_ipm, Status.RUNNING, minutes_ago=1)
    snapshots.oversight_rows_request(service_id=late_ipm.service.pk)  # the change meanwhile: marked, not started
    OversightRows.objects.filter(pk=row.pk).update(status=Status.PENDING)
    snapshots.oversight_rows_build(row.pk)  # the run that was under way ends ...
    assert started == ["oversight_rows"]  # ... and asks for one more


def test_a_stored_blob_altered_in_the_database_is_refused():
    blob = bytearray(snapshots.rows_dump([]))
    blob[-1] ^= 1
    assert snapshots.rows_load(bytes(blob)) is None


def test_the_stored_rows_do_not_widen_who_sees_which_child(late_ipm, client, manager, login):
    """The manager's reading stores the service-wide rows; the chair's list from them is still their own."""
    client.force_login(manager)
    client.get(LATE)
    body = login(late_ipm, "chair").get(LATE).content.decode()
    assert "YJ-0001" not in body


# --- the case lists, paged on screen ---------------------------------------------------------------------------------
def _in_custody(world, manager, n: int) -> None:
    for _ in range(n):
        child = ChildFactory(service=world.service, case_manager=manager, legal_status=LegalStatus.SENTENCED)
        EpisodeFactory(child=child, establishment=world.yoi, establishment_type="yoi")


def test_the_custody_list_shows_fifty_children_a_page(world, client, manager):
    _in_custody(world, manager, 55)
    client.force_login(manager)
    body = client.get("/oversight/custody/").content.decode()
    assert "1 to 50 of 57" in body


def test_the_custody_list_has_a_second_page(world, client, manager):
    _in_custody(world, manager, 55)
    client.force_login(manager)
    body = client.get("/oversight/custody/?page=2").content.decode()
    assert "51 to 57 of 57" in body


def test_the_custody_page_audits_only_the_children_it_shows(world, client, manager):
    _in_custody(world, manager, 55)
    client.force_login(manager)
    client.get("/oversight/custody/?page=2")
    entry = AuditEntry.objects.get(action="oversight.custody_viewed")
    assert AuditEntryChild.objects.filter(entry=entry).count() == 7  # page 2: the world has two in custody


def test_the_board_pack_on_screen_is_paged(world, client, manager):
    _in_custody(world, manager, 55)
    client.force_login(manager)
    assert "1 to 50 of 57" in client.get("/oversight/board/").content.decode()


def test_a_download_of_figures_being_updated_says_so_first(late_ipm, client, manager):
    client.force_login(manager)
    client.get("/oversight/")
    _met_on_time(late_ipm)
    body = client.get("/oversight/timeliness.csv").content.decode()
    assert body.startswith("\"Figures as of")


def test_rows_older_than_their_limit_are_rebuilt_behind_without_a_note(late_ipm, client, manager):
    """A change neither the events nor the stamp see shows within ``OVERSIGHT_ROWS_SECONDS``."""
    client.force_login(manager)
    client.get("/oversight/")
    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):
        client.get("/oversight/")
    assert OversightRows.objects.get(service=late_ipm.service).status == Status.PENDING



def test_the_pipeline_is_paged_apart_from_the_custody_list(world, client, manager):
    from datetime import date

    today = timezone.localdate()
    turning = date(today.year - 18, today.month, 1) + timedelta(days=62)
    for _ in range(52):
        ChildFactory(service=world.service, case_manager=manager, date_of_birth=turning)
    client.force_login(manager)
    body = client.get("/oversight/custody/?pipeline_page=2").content.decode()
    assert "51 to 52 of 52" in body
