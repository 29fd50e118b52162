"""The skeleton shared by the daily ladder jobs' commands (send_reminders, escalate_statutory): ``--date`` to run
as if today were another day, ``--no-send`` to record the steps and send nothing, then one summary line."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class DailyJobCommand(BaseCommand):
    """A subclass says which job to run (``run``) and how to sum up what it did (``summary_line``)."""

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
        self.stdout.write(self.summary_line(self.run(today=today, send=not options["no_send"])))

    def run(self, *, today: date | None, send: bool) -> Any:
        raise NotImplementedError

    def summary_line(self, summary: Any) -> str:
        raise NotImplementedError
