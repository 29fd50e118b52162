"""Celery tasks of the panels app (production shape; the embedded shape runs the management command from cron)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from panels.accounts import audit_prune


@shared_task(name="panels.audit_prune", ignore_result=True)
def audit_prune_daily() -> dict:
    """Delete audit entries older than AUDIT_RETENTION_DAYS (the audit log's only deletion path)."""
    return {"deleted": audit_prune(days=settings.AUDIT_RETENTION_DAYS)}
