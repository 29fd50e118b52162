"""Benchmark: building one meeting's agenda vs the bare query that loads the cohort's rows.

    .venv/bin/python bench/agenda_build.py [--sizes 1000,10000,50000]

For each cohort size: the median time of ``agenda_compute`` (rules + live reasons, no writes), of
``agenda_build`` (compute + write the items), and of the bare query loading the same children with
their current episodes; the ratios are measured in the same run. Also the SQL query count of a build.
"""

from __future__ import annotations

import argparse

from _setup import aware, django_setup, generate_cohort, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    django_setup()
    from datetime import date, timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agendas.selectors import cohort_rows
    from agendas.services import agenda_build, agenda_compute
    from panels.models import Agency, Child, Meeting, Panel
    from panels.selectors import children_with_episodes

    today = date(2026, 11, 22)
    service = Agency.objects.create(name="Bench YJS", kind="yjs")
    print(f"database: {connection.vendor}")
    print(f"{'children':>9} {'panel':>12} {'bare rows':>10} {'ORM rows':>9} {'compute':>9} {'build':>9} "
          f"{'compute/bare':>13} {'build/bare':>11} {'build/ORM':>10} {'queries':>8} {'items':>6}")
    loaded = 0
    for size in [int(s) for s in args.sizes.split(",")]:
        generate_cohort(service, size - loaded, today=today)
        loaded = size
        for kind in ("high_risk", "resettlement"):
            panel, _ = Panel.objects.get_or_create(service=service, name=f"Bench {kind}", kind=kind)
            meetings = []
            for n in range(12):
                day = today + timedelta(days=7 + 28 * n)
                meeting, _ = Meeting.objects.get_or_create(
                    panel=panel, starts_at=aware(day), defaults={"ends_at": aware(day, 12), "status": "scheduled"})
                meetings.append(meeting)
            target = meetings[0]

            def bare_rows():
                # the bare query: the open children's rows and their current episodes, nothing else
                return cohort_rows(service_id=service.pk)

            def orm_objects():
                # the same rows as the app's pages load them: model instances with their episodes
                return list(children_with_episodes(Child.objects.filter(service=service)
                                                   .exclude(legal_status="closed")).select_related(None))

            t_bare, _ = timed(bare_rows, args.repeat)
            t_orm, _ = timed(orm_objects, args.repeat)
            t_compute, items = timed(lambda: agenda_compute(meeting=target, today=today), args.repeat)  # noqa: B023
            t_build, _ = timed(lambda: agenda_build(meeting=target, today=today), args.repeat)  # noqa: B023
            with CaptureQueriesContext(connection) as ctx:
                agenda_build(meeting=target, today=today)
            print(f"{size:>9} {kind:>12} {t_bare * 1000:>8.0f}ms {t_orm * 1000:>7.0f}ms {t_compute * 1000:>7.0f}ms "
                  f"{t_build * 1000:>7.0f}ms {t_compute / t_bare:>13.2f} {t_build / t_bare:>11.2f} "
                  f"{t_build / t_orm:>10.2f} {len(ctx.captured_queries):>8} {len(items):>6}")


if __name__ == "__main__":
    main()
