"""python manage.py agenda_dryrun INPUT.json — the agenda rules on a cohort, JSON out, no database."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from agendas.dryrun import run_dryrun


class Command(BaseCommand):
    help = "Run the agenda rules on a cohort (docs/agenda-rules.md §5). Exit 2 with one line per problem on bad input."
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser) -> None:
        parser.add_argument("input", help="Path to the input JSON file, or - for standard input.")
        parser.add_argument("--indent", type=int, default=None,
                            help="Pretty-print with this indent (default: compact, fastest for large cohorts).")

    def handle(self, *args, input: str, indent: int | None, **options) -> None:
        try:
            if input == "-":
                text = sys.stdin.read()
            else:
                with open(input, encoding="utf-8") as fh:
                    text = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            self.stderr.write(f"input: cannot read {input}: {getattr(exc, 'strerror', None) or exc}")
            sys.exit(2)
        output, errors = run_dryrun(text)
        if errors:
            for line in errors:
                self.stderr.write(line)
            sys.exit(2)
        separators = None if indent else (",", ":")
        self.stdout.write(json.dumps(output, indent=indent, separators=separators, ensure_ascii=False))
