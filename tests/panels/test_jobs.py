"""Long jobs behind one interface (panels/jobs.py): Celery in the production shape, a thread of the process in the
embedded one; a job stuck longer than its timeout is failed with a message and can be retried; the progress page
stops polling when the job ends. (The thread path of a large import: tests/panels/test_cohort_import.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from panels.cohort_import import cohort_import_create, cohort_import_retry, jobs_fail_stuck
from panels.jobs import run_job
from panels.models import AuditEntry, Child, CohortImport
from tests.panels.test_cohort_import import make_csv, sentenced

pytestmark = pytest.mark.django_db


def _job(world, *rows, status=CohortImport.Status.PENDING, started_minutes_ago=None) -> CohortImport:
    job = cohort_import_create(service=world.service, actor=world.users["coordinator"],
                               text=make_csv(*(rows or (sentenced("YJ-7001"),))), filename="cohort.csv")
    started = timezone.now() - timedelta(minutes=started_minutes_ago) if started_minutes_ago is not None else None
    CohortImport.objects.filter(pk=job.pk).update(status=status, started_at=started)
    job.refresh_from_db()
    return job


def test_in_the_production_shape_a_job_goes_through_the_celery_task(world, settings, monkeypatch,
                                                                     django_capture_on_commit_callbacks):
    """JOBS_BACKEND "celery" sends the job to the ``panels.run_job`` task (run eagerly here: no broker in tests)."""
    from panels import tasks

    settings.JOBS_BACKEND = "celery"
    job = _job(world)
    sent = []
    delay = tasks.run_job_task.delay
    monkeypatch.setattr(tasks.run_job_task, "delay", lambda *args: (sent.append(args), delay(*args)))
    with django_capture_on_commit_callbacks(execute=True):
        run_job("cohort_import", job.pk)
    assert sent == [("cohort_import", job.pk)]


def test_a_job_run_through_the_celery_task_applies_the_import(world, settings, django_capture_on_commit_callbacks):
    settings.JOBS_BACKEND = "celery"
    job = _job(world)
    with django_capture_on_commit_callbacks(execute=True):
        run_job("cohort_import", job.pk)
    job.refresh_from_db()
    assert job.status == CohortImport.Status.APPLIED


def test_in_the_embedded_shape_a_job_starts_a_thread_after_the_commit(world, settings,
                                                                      django_capture_on_commit_callbacks):
    settings.JOBS_BACKEND = "thread"
    job = _job(world)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run_job("cohort_import", job.pk)
    assert [c.__qualname__ for c in callbacks] == ["run_job.<locals>.<lambda>"]


def test_an_unknown_kind_of_job_is_refused_by_name(world):
    with pytest.raises(ValueError, match="Unknown job kind 'report'"):
        run_job("report", 1)


def test_a_job_is_never_processed_twice(world, django_capture_on_commit_callbacks):
    """A job already taken (checking rows) is left alone by a second run."""
    job = _job(world, status=CohortImport.Status.VALIDATING, started_minutes_ago=1)
    from panels.jobs import job_execute

    job_execute("cohort_import", job.pk)
    job.refresh_from_db()
    assert job.status == CohortImport.Status.VALIDATING


@pytest.mark.parametrize("status", [CohortImport.Status.VALIDATING, CohortImport.Status.APPLYING])
def test_a_job_stuck_longer_than_its_timeout_is_failed_with_a_message(world, status):
    job = _job(world, status=status, started_minutes_ago=0)
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        assert jobs_fail_stuck() == 1
    job.refresh_from_db()
    assert job.status == CohortImport.Status.FAILED
    assert "stopped before it finished" in job.problems[0]["message"]


def test_a_running_job_within_its_timeout_is_left_alone(world):
    job = _job(world, status=CohortImport.Status.APPLYING, started_minutes_ago=0)
    with time_machine.travel(timezone.now() + timedelta(minutes=14), tick=False):
        assert jobs_fail_stuck() == 0
    job.refresh_from_db()
    assert job.status == CohortImport.Status.APPLYING


def test_the_progress_page_fails_its_stuck_job_and_offers_a_retry(world, client):
    job = _job(world, status=CohortImport.Status.VALIDATING, started_minutes_ago=20)
    client.force_login(world.users["coordinator"])
    page = client.get(reverse("cohort_import_detail", args=[job.pk])).content.decode()
    assert "Try the import again" in page


def test_retrying_a_failed_import_runs_it_again(world, client):
    job = _job(world, sentenced("YJ-7002"), status=CohortImport.Status.FAILED)
    client.force_login(world.users["coordinator"])
    client.post(reverse("cohort_import_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == CohortImport.Status.APPLIED


def test_retrying_creates_the_children_once(world, client):
    job = _job(world, sentenced("YJ-7003"), status=CohortImport.Status.FAILED)
    client.force_login(world.users["coordinator"])
    client.post(reverse("cohort_import_retry", args=[job.pk]))
    assert Child.objects.filter(reference="YJ-7003").count() == 1


def test_a_retry_is_audited(world):
    job = _job(world, status=CohortImport.Status.FAILED)
    cohort_import_retry(job=job, actor=world.users["coordinator"])
    assert AuditEntry.objects.filter(action="cohort.import_retried", detail__import_id=job.pk).exists()


def test_only_a_failed_import_can_be_retried(world, client):
    job = _job(world, status=CohortImport.Status.APPLYING, started_minutes_ago=1)
    client.force_login(world.users["coordinator"])
    response = client.post(reverse("cohort_import_retry", args=[job.pk]), follow=True)
    assert "Only a failed import can be tried again." in response.content.decode()


def test_polling_stops_with_286_when_the_job_has_ended(world, client):
    job = _job(world, status=CohortImport.Status.FAILED)
    client.force_login(world.users["coordinator"])
    response = client.get(reverse("cohort_import_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 286


def test_polling_goes_on_while_the_job_runs(world, client):
    job = _job(world, status=CohortImport.Status.VALIDATING, started_minutes_ago=1)
    client.force_login(world.users["coordinator"])
    response = client.get(reverse("cohort_import_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in response.content.decode()


def test_another_services_manager_cannot_retry_an_import(world, client):
    job = _job(world, status=CohortImport.Status.FAILED)
    client.force_login(world.users["outsider"])
    assert client.post(reverse("cohort_import_retry", args=[job.pk])).status_code == 404


def test_the_progress_page_costs_a_bounded_number_of_queries(world, client, django_assert_max_num_queries):
    job = _job(world, status=CohortImport.Status.VALIDATING, started_minutes_ago=1)
    client.force_login(world.users["coordinator"])
    with django_assert_max_num_queries(12):
        client.get(reverse("cohort_import_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
