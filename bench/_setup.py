"""Shared set-up for benchmarks: a throwaway database (SQLite file, or DATABASE_URL) with a generated cohort."""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def django_setup() -> None:
    scratch = tempfile.mkdtemp(prefix="convene-bench-")
    os.environ.setdefault("CONVENE_VAR_DIR", scratch)
    os.environ.setdefault("SQLITE_PATH", str(Path(scratch) / "bench.sqlite3"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def timed(fn, repeat: int = 5) -> tuple[float, object]:
    """Median wall time of ``repeat`` runs (seconds) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def generate_cohort(service, n: int, *, today: date, seed: int = 7) -> None:
    """``n`` fictional children with realistic legal episodes, bulk-inserted."""
    from panels.models import Child, LegalEpisode

    rng = random.Random(seed)
    start = Child.objects.filter(service=service).count()
    children, statuses = [], []
    for i in range(start, start + n):
        status = rng.choice(["remand", "sentenced", "sentenced", "released", "community", "closed"])
        dob = today - timedelta(days=rng.randint(13 * 365, 18 * 365 - 30))
        children.append(Child(service=service, reference=f"BX-{i:06d}", given_name="Bench", family_name=f"Child{i}",
                              date_of_birth=dob, legal_status=status,
                              rosh=rng.choice(["low", "medium", "high", "very_high", None]),
                              mappa_level=rng.choice([None, None, "1", "2", "3"])))
        statuses.append(status)
    Child.objects.bulk_create(children, batch_size=2000)
    episodes = []
    for child, status in zip(children, statuses, strict=True):
        if status == "remand":
            remand = today - timedelta(days=rng.randint(1, 90))
            episodes.append(LegalEpisode(child=child, kind="remand", start_date=remand))
        elif status in ("sentenced", "released"):
            sentence = today - timedelta(days=rng.randint(10, 360))
            release = sentence + timedelta(days=rng.randint(60, 540))
            episodes.append(LegalEpisode(
                child=child, kind="sentence", start_date=sentence, release_date=release,
                sentence_length_months=rng.choice([4, 6, 8, 12, 18, 24]),
                actual_release_date=min(release, today - timedelta(days=1)) if status == "released" else None,
                order_end_date=release + timedelta(days=180),
            ))
    LegalEpisode.objects.bulk_create(episodes, batch_size=2000)


def aware(day: date, hour: int = 10):
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))
