"""python manage.py import_cohort FILE.csv [--dry-run] — the same checks and guarantees as the web upload."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from panels.cohort_import import cohort_import_create, cohort_import_process
from panels.enums import SERVICE_WIDE_ROLES, AgencyKind
from panels.models import Agency, CohortImport, User


class Command(BaseCommand):
    help = "Import a cohort CSV file (docs/cohort-format.md): all rows apply, or none do."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Path to the CSV file, UTF-8, with a header row.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report only; change nothing.")
        parser.add_argument("--service", help="Name of the youth justice service (needed if there are several).")
        parser.add_argument("--user", help="Username recorded as the importer (default: the service's coordinator).")
        parser.add_argument("--ignore-columns", default="", help="Comma-separated extra columns to ignore.")

    def handle(self, *args, file: str, dry_run: bool, service: str | None, user: str | None,
               ignore_columns: str, **options) -> None:
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"{file}: no such file") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file}: not UTF-8 text (save it as 'CSV UTF-8')") from None
        except OSError as exc:
            raise CommandError(f"{file}: cannot be read ({exc.strerror})") from None
        agency = self._service(service)
        actor = self._user(user, agency)
        job = cohort_import_create(
            service=agency, actor=actor, text=text, filename=path.name, dry_run=dry_run,
            ignore_columns=[c.strip() for c in ignore_columns.split(",") if c.strip()],
        )
        job = cohort_import_process(job=job)
        if job.status in (CohortImport.Status.REJECTED, CohortImport.Status.FAILED):
            for p in job.problems:
                where = ", ".join(x for x in (f"row {p['row']}" if p["row"] else "", p["reference"], p["field"]) if x)
                self.stderr.write(f"{where}: {p['message']}" if where else p["message"])
            raise CommandError(f"{path.name}: not imported ({len(job.problems)} problem(s)); nothing was changed.")
        for notice in job.notices:
            self.stdout.write(f"Note: {notice}")
        if job.dry_run:
            self.stdout.write(f"{path.name}: no problems in {job.total_rows} rows; would add {job.created_count} "
                              f"and update {job.updated_count} children (dry run: nothing changed).")
        else:
            self.stdout.write(self.style.SUCCESS(
                f"{path.name}: {job.created_count} added, {job.updated_count} updated, "
                f"{job.unchanged_count} unchanged."
            ))

    def _service(self, name: str | None) -> Agency:
        services = Agency.objects.filter(kind=AgencyKind.YJS)
        if name:
            services = services.filter(name__iexact=name)
        found = list(services[:2])
        if not found:
            raise CommandError(f"No youth justice service named {name!r}." if name else "No youth justice service "
                               "exists yet: run seed_demo or add one in the admin.")
        if len(found) > 1:
            raise CommandError("Several youth justice services exist: name one with --service.")
        return found[0]

    def _user(self, username: str | None, service: Agency) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {username!r}.")
            return user
        user = service.users.filter(role__in=SERVICE_WIDE_ROLES, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError(f"{service.name} has no coordinator or manager: name the importer with --user.")
        return user
