"""python manage.py demo_logins — the demo's logins (fictional users of panels.demo) and the two-factor hint."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from panels.demo import demo_logins_text


class Command(BaseCommand):
    help = "Print the demo users' logins and how to get a two-factor code (demo data only)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(demo_logins_text())
