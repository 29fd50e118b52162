"""Benchmark: ``agenda_dryrun`` on 10,000 children × 5 panels × 12 meetings — time and peak memory.

    .venv/bin/python bench/agenda_dryrun.py [--children 10000]

Runs the real management command in a child process (as a service would) and reads its peak
resident memory from the OS; also times the pure engine in-process for comparison.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ["high_risk", "education", "y2a", "resettlement", "mappa"]


def cohort(n: int, today: date) -> dict:
    rng = random.Random(11)
    children = []
    for i in range(n):
        status = rng.choice(["remand", "sentenced", "sentenced", "released", "community", "closed"])
        child = {"reference": f"DR-{i:06d}", "date_of_birth": (today - timedelta(days=rng.randint(13 * 365, 18 * 365)))
                 .isoformat(), "legal_status": status, "rosh": rng.choice([None, "low", "medium", "high", "very_high"]),
                 "mappa_level": rng.choice([None, None, 1, 2, 3])}
        if status == "remand":
            child["remand_date"] = (today - timedelta(days=rng.randint(1, 90))).isoformat()
        if status in ("sentenced", "released"):
            sentence = today - timedelta(days=rng.randint(10, 360))
            release = sentence + timedelta(days=rng.randint(60, 540))
            child.update(sentence_date=sentence.isoformat(), release_date=release.isoformat(),
                         sentence_length_months=rng.choice([4, 6, 8, 12, 18, 24]),
                         order_end_date=(release + timedelta(days=180)).isoformat())
            if status == "released":
                child["actual_release_date"] = min(release, today).isoformat()
        children.append(child)
    panels = [{"name": f"Panel {kind}", "kind": kind,
               "meetings": [(today + timedelta(days=7 + 28 * m)).isoformat() for m in range(12)]} for kind in KINDS]
    return {"panels": panels, "children": children}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = cohort(args.children, date(2026, 11, 22))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(data, fh)
        path = fh.name
    walls, peaks, items = [], [], 0
    for _ in range(args.repeat):
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "manage.py", "agenda_dryrun", path], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = proc.communicate()
        _, status, usage = os_wait(proc)
        walls.append(time.perf_counter() - start)
        peaks.append(usage)
        if proc.returncode != 0:
            sys.exit(err.decode())
        items = sum(len(m["items"]) for m in json.loads(out)["meetings"])
    sys.path.insert(0, str(ROOT))
    from agendas.dryrun import run_dryrun

    text = Path(path).read_text()
    engine = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        run_dryrun(text)
        engine.append(time.perf_counter() - start)
    print(f"children={args.children} panels=5 meetings/panel=12 items={items}")
    print(f"command wall time (median of {args.repeat}): {statistics.median(walls):.2f} s "
          f"(includes interpreter and Django start-up)")
    print(f"in-process run_dryrun (parse + validate + rules + output): {statistics.median(engine):.2f} s")
    print(f"peak resident memory of the command: {max(peaks) / 1024:.0f} MiB")


def os_wait(proc):
    """The child's exit status and peak RSS (KiB), from getrusage of children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc.wait()
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return proc.pid, proc.returncode, max(before, after)


if __name__ == "__main__":
    main()
