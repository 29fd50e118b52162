"""Background tasks (Celery, production shape)."""

from __future__ import annotations

from celery import shared_task

from notifications.reminders import reminders_run


@shared_task(name="notifications.reminders_daily")
def reminders_daily() -> dict:
    """The daily reminder job; idempotent, so a retried or doubled beat sends nothing twice."""
    summary = reminders_run()
    return {"checked": summary.actions_checked, "recorded": summary.steps_recorded, "emails": summary.emails_sent}
