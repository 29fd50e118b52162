"""Benchmark: the daily escalation of missed statutory timescales over a large cohort.

    .venv/bin/python bench/escalation.py [--children 10000]

Generates a service with N fictional children (``_setup.generate_cohort``), 40 case managers with line
managers, and one panel of each kind with a strategic lead, then measures:

- ``missed_requirements`` alone (the statutory module over every open child: the input);
- the job on a fresh day (recording, auditing, queueing to Django's in-memory mail outbox): time and queries;
- the same job again that day (nothing new: what a doubled beat or a second worker costs): time and queries.
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from _setup import django_setup, generate_cohort


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=10_000)
    args = parser.parse_args()
    django_setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.escalation import escalation_run
    from notifications.models import RequirementNotice
    from notifications.requirements import missed_requirements
    from panels.enums import AgencyKind, UserRole
    from panels.models import Agency, Child, Panel, User

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.OUTBOX_DELIVER_ON_COMMIT = False
    today = date(2026, 11, 23)
    service = Agency.objects.create(name="Bench YJS", kind=AgencyKind.YJS)
    head = User.objects.create_user("bench-head", email="head@yjs.example", agency=service, role=UserRole.MANAGER)
    managers = [User.objects.create_user(f"bench-tl{i}", email=f"tl{i}@yjs.example", agency=service,
                                         role=UserRole.PRACTITIONER) for i in range(8)]
    cms = [User.objects.create_user(f"bench-cm{i}", email=f"cm{i}@yjs.example", agency=service,
                                    role=UserRole.CASE_MANAGER, line_manager=managers[i % 8]) for i in range(40)]
    for kind in ("high_risk", "education", "y2a", "resettlement", "mappa"):
        Panel.objects.create(service=service, name=f"Bench {kind}", kind=kind, strategic_lead=head)
    generate_cohort(service, args.children, today=today)
    for i, cm in enumerate(cms):
        Child.objects.filter(service=service, pk__in=list(
            Child.objects.filter(service=service).values_list("pk", flat=True)[i::40])).update(case_manager=cm)

    start = time.perf_counter()
    missed = missed_requirements(today=today)
    input_s = time.perf_counter() - start
    with CaptureQueriesContext(connection) as fresh:
        start = time.perf_counter()
        first = escalation_run(today=today, send=True)
        fresh_s = time.perf_counter() - start
    with CaptureQueriesContext(connection) as again:
        start = time.perf_counter()
        second = escalation_run(today=today, send=True)
        again_s = time.perf_counter() - start
    print(f"children: {args.children}; open children with a missed timescale: {len(missed)}; "
          f"missed requirements: {sum(len(v) for v in missed.values())}")
    print(f"missed_requirements alone: {input_s * 1000:.0f} ms")
    print(f"fresh day: {fresh_s * 1000:.0f} ms, {len(fresh.captured_queries)} queries, "
          f"{first.steps_recorded} steps recorded, {first.emails_queued} emails queued "
          f"({RequirementNotice.objects.count()} notices)")
    print(f"same day again: {again_s * 1000:.0f} ms, {len(again.captured_queries)} queries, "
          f"{second.steps_recorded} steps recorded, {second.emails_queued} emails")


if __name__ == "__main__":
    main()
