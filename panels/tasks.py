"""Celery tasks of the panels app (production shape; the embedded shape runs the management command from cron)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from panels.accounts import audit_prune


@shared_task(name="panels.audit_prune", ignore_result=True)
def audit_prune_daily() -> dict:
    """Delete audit entries older than AUDIT_RETENTION_DAYS (the audit log's only deletion path)."""
    return {"deleted": audit_prune(days=settings.AUDIT_RETENTION_DAYS)}


@shared_task(name="panels.run_job", ignore_result=True)
def run_job_task(kind: str, job_id: int) -> None:
    """A long job (panels/jobs.py) on a worker."""
    from panels.jobs import job_execute

    job_execute(kind, job_id)


@shared_task(name="panels.jobs_fail_stuck", ignore_result=True)
def jobs_fail_stuck_task() -> dict:
    """Fail the jobs stuck longer than their timeout (every few minutes on beat)."""
    from panels.cohort_import import jobs_fail_stuck
    from panels.jobs import STUCK_CHECKS

    return {"failed": jobs_fail_stuck() + sum(check() for check in STUCK_CHECKS)}
