"""Background tasks (Celery in the production shape; eager, in-process, in the embedded shape)."""

from __future__ import annotations

from celery import shared_task

from notifications.outbox import outbox_deliver
from notifications.reminders import reminders_run


@shared_task(name="notifications.reminders_daily")
def reminders_daily() -> dict:
    """The daily reminder job; idempotent, so a retried or doubled beat sends nothing twice."""
    summary = reminders_run()
    return {"checked": summary.actions_checked, "recorded": summary.steps_recorded, "emails": summary.emails_queued}


@shared_task(name="notifications.statutory_escalation_daily")
def statutory_escalation_daily() -> dict:
    """The daily escalation of missed statutory timescales; idempotent, like the reminders."""
    from notifications.escalation import escalation_run  # reads agendas (the rules); kept off the outbox's import

    summary = escalation_run()
    return {"missed": summary.requirements_missed, "recorded": summary.steps_recorded,
            "emails": summary.emails_queued}


@shared_task(name="notifications.outbox_deliver", ignore_result=True)
def outbox_deliver_task() -> dict:
    """Send every message that is due (after a commit, and every minute on beat for retries)."""
    result = outbox_deliver(drain=True)
    return {"sent": result.sent, "retrying": result.retrying, "failed": result.failed}
