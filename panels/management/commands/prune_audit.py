"""python manage.py prune_audit [--days N] [--dry-run] — delete audit entries older than the retention period.

The only way entries leave the audit log. Run it daily (cron, or Celery beat in the production shape)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from panels.accounts import audit_prune


class Command(BaseCommand):
    help = "Delete audit entries older than AUDIT_RETENTION_DAYS (or --days). The run itself is recorded."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=None,
                            help=f"Keep this many days (default AUDIT_RETENTION_DAYS={settings.AUDIT_RETENTION_DAYS}).")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; delete nothing.")

    def handle(self, *args, days: int | None, dry_run: bool, **options) -> None:
        days = settings.AUDIT_RETENTION_DAYS if days is None else days
        if days < 30:
            raise CommandError(f"--days {days} is too short: keep at least 30 days of the audit log.")
        count = audit_prune(days=days, dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"{count} audit entr{'y' if count == 1 else 'ies'} older than {days} days would be "
                              "deleted (dry run: nothing deleted).")
        else:
            self.stdout.write(self.style.SUCCESS(
                f"Deleted {count} audit entr{'y' if count == 1 else 'ies'} older than {days} days."))
