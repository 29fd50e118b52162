"""Benchmark: agenda rules version 1 against version 2 on the same cohorts, in CPU time (issue 16).

    .venv/bin/python bench/rules_versions.py --tree /tmp/convene-v1 --tree . --rounds 5

Each round runs one fresh process per source tree, alternating the trees (the machine is shared: alternation
spreads the load evenly), and each process reports the CPU time (``time.process_time``, which other processes
disturb far less than wall time; the median of 3 runs in the process, 1 for the dry run) of: the in-process
dry run (``agendas.dryrun.run_dryrun``) on
``bench/agenda_dryrun.py``'s 10,000 children × 5 panels × 12 meetings, and ``agenda_compute`` / ``agenda_build``
of the first of 12 meetings of a High Risk and a Resettlement panel on ``bench/_setup.py``'s 10,000 children (the
same generators for both trees; the cohorts carry no v2 fields). Prints every round and the median, the spread
and the change per measure. A tree is any checkout of Convene (``git archive <commit> | tar -x -C <dir>``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

WORKER = r"""
import json, os, sys, tempfile, time
from datetime import date, timedelta
from pathlib import Path
tree, bench, children = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path[:0] = [tree, bench]
# the editable install's finder maps the project's packages to the installed checkout: this tree's come first
sys.meta_path = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
scratch = tempfile.mkdtemp(prefix="convene-rules-bench-")
os.environ.update(CONVENE_VAR_DIR=scratch, SQLITE_PATH=str(Path(scratch) / "b.sqlite3"),
                  DJANGO_SETTINGS_MODULE="config.settings", LOG_LEVEL="WARNING")
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
import _setup, agenda_dryrun
from agendas.dryrun import run_dryrun
assert run_dryrun.__code__.co_filename.startswith(tree), run_dryrun.__code__.co_filename
from agendas.services import agenda_build, agenda_compute
from panels.models import Agency, Meeting, Panel
today = date(2026, 11, 22)
out = {}
def cpu(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.process_time(); fn(); times.append(time.process_time() - start)
    return sorted(times)[len(times) // 2]
text = json.dumps(agenda_dryrun.cohort(children, today))
run_dryrun(json.dumps(agenda_dryrun.cohort(200, today)))  # warm: imports, working calendar
out["dryrun"] = cpu(lambda: run_dryrun(text), 1)
service = Agency.objects.create(name="Bench YJS", kind="yjs")
_setup.generate_cohort(service, children, today=today)
for kind in ("high_risk", "resettlement"):
    panel = Panel.objects.create(service=service, name=f"Bench {kind}", kind=kind)
    meetings = [Meeting.objects.create(panel=panel, starts_at=_setup.aware(today + timedelta(days=7 + 28 * n)),
                                       ends_at=_setup.aware(today + timedelta(days=7 + 28 * n), 12),
                                       status="scheduled") for n in range(12)]
    agenda_compute(meeting=meetings[0], today=today)
    out[f"{kind}_compute"] = cpu(lambda: agenda_compute(meeting=meetings[0], today=today), 3)
    out[f"{kind}_build"] = cpu(lambda: agenda_build(meeting=meetings[0], today=today), 3)
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", action="append", required=True, help="a source tree; give two or more")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--children", type=int, default=10_000)
    args = parser.parse_args()
    trees = [str(Path(t).resolve()) for t in args.tree]
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(WORKER)
        worker = fh.name
    results: dict[str, list[dict[str, float]]] = {t: [] for t in trees}
    for round_ in range(1, args.rounds + 1):
        for tree in trees if round_ % 2 else reversed(trees):  # alternate which tree goes first
            load = os.getloadavg()[0]
            proc = subprocess.run([sys.executable, worker, tree, str(HERE), str(args.children)], cwd=tree,
                                  capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                sys.exit(proc.stderr)
            figures = json.loads(proc.stdout.strip().splitlines()[-1])
            results[tree].append(figures)
            print(f"round {round_} load {load:4.1f} {tree}: "
                  + " ".join(f"{k}={v * 1000:.0f}ms" for k, v in figures.items()), flush=True)
    base = trees[0]
    print(f"\n{'measure':<22}" + "".join(f"{Path(t).name:>28}" for t in trees) + f"{'change':>9}")
    for measure in results[base][0]:
        cells, medians = [], []
        for tree in trees:
            values = [r[measure] * 1000 for r in results[tree]]
            median = statistics.median(values)
            medians.append(median)
            cells.append(f"{median:,.0f} ms ({min(values):,.0f}–{max(values):,.0f})")
        print(f"{measure:<22}" + "".join(f"{c:>28}" for c in cells) + f"{(medians[-1] / medians[0] - 1):>+9.0%}")


if __name__ == "__main__":
    main()
