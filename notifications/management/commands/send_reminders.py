"""Daily reminders and escalations of actions (cron in the embedded shape; Celery beat runs the same job)."""

from __future__ import annotations

from notifications.management.daily import DailyJobCommand
from notifications.reminders import reminders_run


class Command(DailyJobCommand):
    help = "Walk every open action up its panel's reminder ladder and send what is new. Safe to run again."

    def run(self, *, today, send):
        return reminders_run(today=today, send=send)

    def summary_line(self, summary) -> str:
        return (f"{summary.actions_checked} open actions checked; {summary.steps_recorded} steps recorded "
                f"({summary.superseded} superseded, {summary.nobody_to_tell} with nobody to tell); "
                f"{summary.emails_queued} emails queued for {summary.notices_sent} steps, {summary.emails_sent} "
                f"delivered now (the outbox retries the rest).")
