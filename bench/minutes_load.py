"""Benchmark: live minutes under load, our Channels consumer vs the reference Yjs websocket server.

    .venv/bin/python bench/minutes_load.py [--seconds 20] [--rooms 20] [--editors 10] [--rate 5]

One run does, on this machine:

1. creates a throwaway PostgreSQL database (``BENCH_PG_URL``, default
   ``postgres://postgres@127.0.0.1:5432/postgres``, names the server) and uses Redis (``BENCH_REDIS_URL``,
   default ``redis://127.0.0.1:6379/7``); migrates; creates ``--rooms`` meetings in progress, each with
   ``--editors`` minute editors (a chair, a coordinator, members invited to take minutes) and a session per
   editor made with Django's SessionStore, so the load generator sends real ``sessionid`` cookies;
2. starts ``--workers`` ASGI workers (``python -m uvicorn ... config.asgi:application``, as deployed; ``--server
   daphne`` for daphne) sharing
   PostgreSQL and Redis, and runs the Node load generator (``bench/minutes-load/load.mjs``, y-websocket 3
   clients): every editor of a meeting edits the meeting's general minute (room ``<id>.meeting.general``),
   its editors spread evenly over the workers, each appending ``--rate`` small edits per second for
   ``--seconds`` seconds;
3. runs the same load against the reference server, y-websocket 2.x ``bin/server.cjs`` (in memory, one
   Node process), with the same rooms, editors and edits.

Measured for both: edit propagation latency, from the send of an edit to its arrival at each other
editor of the room (p50/p95/p99 per delivery), and to its arrival at *every* other editor (the slowest of
the room, per edit). Arrivals are tracked by Yjs client id and clock in the load generator (all editors of
a room are in one Node process); each edit's text also carries its sender, number and send time. Also:
deliveries and websocket frames per second received by the editors (frames by kind); CPU seconds and peak
RSS (VmHWM) of each server process from /proc, and the CPU of PostgreSQL (with its exited backends),
Redis, the load generator and everything else on the machine over the same window (from GO until every
edit arrived, or until the drain gave up); the load generator's event-loop delay, so that a saturated
generator is visible.

Then the checks: undelivered edits (an expected arrival that never came, and an edit missing from an
editor's final text; after sending stops, the drain waits until every edit arrived, or none arrived for
``--drain`` s, or ``--max-drain`` s passed) and divergent documents (editors' texts differ from each
other, or from what a fresh client then gets from the server, or, for ours, from the stored update log and
text snapshot). Workers log at INFO into the scratch directory; relays the channel layer dropped (its
inbox over capacity) and consumer failures are counted from there. Printed: a table of both, our p95 as a
ratio to the reference's p95 (targets: our p95 under 50 ms on loopback, ratio at most 1.5), and which code
was measured (HEAD and any uncommitted change to the live-minutes files).

Ids in the throwaway database start at a random high offset, because the channel-layer groups are named
after document and user ids and other processes may share the Redis database. Everything started is
stopped, this run's groups are removed from Redis and the database is dropped at the end.
``--py-spy DIR`` also samples each worker with py-spy (``--gil``: the worker's Python CPU; install it with
``.venv/bin/pip install py-spy``) and prints which functions the time goes to.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import queue
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LOAD_DIR = HERE / "minutes-load"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
ORIGIN = "http://127.0.0.1"
SECTION = "general"
CLK_TCK = os.sysconf("SC_CLK_TCK")
sys.path.insert(0, str(ROOT))


# --- processes ------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def system_seconds(pid: int) -> float:
    """CPU seconds the process spent in the kernel (on loopback, sending a frame runs the receiver's TCP too)."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[12]) / CLK_TCK


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_by_name(names: tuple[str, ...]) -> float:
    """CPU seconds of the live processes whose command name starts with one of ``names``, plus what their
    exited children used (PostgreSQL backends come and go: the postmaster reaps them into its cutime)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        if comm.startswith(names):
            fields = stat.rsplit(")", 1)[1].split()
            total += sum(int(f) for f in fields[11:15]) / CLK_TCK  # utime, stime, cutime, cstime
    return total


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine used (every core), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


class Lines:
    """The stdout lines of a child process, read on a thread so waits can time out."""

    def __init__(self, proc: subprocess.Popen):
        self.proc, self.queue = proc, queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.queue.put(line.strip())
        self.queue.put(None)

    def wait_for(self, word: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.queue.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"load generator: no {word} after {timeout} s") from None
                continue
            if line is None:
                raise RuntimeError(f"load generator exited ({self.proc.wait()}) before {word}")
            if line == word:
                return
            print(f"    load: {line}", file=sys.stderr)


# --- the throwaway database and the data ----------------------------------------------------------
def database_create() -> tuple[str, str]:
    import psycopg

    name = f"convene_bench_minutes_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, urlunparse(urlparse(PG_URL)._replace(path=f"/{name}"))


def database_drop(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_meetings(rooms: int, editors: int) -> list[dict]:
    """``rooms`` meetings in progress, each with ``editors`` minute editors holding a session."""
    from datetime import timedelta
    from importlib import import_module

    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
    from django.utils import timezone

    from panels.enums import AgencyKind, MeetingStatus, MembershipRole, PanelKind, UserRole
    from panels.models import Agency, Meeting, MeetingInvitee, Panel, PanelMembership, User

    store = import_module(settings.SESSION_ENGINE).SessionStore
    otp_device = None
    if apps.is_installed("django_otp.plugins.otp_totp"):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        otp_device = (DEVICE_ID_SESSION_KEY, TOTPDevice)
    # the first backend that can load a user, as Django's own force_login picks it (a lockout backend such as
    # django-axes's comes first and cannot)
    backend = next(path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user"))
    service = Agency.objects.create(name="Eastfold Youth Justice Service", kind=AgencyKind.YJS,
                                    email="panels@eastfold-yjs.example")
    start = timezone.now() - timedelta(minutes=20)
    out = []
    for m in range(1, rooms + 1):
        panel = Panel.objects.create(service=service, name=f"Bench Panel {m}", kind=PanelKind.HIGH_RISK)
        meeting = Meeting.objects.create(panel=panel, starts_at=start, ends_at=start + timedelta(hours=2),
                                         status=MeetingStatus.IN_PROGRESS, location="Room 4")
        cookies = []
        for e in range(1, editors + 1):
            user = User(username=f"bench-m{m}-e{e}", first_name="Bench", last_name=f"Editor {m}-{e}",
                        email=f"bench-m{m}-e{e}@people.example", agency=service, role=UserRole.PRACTITIONER)
            user.set_unusable_password()
            user.save()
            role = {1: MembershipRole.CHAIR, 2: MembershipRole.COORDINATOR}.get(e, MembershipRole.MEMBER)
            PanelMembership.objects.create(panel=panel, user=user, role=role)
            if role == MembershipRole.MEMBER:  # members take minutes when the chair allows it
                MeetingInvitee.objects.create(meeting=meeting, user=user, agency=service, name=user.get_full_name(),
                                              email=user.email, can_edit_minutes=True)
            session = store()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = backend
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            if otp_device is not None:  # signed in with a second factor, as chairs and coordinators must be
                session[otp_device[0]] = otp_device[1].objects.create(user=user, name="bench",
                                                                      confirmed=True).persistent_id
            session.create()
            cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
        out.append({"meeting": meeting.pk, "room": f"{meeting.pk}.meeting.{SECTION}", "cookies": cookies})
    return out


# --- one load run ----------------------------------------------------------------------------------
def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)  # nearest rank
    return values[min(len(values) - 1, max(0, math.ceil(p / 100 * len(values)) - 1))]


def run_load(label: str, meetings: list[dict], urls: list[str], servers: dict[str, subprocess.Popen],
             args, scratch: Path, profile_dir: Path | None = None) -> dict:
    """Drive the load generator against ``urls`` (editors of a room spread evenly over them)."""
    editors = args.editors
    rooms = []
    for meeting in meetings:
        clients = [{"url": urls[e * len(urls) // editors], "cookie": meeting["cookies"][e], "origin": ORIGIN}
                   for e in range(editors)]
        rooms.append({"name": meeting["room"], "clients": clients, "verifier": clients[0]})
    procs, lines, outs = [], [], []
    epoch = time.time() * 1000
    try:
        for i in range(args.load_procs):
            out = scratch / f"{label}-load{i}.json"
            config = scratch / f"{label}-load{i}-config.json"
            config.write_text(json.dumps({
                "rooms": rooms[i::args.load_procs], "rate": args.rate, "seconds": args.seconds,
                "drain": args.drain, "maxDrain": args.max_drain, "perRoom": editors, "out": str(out), "epoch": epoch}))
            proc = subprocess.Popen(["node", str(LOAD_DIR / "load.mjs"), str(config)], cwd=LOAD_DIR,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            procs.append(proc)
            lines.append(Lines(proc))
            outs.append(out)
        for reader in lines:
            reader.wait_for("READY", 180)
        time.sleep(1)  # let the joins settle
        watched = {**servers, **{f"load generator {i + 1}": p for i, p in enumerate(procs)}}
        cpu0 = {name: cpu_seconds(p.pid) for name, p in watched.items()}
        kernel0 = {name: system_seconds(p.pid) for name, p in watched.items()}
        infra0 = {"PostgreSQL": cpu_by_name(("postgres",)), "Redis": cpu_by_name(("redis-server",))}
        busy0 = machine_busy_seconds()
        spies = []
        if profile_dir is not None:
            spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
            for name, p in servers.items():
                target = profile_dir / f"{label}-{name.replace(' ', '-')}.txt"
                spies.append((name, target, subprocess.Popen(
                    [spy, "record", "--pid", str(p.pid), "--rate", "200", "--gil", "--format", "raw",
                     "--duration", str(int(args.seconds + 2)), "--output", str(target)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
        t0 = time.monotonic()
        for proc in procs:
            proc.stdin.write("GO\n")
            proc.stdin.flush()
        for reader in lines:
            reader.wait_for("DRAINED", args.seconds + args.max_drain + 120)
        wall = time.monotonic() - t0
        cpu = {name: cpu_seconds(p.pid) - cpu0[name] for name, p in watched.items()}
        kernel = {name: system_seconds(p.pid) - kernel0[name] for name, p in watched.items()}
        infra = {"PostgreSQL": cpu_by_name(("postgres",)) - infra0["PostgreSQL"],
                 "Redis": cpu_by_name(("redis-server",)) - infra0["Redis"]}
        infra["everything else on the machine"] = max(
            0.0, machine_busy_seconds() - busy0 - sum(cpu.values()) - sum(infra.values()))
        rss = {name: peak_rss_mb(p.pid) for name, p in servers.items()}
        for reader in lines:
            reader.wait_for("DONE", 120)
        for proc in procs:
            proc.wait(timeout=30)
        for _, _, spy_proc in spies:
            spy_proc.wait(timeout=60)
    finally:
        for proc in procs:
            stop(proc)
    results = [json.loads(out.read_text()) for out in outs]
    merged = {
        "latencies": [x for r in results for x in r["latencies"]],
        "editWorst": [x for r in results for x in r["editWorst"]],
        "rooms": [room for r in results for room in r["rooms"]],
        "framesByKind": sum((collections.Counter(r["framesByKind"]) for r in results), collections.Counter()),
    }
    for key in ("editsSent", "deliveriesExpected", "deliveriesReceived", "editsFullyDelivered", "framesIn",
                "bytesIn", "reconnects"):
        merged[key] = sum(r[key] for r in results)
    first = min(r["window"]["firstSend"] for r in results)
    last = max(r["window"]["lastArrival"] for r in results)
    span = max(0.001, (last - first) / 1000)
    lat = merged["latencies"]
    worst = merged["editWorst"]
    return {
        "label": label,
        "p50": pct(lat, 50), "p95": pct(lat, 95), "p99": pct(lat, 99), "max": max(lat, default=float("nan")),
        "all_p50": pct(worst, 50), "all_p95": pct(worst, 95), "all_p99": pct(worst, 99),
        "edits_sent": merged["editsSent"], "edits_per_s": merged["editsSent"] / args.seconds,
        "deliveries": merged["deliveriesReceived"], "deliveries_expected": merged["deliveriesExpected"],
        "deliveries_per_s": merged["deliveriesReceived"] / span, "frames_per_s": merged["framesIn"] / span,
        "span_s": span, "wall_s": wall,
        "lost_arrivals": merged["deliveriesExpected"] - merged["deliveriesReceived"],
        "lost_in_text": sum(room["missingClientEdits"] for room in merged["rooms"]),
        "duplicated": sum(room["duplicated"] for room in merged["rooms"]),
        "divergent_clients": sum(not room["clientsAgree"] for room in merged["rooms"]),
        "divergent_server": sum(room["serverAgrees"] is False for room in merged["rooms"]),
        "unverified": sum(room["serverAgrees"] is None for room in merged["rooms"]),
        "reconnects": merged["reconnects"], "close_codes": [c for r in results for c in r["closeCodes"]],
        "frames_by_kind": {kind: n / span for kind, n in merged["framesByKind"].most_common()},
        "cpu": cpu, "cpu_kernel": kernel, "infra_cpu": infra, "rss": rss,
        "loop_delay": [r["loopDelayMs"] for r in results],
        "rooms": merged["rooms"],
        "profiles": [(name, target) for name, target, _ in spies],
    }


def check_stored(result: dict, meetings: list[dict]) -> None:
    """Ours only: the stored update log and the text snapshot equal the editors' document."""
    from pycrdt import XmlFragment

    from minutes.documents import FIELD, doc_text, load_doc
    from minutes.models import MinuteDocument, MinuteUpdate

    by_room = {room["name"]: room for room in result["rooms"]}
    divergent = 0
    for meeting in meetings:
        room = by_room[meeting["room"]]
        document = MinuteDocument.objects.get(meeting_id=meeting["meeting"], child=None, section=SECTION)
        doc = load_doc(document.pk)
        same = (str(doc.get(FIELD, type=XmlFragment)) == room["xml"]
                and doc_text(doc) == room["text"].strip() == document.text)
        divergent += not same
    result["divergent_stored"] = divergent
    result["update_rows"] = MinuteUpdate.objects.count()


# --- the two servers -------------------------------------------------------------------------------
def run_ours(args, scratch: Path, profile_dir: Path | None) -> dict:
    from django.db import connections

    name, url = database_create()
    workers: dict[str, subprocess.Popen] = {}
    result: dict = {}
    ready = False
    try:
        env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "CONVENE_VAR_DIR": str(scratch / "var"),
               "SECRET_KEY": secrets.token_urlsafe(48), "ALLOWED_HOSTS": "127.0.0.1,localhost",
               "WEBSOCKET_ALLOWED_ORIGINS": ORIGIN,
               "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_LEVEL": "INFO", "DEBUG": "false"}
        if args.conn_max_age is not None:
            env["DB_CONN_MAX_AGE"] = str(args.conn_max_age)
        os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "CONVENE_VAR_DIR", "SECRET_KEY",
                                               "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE")})
        os.environ["LOG_LEVEL"] = "WARNING"
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        isolate_ids()
        ready = True
        meetings = create_meetings(args.rooms, args.editors)
        connections.close_all()
        urls = []
        for i in range(args.workers):
            port = free_port()
            command = {
                "daphne": ["-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
                "uvicorn": ["-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
                            "config.asgi:application"],
            }[args.server]
            proc = subprocess.Popen([sys.executable, *command], cwd=ROOT, env=env,
                                    stdout=(scratch / f"worker{i + 1}.log").open("w"),  # the access log
                                    stderr=(scratch / f"worker{i + 1}.err").open("w"))
            workers[f"{args.server} worker {i + 1}"] = proc
            wait_port(port, proc)
            urls.append(f"ws://127.0.0.1:{port}/ws/minutes")
        print(f"  ours: {args.workers} {args.server} workers, database {name}, Redis {REDIS_URL}", file=sys.stderr)
        result = run_load("ours", meetings, urls, workers, args, scratch, profile_dir)
        for proc in workers.values():
            stop(proc)
        check_stored(result, meetings)
        result["worker_log"] = worker_log_summary([scratch / f"worker{i + 1}.err" for i in range(args.workers)])
        return result
    finally:
        for proc in workers.values():
            stop(proc)
        if ready:
            result["redis_leftover_groups"] = redis_cleanup()
        connections.close_all()
        database_drop(name)


def worker_log_summary(paths: list[Path]) -> dict[str, int]:
    """What the workers logged: relays the channel layer dropped (its inbox over capacity), failures."""
    counts: collections.Counter = collections.Counter()
    for path in paths:
        for line in path.read_text(errors="replace").splitlines():
            if "over capacity in group" in line:
                dropped = int(line.split(" of ", 1)[0].rsplit(" ", 1)[-1])
                counts["relays dropped: channel layer inbox over capacity (group sends x workers)"] += dropped
            elif line.startswith(("redis.exceptions.", "psycopg.", "django.db.utils.", "asyncio.exceptions.")):
                counts[f"error: {line[:100]}"] += 1
            elif "took too long to shut down and was killed" in line:
                counts["connections killed at shutdown (application did not finish)"] += 1
            elif line.startswith("Exception inside application"):
                counts["consumer crashed (Exception inside application)"] += 1
            elif " WARNING " in line or line.startswith("minutes "):
                counts[f"warning: {line[:100]}"] += 1
    return dict(counts)


def isolate_ids() -> None:
    """Start ids at a random high offset: the channel-layer groups are named after document and user ids
    (``minutes.<id>``, ``user.<id>``), and other processes (a test run, a dev server) may share this Redis
    database, so low ids would cross-talk with them."""
    from django.db import connection

    from minutes.models import MinuteDocument
    from panels.models import Meeting, User

    offset = secrets.randbelow(10**9) + 10**9
    with connection.cursor() as cursor:
        for model in (MinuteDocument, Meeting, User):
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [model._meta.db_table, offset])


def redis_cleanup() -> int:
    """Remove this run's channel-layer groups (consumers discard them on a clean close; a crash leaves them)."""
    import redis

    from minutes.models import MinuteDocument
    from panels.models import User

    client = redis.Redis.from_url(REDIS_URL)
    keys = [f"asgi:group:minutes.{pk}" for pk in MinuteDocument.objects.values_list("pk", flat=True)]
    keys += [f"asgi:group:user.{pk}" for pk in User.objects.values_list("pk", flat=True)]
    try:
        return client.delete(*keys) if keys else 0
    finally:
        client.close()


def run_reference(meetings: list[dict], args, scratch: Path) -> dict:
    port = free_port()
    server = subprocess.Popen(["node", str(LOAD_DIR / "node_modules/y-websocket-server/bin/server.cjs")],
                              cwd=LOAD_DIR, env={**os.environ, "HOST": "127.0.0.1", "PORT": str(port)},
                              stdout=subprocess.DEVNULL)
    try:
        wait_port(port, server)
        print("  reference: y-websocket 2.x bin/server.cjs", file=sys.stderr)
        return run_load("reference", meetings, [f"ws://127.0.0.1:{port}/minutes"],
                        {"y-websocket server": server}, args, scratch)
    finally:
        stop(server)


# --- report ----------------------------------------------------------------------------------------
def code_version() -> str:
    """Which code was measured: HEAD, and the files of the live-minutes path that differ from it."""
    def git(*cmd: str) -> str:
        run = subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True)
        return run.stdout.strip() if run.returncode == 0 else "?"

    files = ["minutes/live/consumer.py", "minutes/live/hub.py", "minutes/live/room.py", "minutes/live/store.py",
             "minutes/live/protocol.py", "minutes/documents.py", "config/settings.py", "config/asgi.py"]
    changed = [f"{f} ({git('hash-object', f)[:10]})" for f in files if git("diff", "--name-only", "HEAD", "--", f)]
    return f"HEAD {git('rev-parse', '--short', 'HEAD')}" + (f", uncommitted: {', '.join(changed)}" if changed else "")


def report(ours: dict | None, ref: dict | None, args) -> None:
    runs = [r for r in (ours, ref) if r]
    print(f"\ncode measured: {code_version()}")
    print(f"\n{args.rooms} rooms x {args.editors} editors, {args.rate} edits/s each for {args.seconds} s "
          f"(offered {args.rooms * args.editors * args.rate} edits/s, "
          f"{args.rooms * args.editors * (args.editors - 1) * args.rate} deliveries/s)")
    rows = [
        ("latency per delivery p50 (ms)", lambda r: f"{r['p50']:.1f}"),
        ("latency per delivery p95 (ms)", lambda r: f"{r['p95']:.1f}"),
        ("latency per delivery p99 (ms)", lambda r: f"{r['p99']:.1f}"),
        ("latency per delivery max (ms)", lambda r: f"{r['max']:.0f}"),
        ("latency to all editors p50 (ms)", lambda r: f"{r['all_p50']:.1f}"),
        ("latency to all editors p95 (ms)", lambda r: f"{r['all_p95']:.1f}"),
        ("latency to all editors p99 (ms)", lambda r: f"{r['all_p99']:.1f}"),
        ("edits sent", lambda r: f"{r['edits_sent']}"),
        ("deliveries received / expected", lambda r: f"{r['deliveries']}/{r['deliveries_expected']}"),
        ("deliveries/s", lambda r: f"{r['deliveries_per_s']:.0f}"),
        ("frames/s received by editors", lambda r: f"{r['frames_per_s']:.0f}"),
        ("first send to last arrival (s)", lambda r: f"{r['span_s']:.1f}"),
        ("undelivered edits (arrivals, in text)", lambda r: f"{r['lost_arrivals']}, {r['lost_in_text']}"),
        ("divergent docs (editors, server)", lambda r: f"{r['divergent_clients']}, {r['divergent_server']}"
         + (f" ({r['unverified']} unverified)" if r["unverified"] else "")),
        ("divergent stored log/snapshot", lambda r: str(r.get("divergent_stored", "-"))),
        ("reconnects", lambda r: str(r["reconnects"])),
    ]
    width = 34
    print(f"{'':<{width}}" + "".join(f"{r['label']:>22}" for r in runs))
    for title, fn in rows:
        print(f"{title:<{width}}" + "".join(f"{fn(r):>22}" for r in runs))
    for r in runs:
        print(f"\n{r['label']}: CPU over {r['wall_s']:.1f} s (GO to all delivered; the machine has {os.cpu_count()} "
              "cores), peak RSS")
        for name, seconds in r["cpu"].items():
            rss = f", peak RSS {r['rss'][name]:.0f} MB" if name in r["rss"] else ""
            print(f"  {name:<30} {seconds:6.1f} CPU s ({100 * seconds / r['wall_s']:5.1f}% of a core, "
                  f"{r['cpu_kernel'][name]:.1f} s in the kernel){rss}")
        for name, seconds in r["infra_cpu"].items():
            print(f"  {name:<30} {seconds:6.1f} CPU s ({100 * seconds / r['wall_s']:5.1f}% of a core)")
        kinds = ", ".join(f"{kind} {rate:.0f}" for kind, rate in r["frames_by_kind"].items())
        print(f"  frames/s received by the editors, by kind: {kinds}")
        delays = ", ".join(f"p99 {d['p99']:.1f} ms / max {d['max']:.0f} ms" for d in r["loop_delay"])
        print(f"  load generator event-loop delay: {delays}")
        if r["close_codes"]:
            print(f"  close codes: {collections.Counter(r['close_codes'])}")
        for what, n in r.get("worker_log", {}).items():
            print(f"  worker log: {n} x {what}")
        if "update_rows" in r:
            print(f"  stored update rows after the run: {r['update_rows']}; Redis groups left behind: "
                  f"{r['redis_leftover_groups']}")
    if ours and ref:
        ratio = ours["p95"] / ref["p95"]
        print(f"\nour p95 / reference p95 = {ours['p95']:.1f} / {ref['p95']:.1f} ms = {ratio:.2f} "
              f"(target <= 1.5; our p95 target < 50 ms: {'met' if ours['p95'] < 50 else 'MISSED'}, "
              f"ratio target: {'met' if ratio <= 1.5 else 'MISSED'})")
        print(f"to all editors: p95 ratio {ours['all_p95'] / ref['all_p95']:.2f}")


# Framework functions worth seeing beside the project's own (minutes/, panels/, agendas/) in a profile.
HOT_SPOTS = (
    "AsyncConsumer.dispatch", "await_many_dispatch", "aclose_old_connections", "close_old_connections",
    "SyncToAsync.__call__", "SQLCompiler.execute_sql", "Cursor.execute", "RedisChannelLayer.receive",
    "RedisChannelLayer.group_send", "WebSocketProtocol.processData", "WebSocketProtocol.sendMessage",
    "Doc.apply_update", "merge_updates",
)


def summarise_profiles(result: dict, top: int = 25) -> None:
    """py-spy ``--gil`` raw stacks: the share of the samples (Python holding the GIL, i.e. the worker's Python
    CPU) in which each project function, or a framework hot spot, is on the stack (inclusive, so shares
    overlap)."""
    for name, target in result["profiles"]:
        if not target.exists():
            print(f"\n{name}: no profile written", file=sys.stderr)
            continue
        inclusive, total = collections.Counter(), 0
        for line in target.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack:
                continue
            n = int(count)
            total += n
            names = set()
            for frame in stack.split(";"):
                function, _, where = frame.strip().partition(" (")
                if where.startswith(("minutes/", "panels/", "agendas/")) or function in HOT_SPOTS:
                    names.add(function)
            for function in names:
                inclusive[function] += n
        print(f"\n{result['label']} {name}: {total} samples with the GIL held; on the stack (inclusive)")
        for function, n in inclusive.most_common(top):
            print(f"  {100 * n / max(total, 1):5.1f}%  {function}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="how long every editor keeps editing")
    parser.add_argument("--rooms", type=int, default=20, help="meetings (one shared minute each)")
    parser.add_argument("--editors", type=int, default=10, help="editors per meeting")
    parser.add_argument("--rate", type=float, default=5, help="edits per second per editor")
    parser.add_argument("--workers", type=int, default=2, help="ASGI worker processes for our server")
    parser.add_argument("--server", choices=("uvicorn", "daphne"), default="uvicorn",
                        help="the ASGI server our workers run (uvicorn: with uvloop, httptools and websockets)")
    parser.add_argument("--load-procs", type=int, default=1, help="Node processes generating the load")
    parser.add_argument("--drain", type=float, default=10,
                        help="after sending, wait until every edit arrived or none arrived for this many seconds")
    parser.add_argument("--max-drain", type=float, default=60,
                        help="after sending, wait at most this long for the last edits (later ones count as lost)")
    parser.add_argument("--conn-max-age", type=int, default=None,
                        help="DB_CONN_MAX_AGE for the workers (unset: the app's default, 0)")
    parser.add_argument("--only", choices=("ours", "reference"), help="run one side only")
    parser.add_argument("--py-spy", dest="py_spy", metavar="DIR", help="profile the workers with py-spy into DIR")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--keep-scratch", action="store_true",
                        help="keep the scratch directory (load generator configs and raw results, worker logs)")
    args = parser.parse_args()
    if not (LOAD_DIR / "node_modules").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=LOAD_DIR, check=True)
    profile_dir = Path(args.py_spy).resolve() if args.py_spy else None
    if profile_dir:
        profile_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="convene-minutes-load-"))
    ours = ref = None
    try:
        if args.only != "reference":
            ours = run_ours(args, scratch, profile_dir)
        if args.only != "ours":
            meetings = [{"meeting": i, "room": f"{i}.meeting.{SECTION}", "cookies": [""] * args.editors}
                        for i in range(1, args.rooms + 1)]
            ref = run_reference(meetings, args, scratch)
    finally:
        if args.keep_scratch:
            print(f"scratch files kept in {scratch}", file=sys.stderr)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    report(ours, ref, args)
    if ours and profile_dir:
        summarise_profiles(ours)
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"args": vars(args), "ours": ours and {k: v for k, v in ours.items() if k not in ("rooms", "profiles")},
             "reference": ref and {k: v for k, v in ref.items() if k not in ("rooms", "profiles")}}, indent=1))


if __name__ == "__main__":
    main()
