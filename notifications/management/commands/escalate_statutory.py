"""Daily escalation of missed statutory timescales (cron in the embedded shape; Celery beat runs the same job)."""

from __future__ import annotations

from notifications.escalation import escalation_run
from notifications.management.daily import DailyJobCommand


class Command(DailyJobCommand):
    help = ("Walk every missed statutory timescale of every open child up its panel's escalation ladder and "
            "send what is new. Safe to run again.")

    def run(self, *, today, send):
        return escalation_run(today=today, send=send)

    def summary_line(self, summary) -> str:
        return (f"{summary.requirements_missed} missed statutory timescales; {summary.steps_recorded} steps "
                f"recorded ({summary.superseded} superseded, {summary.nobody_to_tell} with nobody to tell); "
                f"{summary.emails_queued} emails queued, {summary.emails_sent} delivered now (the outbox retries "
                f"the rest).")
