"""The board pack PDF made in the background (agendas/oversight/board_files.py): "Prepare the PDF" starts a job
through panels/jobs.run_job (run eagerly here, as Celery would), the board page polls its state with htmx (286
once it ends), the made file is downloaded by its service's readers only (audited, never cached), a PDF older
than the data says so, and a stuck job is failed with a message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agendas.models import BoardPackFile
from agendas.oversight import board_files
from panels.enums import LegalStatus
from panels.models import AuditEntry, AuditEntryChild
from tests.factories import ChildFactory, EpisodeFactory

pytestmark = pytest.mark.django_db
Status = BoardPackFile.Status
HX = {"HTTP_HX_REQUEST": "true"}


def _prepare(client, django_capture_on_commit_callbacks, **data) -> BoardPackFile:
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/oversight/board/prepare/", {"period": "", "audience": "full", **data})
    return BoardPackFile.objects.get()


def _pending(client, monkeypatch) -> BoardPackFile:
    """Ask for the PDF without running the job (it stays pending)."""
    from panels import jobs

    monkeypatch.setattr(jobs, "run_job", lambda kind, job_id: None)
    client.post("/oversight/board/prepare/", {"period": "", "audience": "full"})
    return BoardPackFile.objects.get()


def test_preparing_the_pdf_makes_it_in_the_job(world, client, manager, eager, django_capture_on_commit_callbacks):
    client.force_login(manager)
    assert bytes(_prepare(client, django_capture_on_commit_callbacks).pdf)[:5] == b"%PDF-"


def test_preparing_the_pdf_starts_the_board_pack_job(world, client, manager, monkeypatch,
                                                     django_capture_on_commit_callbacks):
    from panels import jobs

    started = []
    monkeypatch.setattr(jobs, "run_job", lambda kind, job_id: started.append(kind))
    client.force_login(manager)
    client.post("/oversight/board/prepare/", {"period": "", "audience": "summary"})
    assert started == ["board_pack_pdf"]


def test_preparing_again_reuses_the_readers_row(world, client, manager, eager, django_capture_on_commit_callbacks):
    client.force_login(manager)
    _prepare(client, django_capture_on_commit_callbacks)
    BoardPackFile.objects.update(status=Status.FAILED)
    _prepare(client, django_capture_on_commit_callbacks)
    assert BoardPackFile.objects.count() == 1


def test_a_pdf_being_prepared_is_not_asked_for_twice(world, client, manager, monkeypatch):
    client.force_login(manager)
    job = _pending(client, monkeypatch)
    client.post("/oversight/board/prepare/", {"period": "", "audience": "full"})
    assert AuditEntry.objects.filter(action="oversight.board_pack_requested", detail__file=job.pk).count() == 1


def test_the_board_page_says_being_prepared(world, client, manager, monkeypatch):
    client.force_login(manager)
    _pending(client, monkeypatch)
    assert "Being prepared" in client.get("/oversight/board/").content.decode()


def test_the_progress_fragment_polls_while_pending(world, client, manager, monkeypatch):
    client.force_login(manager)
    _pending(client, monkeypatch)
    assert 'hx-trigger="every 2s"' in client.get("/oversight/board/", **HX).content.decode()


def test_the_progress_fragment_answers_200_while_pending(world, client, manager, monkeypatch):
    client.force_login(manager)
    _pending(client, monkeypatch)
    assert client.get("/oversight/board/", **HX).status_code == 200


def test_the_progress_fragment_answers_286_when_done(world, client, manager, eager,
                                                      django_capture_on_commit_callbacks):
    client.force_login(manager)
    _prepare(client, django_capture_on_commit_callbacks)
    assert client.get("/oversight/board/", **HX).status_code == 286


def test_the_progress_fragment_offers_the_download_when_done(world, client, manager, eager,
                                                             django_capture_on_commit_callbacks):
    client.force_login(manager)
    job = _prepare(client, django_capture_on_commit_callbacks)
    assert f"/oversight/board/{job.pk}.pdf" in client.get("/oversight/board/", **HX).content.decode()


def test_the_progress_fragment_stops_polling_when_done(world, client, manager, eager,
                                                       django_capture_on_commit_callbacks):
    client.force_login(manager)
    _prepare(client, django_capture_on_commit_callbacks)
    assert "hx-trigger" not in client.get("/oversight/board/", **HX).content.decode()


def test_the_download_serves_the_pdf(world, client, manager, eager, django_capture_on_commit_callbacks):
    client.force_login(manager)
    job = _prepare(client, django_capture_on_commit_callbacks)
    assert client.get(f"/oversight/board/{job.pk}.pdf").content[:5] == b"%PDF-"


def test_the_download_is_never_cached(world, client, manager, eager, django_capture_on_commit_callbacks):
    client.force_login(manager)
    job = _prepare(client, django_capture_on_commit_callbacks)
    assert "no-store" in client.get(f"/oversight/board/{job.pk}.pdf")["Cache-Control"]


def test_the_download_is_audited_with_every_child_listed(world, client, manager, eager,
                                                         django_capture_on_commit_callbacks):
    for _ in range(55):
        child = ChildFactory(service=world.service, case_manager=manager, legal_status=LegalStatus.SENTENCED)
        EpisodeFactory(child=child, establishment=world.yoi, establishment_type="yoi")
    client.force_login(manager)
    job = _prepare(client, django_capture_on_commit_callbacks)
    client.get(f"/oversight/board/{job.pk}.pdf")
    entry = AuditEntry.objects.get(action="oversight.board_pack_viewed", detail__file=job.pk)
    assert AuditEntryChild.objects.filter(entry=entry).count() == 57  # the world has two in custody


def test_the_download_is_404_for_someone_who_does_not_read_reports(world, client, manager, eager,
                                                                   django_capture_on_commit_callbacks):
    client.force_login(manager)
    job = _prepare(client, django_capture_on_commit_callbacks)
    client.force_login(world.users["case_manager"])
    assert client.get(f"/oversight/board/{job.pk}.pdf").status_code == 404


def test_the_download_is_404_for_another_services_manager(world, client, manager, eager,
                                                          django_capture_on_commit_callbacks):
    client.force_login(manager)
    job = _prepare(client, django_capture_on_commit_callbacks)
    client.force_login(world.users["outsider"])
    assert client.get(f"/oversight/board/{job.pk}.pdf").status_code == 404


def test_a_pdf_older_than_the_data_says_so(world, client, manager, eager, django_capture_on_commit_callbacks):
    client.force_login(manager)
    _prepare(client, django_capture_on_commit_callbacks)
    ChildFactory(service=world.service, case_manager=manager)
    assert "made before the latest changes" in client.get("/oversight/board/", **HX).content.decode()


def test_a_current_pdf_does_not_say_it_is_old(world, client, manager, eager, django_capture_on_commit_callbacks):
    client.force_login(manager)
    _prepare(client, django_capture_on_commit_callbacks)
    assert "made before the latest changes" not in client.get("/oversight/board/").content.decode()


def test_a_stuck_job_is_failed_with_a_message(world, client, manager, monkeypatch):
    client.force_login(manager)
    job = _pending(client, monkeypatch)
    BoardPackFile.objects.filter(pk=job.pk).update(requested_at=timezone.now() - timedelta(minutes=20))
    board_files.board_files_fail_stuck()
    job.refresh_from_db()
    assert "stopped being prepared" in job.message


def test_the_periodic_check_fails_a_stuck_job(world, client, manager, monkeypatch):
    from panels.tasks import jobs_fail_stuck_task

    client.force_login(manager)
    job = _pending(client, monkeypatch)
    since = timezone.now() - timedelta(minutes=20)
    BoardPackFile.objects.filter(pk=job.pk).update(status=Status.RUNNING, started_at=since)
    jobs_fail_stuck_task()
    job.refresh_from_db()
    assert job.status == Status.FAILED


def test_a_failed_job_can_be_prepared_again(world, client, manager, monkeypatch):
    client.force_login(manager)
    job = _pending(client, monkeypatch)
    BoardPackFile.objects.filter(pk=job.pk).update(status=Status.FAILED, message="It stopped.")
    assert "Prepare the PDF again" in client.get("/oversight/board/").content.decode()


def test_a_bad_period_is_refused(world, client, manager):
    client.force_login(manager)
    assert client.post("/oversight/board/prepare/", {"period": "soon", "audience": "full"}).status_code == 400


def test_the_progress_fragment_queries_are_few(world, client, manager, monkeypatch, django_assert_max_num_queries):
    client.force_login(manager)
    _pending(client, monkeypatch)
    client.get("/oversight/board/", **HX)  # warm: session
    with django_assert_max_num_queries(8):
        client.get("/oversight/board/", **HX)


def test_the_download_queries_do_not_grow_with_the_children(world, client, manager, eager,
                                                            django_capture_on_commit_callbacks,
                                                            django_assert_max_num_queries):
    client.force_login(manager)
    job = _prepare(client, django_capture_on_commit_callbacks)
    client.get(f"/oversight/board/{job.pk}.pdf")  # warm: session
    with django_assert_max_num_queries(20) as few:
        client.get(f"/oversight/board/{job.pk}.pdf")
    done = len(few.captured_queries)  # now: the next request clears the connection's log
    for _ in range(12):
        child = ChildFactory(service=world.service, case_manager=manager, legal_status=LegalStatus.SENTENCED)
        EpisodeFactory(child=child, establishment=world.yoi, establishment_type="yoi")
    BoardPackFile.objects.update(status=Status.FAILED)
    job = _prepare(client, django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(done):
        client.get(f"/oversight/board/{job.pk}.pdf")


def test_the_old_pdf_address_sends_to_the_board_page_with_its_period_and_audience(client):
    response = client.get("/oversight/board.pdf?period=2026-11&audience=summary")
    assert response.status_code == 301
    assert response["Location"] == "/oversight/board/?period=2026-11&audience=summary"
