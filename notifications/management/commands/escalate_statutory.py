"""Daily escalation of missed statutory timescales (cron in the embedded shape; Celery beat runs the same job)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from notifications.escalation import escalation_run


class Command(BaseCommand):
    help = ("Walk every missed statutory timescale of every open child up its panel's escalation ladder and "
            "send what is new. Safe to run again.")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as if today were YYYY-MM-DD (default: today)")
        parser.add_argument("--no-send", action="store_true", help="Record the steps, send nothing")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date: {options['date']!r} is not a date (YYYY-MM-DD)") from exc
        summary = escalation_run(today=today, send=not options["no_send"])
        self.stdout.write(
            f"{summary.requirements_missed} missed statutory timescales; {summary.steps_recorded} steps recorded "
            f"({summary.superseded} superseded, {summary.nobody_to_tell} with nobody to tell); "
            f"{summary.emails_queued} emails queued, {summary.emails_sent} delivered now (the outbox retries the "
            f"rest).")
