"""Deliver the outbox: once (cron, or by hand after a mail-server outage) or in a loop (the embedded
shape's worker for debounced updates and retries; Celery beat does this in production)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from notifications.outbox import outbox_deliver


class Command(BaseCommand):
    help = "Send every outbox message that is due; with --loop, keep doing so every --interval seconds."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running (Ctrl-C stops it)")
        parser.add_argument("--interval", type=float, default=15.0, help="Seconds between runs with --loop")

    def handle(self, *args, **options):
        if options["interval"] <= 0:
            self.stderr.write("--interval must be more than 0 seconds")
            raise SystemExit(2)
        while True:
            result = outbox_deliver(drain=True)
            if result.attempted or not options["loop"]:
                self.stdout.write(f"{result.sent} sent, {result.retrying} to retry, {result.failed} failed.")
            if not options["loop"]:
                return
            close_old_connections()
            try:
                time.sleep(options["interval"])
            except KeyboardInterrupt:
                return
