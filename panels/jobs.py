"""Long jobs behind one interface: ``run_job(kind, job_id)``.

- Production shape (``REDIS_URL`` set, ``settings.JOBS_BACKEND == "celery"``): after the commit the job is sent
  to Celery (``panels.tasks.run_job_task``, the Redis broker of ``config/celery.py``) and a worker runs it.
- Embedded shape (no broker, ``JOBS_BACKEND == "thread"``): after the commit it runs in this process, in a
  daemon thread, so the request that started it returns at once.

Each kind of job registers what runs it (``JOB_KINDS``). A job is a row with a status; one stuck longer than
``JOB_TIMEOUT_SECONDS`` in a running status (its worker died, the process restarted) is failed with a message by
``jobs_fail_stuck`` and can then be retried (``cohort_import_retry``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, transaction

logger = logging.getLogger(__name__)


def _cohort_import(job_id: int) -> None:
    from panels.cohort_import import cohort_import_process
    from panels.models import CohortImport

    job = CohortImport.objects.select_related("service", "uploaded_by").filter(pk=job_id).first()
    if job is None or job.status != CohortImport.Status.PENDING:
        return  # gone, or already taken by another run: never process twice
    cohort_import_process(job=job)


JOB_KINDS: dict[str, Callable[[int], None]] = {
    "cohort_import": _cohort_import,
}
# what fails the stuck jobs of the kinds other apps register (the imports' own: cohort_import.jobs_fail_stuck)
STUCK_CHECKS: list[Callable[[], int]] = []


def job_kind_register(kind: str, run: Callable[[int], None], *, fail_stuck: Callable[[], int]) -> None:
    """A kind of job of an app to the right of panels (called from its ``AppConfig.ready``). Idempotent."""
    JOB_KINDS[kind] = run
    if fail_stuck not in STUCK_CHECKS:
        STUCK_CHECKS.append(fail_stuck)


def job_take(model, job_id: int) -> bool:
    """Take a pending job row for this run: set it running (``started_at`` now) in one UPDATE, so two runs can never
    both take it. False when it is gone or another run has it. ``model`` has ``status`` (with ``Status.PENDING``
    and ``Status.RUNNING``) and ``started_at``."""
    from django.utils import timezone

    return bool(model.objects.filter(pk=job_id, status=model.Status.PENDING).update(
        status=model.Status.RUNNING, started_at=timezone.now()))


def job_rows_fail_stuck(model, *, message: str, what: str, now: datetime | None = None,
                        service_id: int | None = None) -> int:
    """Fail every job row of ``model`` waiting (``requested_at``) or running (``started_at``) for longer than
    ``JOB_TIMEOUT_SECONDS`` (its worker died, the process restarted), in one UPDATE, with ``message`` (``{minutes}``
    filled in); ``what`` names the rows in the log line. ``model`` has ``status`` (``Status.PENDING``, ``RUNNING``,
    ``FAILED``), ``requested_at``, ``started_at``, ``message`` and ``service``. Returns how many."""
    from django.db.models import Q
    from django.utils import timezone

    timeout = timedelta(seconds=settings.JOB_TIMEOUT_SECONDS)
    since = (now or timezone.now()) - timeout
    stuck = model.objects.filter(Q(status=model.Status.RUNNING, started_at__lt=since)
                                 | Q(status=model.Status.PENDING, requested_at__lt=since))
    if service_id is not None:
        stuck = stuck.filter(service_id=service_id)
    failed = stuck.update(status=model.Status.FAILED,
                          message=message.format(minutes=int(timeout.total_seconds() // 60)))
    if failed:
        logger.warning("failed %s %s stuck for longer than %s", failed, what, timeout)
    return failed


def job_execute(kind: str, job_id: int) -> None:
    """Run one job now, in this process (what a Celery worker and the embedded thread both call)."""
    try:
        JOB_KINDS[kind](job_id)
    finally:
        # a worker or thread lets its connection go; a caller inside a transaction (an eager task, a test) keeps
        # its own: Django would close a connection whose autocommit differs from its settings, mid-transaction
        if not transaction.get_connection().in_atomic_block:
            close_old_connections()


def run_job(kind: str, job_id: int) -> None:
    """Run a job in the background once the current transaction commits: on Celery in the production shape,
    in a daemon thread of this process in the embedded one."""
    if kind not in JOB_KINDS:
        raise ValueError(f"Unknown job kind {kind!r}: one of {', '.join(sorted(JOB_KINDS))}")
    if settings.JOBS_BACKEND == "celery":
        from panels.tasks import run_job_task

        transaction.on_commit(lambda: run_job_task.delay(kind, job_id))
    else:
        transaction.on_commit(lambda: threading.Thread(
            target=job_execute, args=(kind, job_id), name=f"{kind}-{job_id}", daemon=True).start())
