"""python manage.py build_agendas — rebuild every agenda still to come (run daily: dates move on)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from agendas.services import agendas_rebuild_upcoming
from panels.models import Panel


class Command(BaseCommand):
    help = "Rebuild the working agendas of all meetings not yet held (cron: daily, early morning)."

    def handle(self, *args, **options) -> None:
        total = 0
        for panel in Panel.objects.filter(is_active=True).select_related("service"):
            total += agendas_rebuild_upcoming(panel=panel)
        self.stdout.write(f"Rebuilt {total} agenda(s).")
