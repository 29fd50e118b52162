"""Benchmark: the oversight reports (issue 17) over 10,000 children and three years of meetings.

    .venv/bin/python bench/oversight.py [--children 10000] [--repeat 5]

Seeds one service (bulk_create): children whose custody, release and statutory meetings spread over three years
(each held on time, late or not at all), with gender, ethnicity, looked-after and EHCP values, case managers,
establishments, address history, ETE on release; five panels with a meeting a month for three years. Then times
each page through the Django test client as a service manager (the whole view: queries, rules, aggregation,
charts, template) and counts its SQL queries.

The rows are computed once per change by a background job (agendas/oversight/snapshots.py; here its start is
recorded, not run, and the job is timed on its own). Prints, once, "first ever" (a service's very first reading:
no stored rows, every child read and computed in the request) and "rebuild job" (the background job after a
change); then one line per page: "changed" the first reading after a record changed (the last complete rows, said
to be being updated, and the rebuild asked for), "new process" a process's first reading of current rows (loaded
from the stored snapshot), "then" the next readings (the process's kept rows; the stamp and the snapshot's key
confirm them), and the queries of a "then" reading. Last, the board pack PDF (agendas/oversight/board_files.py):
"Prepare the PDF" (the request: the job asked for), the job itself, and the download of the made file.
"""

from __future__ import annotations

import argparse
import random

from _setup import aware, django_setup, timed

PAGES = ["/oversight/", "/oversight/timeliness/", "/oversight/timeliness/?by=ethnicity",
         "/oversight/timeliness/?by=case_manager", "/oversight/releases/", "/oversight/releases/?by=age_band",
         "/oversight/custody/", "/oversight/timeliness/children/?figure=open&key=RS_FINAL_REVIEW",
         "/oversight/timeliness.csv", "/oversight/timeliness.xlsx", "/oversight/board/",
         "/oversight/board/?audience=summary"]


def seed(n: int, today, rng: random.Random):
    from datetime import timedelta

    from agendas.workdays import WorkingCalendar
    from panels.models import Agency, Child, LegalEpisode, Meeting, Panel, ReleaseAddressChange, ReleaseEte, User

    cal = WorkingCalendar.england(2022, 2028)
    service = Agency.objects.create(name="Bench YJS", kind="yjs")
    places = [Agency.objects.create(name=f"Bench establishment {i}", kind="secure_estate",
                                    establishment_type=("yoi", "stc", "sch")[i % 3]) for i in range(8)]
    managers = User.objects.bulk_create([User(username=f"bench-cm-{i}", first_name="Case", last_name=f"Manager {i}",
                                              agency=service, role="case_manager") for i in range(60)])
    boss = User.objects.create(username="bench-manager", agency=service, role="manager")
    for kind in ("high_risk", "education", "y2a", "resettlement", "mappa"):
        panel = Panel.objects.create(service=service, name=f"Bench {kind}", kind=kind)
        Meeting.objects.bulk_create([
            Meeting(panel=panel, starts_at=aware(today - timedelta(days=28 * m)),
                    ends_at=aware(today - timedelta(days=28 * m), 12), status="closed") for m in range(1, 40)])

    def held(due):  # on time, late or never
        roll = rng.random()
        if roll < 0.6:
            return due - timedelta(days=rng.randint(0, 5))
        return due + timedelta(days=rng.randint(1, 30)) if roll < 0.85 else None

    children, plans = [], []
    for i in range(n):
        status = rng.choice(["remand", "sentenced", "sentenced", "released", "released", "community", "closed"])
        entry = today - timedelta(days=rng.randint(20, 3 * 365))
        release = entry + timedelta(days=rng.randint(60, 540))
        released = status in ("released", "closed") and release < today
        child = Child(
            service=service, reference=f"BO-{i:06d}", given_name="Bench", family_name=f"Child{i}",
            date_of_birth=today - timedelta(days=rng.randint(13 * 365, 18 * 365 - 30)), legal_status=status,
            gender=rng.choice(["female", "male", "male", "male", None]),
            ethnicity=rng.choice(["asian", "black", "mixed", "white", "white", "other", "not_stated", None]),
            looked_after=rng.choice([True, False, None]), ehcp=rng.choice([True, False, None]),
            case_manager=rng.choice(managers),
            ipm_held_on=held(cal.add_working_days(entry, 10)),
            first_planning_held_on=held(cal.add_working_days(entry, 20)),
            final_review_held_on=held(cal.sub_working_days(release, 10)),
            post_release_review_held_on=held(cal.add_working_days(release, 20)) if released else None,
            ete_interview_on=held(cal.add_working_days(release, 10)) if released else None,
            release_address_status=rng.choice(["none", "proposed", "assessed", "confirmed"]),
        )
        children.append(child)
        plans.append((status, entry, release, released))
    Child.objects.bulk_create(children, batch_size=2000)
    episodes, addresses, etes = [], [], []
    for child, (status, entry, release, released) in zip(children, plans, strict=True):
        place = rng.choice(places)
        if status == "remand":
            episodes.append(LegalEpisode(child=child, kind="remand", start_date=entry, custody_entry_date=entry,
                                         establishment=place, sentence_type="remand_yda"))
        elif status == "community":
            episodes.append(LegalEpisode(child=child, kind="sentence", start_date=entry, sentence_type="yro",
                                         order_end_date=entry + timedelta(days=365)))
        else:
            episodes.append(LegalEpisode(
                child=child, kind="sentence", start_date=entry, custody_entry_date=entry, sentence_type="dto",
                release_date=release, sentence_length_months=rng.choice([4, 6, 8, 12, 18, 24]),
                actual_release_date=release if released else None, order_end_date=release + timedelta(days=180),
                establishment=place))
        if child.release_address_status == "confirmed":
            addresses.append(ReleaseAddressChange(child=child, status="confirmed",
                                                  on=release - timedelta(days=rng.randint(-5, 60))))
        if rng.random() < 0.5:
            etes.append(ReleaseEte(child=child, kind=rng.choice(["education", "training", "employment"]),
                                   starts_on=release + timedelta(days=rng.randint(0, 20))))
    LegalEpisode.objects.bulk_create(episodes, batch_size=2000)
    ReleaseAddressChange.objects.bulk_create(addresses, batch_size=2000)
    ReleaseEte.objects.bulk_create(etes, batch_size=2000)
    return boss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-pdf", action="store_true", help="leave out the board pack's PDF job (slow at 10,000)")
    args = parser.parse_args()
    django_setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    settings.ALLOWED_HOSTS = ["*"]
    settings.TWO_FACTOR_ENFORCED = False  # the bench signs in with force_login, without a second factor
    boss = seed(args.children, timezone.localdate(), random.Random(17))
    client = Client()
    client.force_login(boss)
    print(f"database: {connection.vendor}; children: {args.children}; load average before: {_load()}")
    from agendas.models import OversightRows
    from agendas.oversight import snapshots
    from panels import jobs
    from panels.models import Child

    asked: list[int] = []
    jobs.run_job = lambda kind, job_id: asked.append(job_id)  # the bench times the job itself, below
    service_id = boss.agency_id
    one_child = Child.objects.filter(service_id=service_id).values_list("pk", flat=True).first()

    def change() -> None:  # a record changed (as a page, the import or the API would): the stamp moves
        Child.objects.filter(pk=one_child).update(updated_at=timezone.now())

    def rebuild() -> None:
        OversightRows.objects.filter(service_id=service_id).update(status=OversightRows.Status.PENDING)
        snapshots.oversight_rows_build(OversightRows.objects.get(service_id=service_id).pk)

    first_ever, _ = timed(lambda: client.get("/oversight/"), repeat=1)
    print(f"first ever reading of the service (rows computed in the request): {first_ever:.3f} s")
    rebuilds = []
    print(f"{'page':<56} {'changed s':>9} {'new proc s':>10} {'then s':>8} {'queries':>8} {'status':>7}")
    for page in PAGES:
        repeat = args.repeat
        client.get(page)  # warm the code paths

        def changed(page=page):
            change()
            return client.get(page)

        stale, response = timed(changed, repeat=repeat)
        assert response.status_code != 200 or page.endswith((".csv", ".xlsx", ".pdf")) or \
            b"being updated" in response.content, page
        took, _ = timed(rebuild, repeat=1)
        rebuilds.append(took)

        def new_process(page=page):
            snapshots.forget_rows()  # as another worker process: the rows loaded from the stored snapshot
            return client.get(page)

        cold, _ = timed(new_process, repeat=repeat)
        seconds, response = timed(lambda page=page: client.get(page), repeat=repeat)
        with CaptureQueriesContext(connection) as queries:
            client.get(page)
        print(f"{page:<56} {stale:>9.3f} {cold:>10.3f} {seconds:>8.3f} {len(queries):>8} {response.status_code:>7}",
              flush=True)
    if not args.no_pdf:
        board_pdf(client, asked)
    rebuilds.sort()
    print(f"rebuild job (background, per change): median {rebuilds[len(rebuilds) // 2]:.3f} s, "
          f"min {rebuilds[0]:.3f} s, max {rebuilds[-1]:.3f} s over {len(rebuilds)} runs")
    blob = OversightRows.objects.filter(service_id=service_id).values_list("rows", flat=True).get()
    print(f"stored snapshot: {len(bytes(blob)) / 1e6:.1f} MB; rebuilds asked for: {len(asked)}; "
          f"load average after: {_load()}")


def board_pdf(client, asked: list[int]) -> None:
    """The board pack PDF (agendas/oversight/board_files.py): "Prepare the PDF" answers at once (its job asked
    for, not run: ``asked``); the job, run here, is what takes the time (its layout: about a minute at 10,000)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agendas.models import BoardPackFile
    from agendas.oversight import board_files

    with CaptureQueriesContext(connection) as queries:
        seconds, response = timed(lambda: client.post("/oversight/board/prepare/", {"audience": "full"}), repeat=1)
    print(f"{'POST /oversight/board/prepare/ (the job asked for)':<56} {'':>9} {'':>10} {seconds:>8.3f} "
          f"{len(queries):>8} {response.status_code:>7}", flush=True)
    job = BoardPackFile.objects.defer("pdf").get(pk=asked[-1])
    took, _ = timed(lambda: board_files.board_file_build(job.pk), repeat=1)
    job.refresh_from_db()
    print(f"board pack PDF job (background): {took:.3f} s, {job.get_status_display()}, "
          f"{len(bytes(job.pdf)) / 1e6:.1f} MB, {len(job.children)} children listed", flush=True)
    with CaptureQueriesContext(connection) as queries:
        seconds, response = timed(lambda: client.get(f"/oversight/board/{job.pk}.pdf"), repeat=1)
    print(f"{f'/oversight/board/{job.pk}.pdf (the made file)':<56} {'':>9} {'':>10} {seconds:>8.3f} "
          f"{len(queries):>8} {response.status_code:>7}", flush=True)


def _load() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


if __name__ == "__main__":
    main()
