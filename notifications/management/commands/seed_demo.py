"""python manage.py seed_demo — a fictional service: panels, people, children, meetings, agendas, minutes and
actions. It lives in the rightmost app because it orchestrates all of them (panels → agendas → minutes)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from agendas.demo import hold_demo_history, publish_demo_agendas
from minutes.demo import record_demo_minutes
from notifications.escalation import escalation_run
from panels.demo import demo_logins_text, seed_demo, seed_demo_late_arrivals


class Command(BaseCommand):
    help = "Create (or top up) the fictional Northbridge demo service. Safe to run again."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--children", type=int, default=60, help="How many fictional children (default 60).")
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, children: int, quiet_logins: bool, **options) -> None:
        summary = seed_demo(children=children)
        hold_demo_history()
        minuted = record_demo_minutes()
        arrivals = seed_demo_late_arrivals()
        published = publish_demo_agendas()
        # the day's escalation of missed statutory timescales (e.g. no address a month before release): shown
        # on those children's pages and in the case managers' notifications; a second run adds nothing
        escalated = escalation_run().steps_recorded
        self.stdout.write(self.style.SUCCESS(
            f"Demo service ready: {summary.agencies} agencies, {summary.users} users, {summary.panels} panels, "
            f"{summary.children_added + arrivals} children added, {summary.meetings} meetings, "
            f"{published} agenda(s) published, minutes of {minuted} held meeting(s) recorded, "
            f"{escalated} escalation step(s) of missed statutory timescales."
        ))
        if quiet_logins:
            return
        self.stdout.write("\n" + demo_logins_text())
