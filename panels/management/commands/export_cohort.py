"""python manage.py export_cohort [FILE.csv] — the cohort in the import format (round-trip equal)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from panels.cohort_import import cohort_export_csv
from panels.enums import AgencyKind
from panels.models import Agency, Child
from panels.selectors import children_with_episodes


class Command(BaseCommand):
    help = "Export every child of a youth justice service as cohort CSV."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", default="-", help="Output path, or - for standard output.")
        parser.add_argument("--service", help="Name of the youth justice service (needed if there are several).")

    def handle(self, *args, file: str, service: str | None, **options) -> None:
        services = Agency.objects.filter(kind=AgencyKind.YJS)
        if service:
            services = services.filter(name__iexact=service)
        found = list(services[:2])
        if len(found) != 1:
            raise CommandError("Name exactly one youth justice service with --service.")
        text = cohort_export_csv(children_with_episodes(Child.objects.filter(service=found[0])).order_by("reference"))
        if file == "-":
            sys.stdout.write(text)
        else:
            with open(file, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            self.stderr.write(f"Wrote {text.count(chr(10)) - 1} children to {file}")
