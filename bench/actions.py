"""Benchmark: actions between meetings at 100,000 actions.

    .venv/bin/python bench/actions.py [--actions 100000]

Generates a service with 2,000 children, 5 panels, 60 held meetings and N actions owned across 12
agencies (a quarter by one busy probation officer), then measures, as medians of 5 runs:

- the "My actions" page of the busy officer and a panel's action register (first page, open filter)
  through Django's test client: SQL queries (must not grow with N) and time;
- the daily reminder job (``reminders_run``, recording and sending to Django's in-memory mail outbox)
  on a fresh day, against the bare query over the actions it has to look at, measured in the same run;
  and the same job run again that day (nothing new: what a doubled beat costs).
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta

from _setup import aware, django_setup, generate_cohort, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    django_setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from minutes.models import Action
    from notifications.ladder import Ladder
    from notifications.models import ActionNotice
    from notifications.reminders import _candidates, reminders_run
    from panels.enums import AgencyKind, MembershipRole, UserRole
    from panels.models import Agency, Child, Meeting, Panel, PanelMembership, User

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALLOWED_HOSTS = ["*"]
    today = date(2026, 11, 23)
    rng = random.Random(5)
    service = Agency.objects.create(name="Bench YJS", kind=AgencyKind.YJS)
    agencies = [Agency.objects.create(name=f"Bench agency {i}", kind=AgencyKind.PROBATION,
                                      email=f"actions{i}@agency.example") for i in range(12)]
    chair = User.objects.create_user("bench-chair", email="chair@yjs.example", agency=service,
                                     role=UserRole.MANAGER)
    officer = User.objects.create_user("bench-officer", email="officer@agency.example", agency=agencies[0],
                                       role=UserRole.PARTNER)
    people = [User.objects.create_user(f"bench-{i}", email=f"p{i}@agency.example", agency=agencies[i % 12],
                                       role=UserRole.PARTNER, digest_emails=i % 2 == 0) for i in range(200)]
    generate_cohort(service, 2000, today=today)
    children = list(Child.objects.filter(service=service).values_list("pk", flat=True))
    meetings = []
    for kind in ("high_risk", "education", "y2a", "resettlement", "mappa"):
        panel = Panel.objects.create(service=service, name=f"Bench {kind}", kind=kind)
        PanelMembership.objects.create(panel=panel, user=chair, role=MembershipRole.CHAIR)
        for n in range(12):
            day = today - timedelta(days=7 + 28 * n)
            meetings.append(Meeting.objects.create(panel=panel, starts_at=aware(day), ends_at=aware(day, 12),
                                                   status="closed"))
    batch = []
    for i in range(args.actions):
        meeting = rng.choice(meetings)
        owner = officer if i % 4 == 0 else (rng.choice(people) if i % 4 != 3 else None)
        agency = owner.agency if owner else rng.choice(agencies)
        batch.append(Action(meeting=meeting, child_id=rng.choice(children), description=f"Bench action {i}",
                            owner=owner, owner_agency=agency, created_by=chair,
                            due_date=meeting.starts_at.date() + timedelta(days=rng.randint(7, 400)),
                            status=rng.choice(["open", "open", "open", "in_progress", "blocked", "done",
                                               "verified", "cancelled"])))
    Action.objects.bulk_create(batch, batch_size=5000)
    print(f"database: {connection.vendor}; {Action.objects.count()} actions, "
          f"{Action.objects.filter(owner=officer).count()} owned by the busy officer")

    def page(user, url):
        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(ctx.captured_queries), client

    for label, user, url in (("My actions", officer, "/actions/"),
                             ("Action register", chair, f"/panels/{meetings[0].panel_id}/actions/?status=open")):
        queries, client = page(user, url)
        t, _ = timed(lambda: client.get(url), args.repeat)  # noqa: B023
        print(f"{label:>16}: {queries} queries, {t * 1000:.0f} ms (median of {args.repeat})")

    window, _ = _candidates(today, {}, Ladder())

    def bare():
        return list(Action.objects.filter(window).values_list("id", "due_date", "owner_id", "owner_agency_id"))

    t_bare, rows = timed(bare, args.repeat)
    runs = []
    for offset in range(args.repeat):  # each run a fresh day, so each records and sends new steps
        day = today + timedelta(days=offset)
        start = time.perf_counter()
        summary = reminders_run(today=day)
        runs.append((time.perf_counter() - start, summary))
    runs.sort(key=lambda r: r[0])
    t_job, summary = runs[len(runs) // 2]
    start = time.perf_counter()
    again = reminders_run(today=today + timedelta(days=args.repeat - 1))
    t_again = time.perf_counter() - start
    print(f"bare query over the actions in the ladder's window: {len(rows)} rows, {t_bare * 1000:.0f} ms")
    print(f"reminder job (median day): {t_job * 1000:.0f} ms, ratio to the bare query {t_job / t_bare:.1f}; "
          f"{summary.steps_recorded} steps recorded, {summary.emails_sent} emails")
    print(f"the same day again: {t_again * 1000:.0f} ms, {again.steps_recorded} steps, {again.emails_sent} emails; "
          f"{ActionNotice.objects.count()} notices in all")


if __name__ == "__main__":
    main()
