"""Live minutes in the production shape: two uvicorn workers sharing PostgreSQL and Redis.

Real components only: uvicorn subprocesses serving ``config.asgi:application`` on the PostgreSQL test database and
a throwaway redis-server of the test's own (Redis channel layer), and y-websocket clients: pycrdt documents over
real TCP websockets that reconnect, fail over and resync as the browser's provider does. The tests prove that

1. editors on different workers editing one minute at once converge on the server's stored text, and an idle
   spell does not cost anyone their socket;
2. when a worker is killed (SIGKILL) mid-meeting its clients fail over to the other worker and, after the resync,
   no edit is lost, neither one acknowledged (seen on the other worker) nor one still in flight or typed offline;
3. when Redis restarts mid-meeting, or forgets its data while connections stay up (channel-layer group membership
   lives in Redis), clients recover and converge, again with no edit lost.

Only the production shape runs them (DATABASE_URL=postgres://…, REDIS_URL=…): the embedded shape is one process
with an in-memory channel layer by design.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from channels.db import database_sync_to_async
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.db import connection
from django.test import Client
from pycrdt import (
    Doc,
    XmlElement,
    XmlFragment,
    XmlText,
    YMessageType,
    YSyncMessageType,
    create_sync_message,
    create_update_message,
    handle_sync_message,
)
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from minutes.documents import FIELD, doc_text, load_doc
from minutes.models import MinuteDocument

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_SHAPE = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and bool(
    settings.REDIS_URL
)
pytestmark = [
    pytest.mark.skipif(not PRODUCTION_SHAPE, reason="production shape only: needs DATABASE_URL=postgres://… and "
                                                    "REDIS_URL (two worker processes share PostgreSQL and Redis)"),
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),  # committed, so the workers' own connections see it
    pytest.mark.xdist_group("two_workers"),  # one at a time under pytest-xdist: each starts three servers
]
ORIGIN = "http://127.0.0.1"
DEADLINE = 45.0  # seconds: generous upper bounds for polling (CI may share its 2 cores), never expectations of speed


# --- processes --------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


class Worker:
    """One ASGI worker: ``python -m uvicorn … config.asgi:application`` on a free loopback port."""

    def __init__(self, name: str, env: dict, log: Path):
        self.name, self.env, self.log = name, env, log
        self.port = _free_port()
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log",
                 # stopped at the test's end: a socket a client has not yet closed on a busy machine would hold
                 # uvicorn's graceful shutdown (unbounded by default) until _stop's 10 s kill
                 "--timeout-graceful-shutdown", "2", "config.asgi:application"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    def wait_listening(self) -> None:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"{self.name} exited with {self.proc.returncode}:\n{_tail(self.log)}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"{self.name} did not listen within {DEADLINE} s:\n{_tail(self.log)}")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)


class RedisServer:
    """A throwaway redis-server of the test's own, so that it can be stopped and restarted on the same port."""

    def __init__(self, tmp_path: Path):
        self.port = _free_port()
        self.log = tmp_path / "redis.log"
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
                 "--daemonize", "no"], stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"redis-server exited with {self.proc.returncode}:\n{_tail(self.log)}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        pytest.fail(f"redis-server did not answer within {DEADLINE} s:\n{_tail(self.log)}")

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc)

    def flushall(self) -> None:
        """Lose every key while keeping every connection: what a failover to an empty replica looks like."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"FLUSHALL\r\n")
            assert s.recv(16).startswith(b"+OK")


def _database_url() -> str:
    """The test database pytest-django created, as a URL the workers' settings read."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(str(db.get("PASSWORD") or ""), safe="")
    userinfo = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{userinfo}{db.get('HOST') or ''}{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture
def own_redis(tmp_path):
    """A Redis of the test's own: the test restarts it, and channel-layer groups are named after database ids,
    which a shared Redis (another test run, a benchmark) may be using for its own documents at the same time."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (these tests run a throwaway one of their own)")
    redis = RedisServer(tmp_path)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


@pytest.fixture
def start_workers(live, own_redis, tmp_path):
    """Start ASGI workers on the test database and a given Redis; every one is stopped afterwards, also on failure
    (and before the Redis of the test's own)."""
    started: list[Worker] = []

    def _start(count: int, redis_url: str) -> list[Worker]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",  # the production settings, not the test ones
            "DATABASE_URL": _database_url(),
            "REDIS_URL": redis_url,
            "SECRET_KEY": settings.SECRET_KEY,  # the session cookies made here must verify there
            "ALLOWED_HOSTS": "127.0.0.1",
            "WEBSOCKET_ALLOWED_ORIGINS": ORIGIN,  # origins are compared with scheme, host and port (issue 14)
            "CONVENE_VAR_DIR": str(tmp_path / "var"),
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "TWO_FACTOR_ENFORCED": "0",  # the sessions below come from force_login, without a second factor
        }
        workers = [Worker(f"worker {len(started) + n + 1}", env, tmp_path / f"worker{len(started) + n + 1}.log")
                   for n in range(count)]
        started.extend(workers)
        for worker in workers:
            worker.wait_listening()
        return workers

    try:
        yield _start
    finally:
        for worker in started:
            _stop(worker.proc)


# --- clients ----------------------------------------------------------------------------------------------------


# Database calls from the test go through channels' database_sync_to_async, which closes the connection it used:
# asgiref's plain sync_to_async leaves one open in its worker thread, and PostgreSQL then refuses to drop the test
# database at the end of the session.


def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


class YClient:
    """A y-websocket client as the browser's provider behaves: a local pycrdt document, edits sent while connected,
    and on every (re)connect a two-way sync (it asks with its state vector, and answers the server's sync step 1
    with everything the server lacks, so edits made while offline or lost in flight are re-sent).

    It reconnects by itself: to the same worker after a close, to the next worker when a connection is refused.
    """

    def __init__(self, name: str, cookie: str, room: str, ports: list[int], home: int):
        self.name, self.cookie, self.room, self.ports = name, cookie, room, ports
        self.port = ports[home]
        self.doc = Doc()
        self.fragment = self.doc.get(FIELD, type=XmlFragment)
        self.typed: list[str] = []
        self.connections: list[int] = []  # ports, in the order this client was synced on them
        self.closes: list[str] = []  # why each connection ended
        self.synced = asyncio.Event()
        self._ws = None
        self._outbox: list[bytes] = []
        self.doc.observe(lambda event: self._outbox.append(event.update))
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._ws is not None:
            await self._ws.close()

    async def _run(self) -> None:
        while True:
            try:
                async with connect(f"ws://127.0.0.1:{self.port}/ws/minutes/{self.room}", origin=ORIGIN,
                                   additional_headers={"Cookie": self.cookie}, open_timeout=5, proxy=None,
                                   compression=None, max_size=None) as ws:
                    self._ws = ws
                    await ws.send(create_sync_message(self.doc))  # sync step 1: what have you got that I lack?
                    async for frame in ws:
                        await self._receive(ws, frame)
                    self.closes.append(f"{self.port}: closed {ws.close_code}")
            except ConnectionClosed as exc:
                self.closes.append(f"{self.port}: dropped {exc}")
            except (OSError, InvalidHandshake, TimeoutError) as exc:
                # refused (the worker is gone) or turned away (e.g. Redis down): try the next worker
                self.closes.append(f"{self.port}: could not connect ({type(exc).__name__})")
                self.port = self.ports[(self.ports.index(self.port) + 1) % len(self.ports)]
            finally:
                self._ws = None
                self.synced.clear()
            await asyncio.sleep(0.1 + random.random() * 0.1)

    async def _receive(self, ws, frame) -> None:
        if isinstance(frame, str) or not frame or frame[0] != YMessageType.SYNC:
            return  # awareness is not under test
        reply = handle_sync_message(frame[1:], self.doc)
        if frame[1] == YSyncMessageType.SYNC_STEP1 and reply is not None:
            await ws.send(reply)  # sync step 2: everything the server lacks, offline edits included
        elif frame[1] == YSyncMessageType.SYNC_STEP2 and not self.synced.is_set():
            self.connections.append(self.port)
            self.synced.set()

    async def type(self, text: str) -> None:
        """Add a paragraph; send it now if connected, else it waits in the document for the next resync."""
        self._outbox.clear()
        self.fragment.children.append(XmlElement("paragraph", contents=[XmlText(text)]))
        self.typed.append(text)
        updates, self._outbox = self._outbox, []
        ws = self._ws
        if ws is None:
            return
        for update in updates:
            try:
                await ws.send(create_update_message(update))
            except ConnectionClosed:
                return

    @property
    def text(self) -> str:
        return doc_text(self.doc)

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


def _stored(document_id: int) -> tuple[str, str]:
    """The server's text snapshot and the text of its stored state (the update log)."""
    return MinuteDocument.objects.get(pk=document_id).text, doc_text(load_doc(document_id))


async def _until(predicate, what: str, diagnose=lambda: "") -> None:
    deadline = time.monotonic() + DEADLINE
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {DEADLINE} s: {what}\n{diagnose()}")
        await asyncio.sleep(0.05)


async def _converged(clients: list[YClient], document_id: int, workers=(), redis=None) -> list[str]:
    """Poll until every client and the server's stored state hold the same text, made of every line anyone typed
    (each once). Returns the lines."""
    expected = sorted(line for client in clients for line in client.typed)
    deadline = time.monotonic() + DEADLINE
    while True:
        snapshot, state = await database_sync_to_async(_stored)(document_id)
        texts = [client.text for client in clients]
        if snapshot == state and all(text == state for text in texts) and sorted(state.splitlines()) == expected:
            return state.splitlines()
        if time.monotonic() > deadline:
            stored = state.splitlines()
            report = [f"stored state: {len(stored)} lines for {len(expected)} typed; missing "
                      f"{sorted(set(expected) - set(stored))}; unexpected {sorted(set(stored) - set(expected))}; "
                      f"snapshot == state: {snapshot == state}"]
            for client in clients:
                lines = client.lines
                report.append(f"{client.name}: {len(lines)} lines, same as stored: {lines == stored}; missing "
                              f"{sorted(set(expected) - set(lines))}; unexpected {sorted(set(lines) - set(expected))}; "
                              f"connections {client.connections}; closes {client.closes}")
                report.append(f"    text: {client.text!r}\n    xml: {client.fragment}")
            report.append(f"stored text: {state!r}")
            for worker in workers:
                report.append(f"--- {worker.name} (:{worker.port}) log:\n{_tail(worker.log)}")
            if redis is not None:
                report.append(f"--- redis log:\n{_tail(redis.log, 10)}")
            pytest.fail(f"no convergence within {DEADLINE} s\n" + "\n".join(report))
        await asyncio.sleep(0.1)


async def _clients(live, workers: list[Worker], seats: list[tuple[str, int]]) -> tuple[list[YClient], int]:
    """Connect one client per (persona, worker index) to the first child's general minute; wait until synced."""
    room = f"{live.meeting.pk}.{live.child.pk}.general"
    ports = [worker.port for worker in workers]
    clients = []
    for n, (persona, home) in enumerate(seats):
        cookie = await database_sync_to_async(_cookie)(live.users[persona])
        client = YClient(f"{persona}@w{home + 1}#{n}", cookie, room, ports, home)
        client.start()
        clients.append(client)
    for client in clients:
        await _until(client.synced.is_set, f"{client.name} synced",
                     lambda: "\n".join(f"{w.name}:\n{_tail(w.log)}" for w in workers))
    document = await database_sync_to_async(MinuteDocument.objects.get)(
        meeting=live.meeting, child=live.child, section="general")
    return clients, document.pk


async def _typist(client: YClient, count: int, phase: str, pause: float = 0.02) -> None:
    for n in range(count):
        await client.type(f"{client.name} {phase} note {n + 1}.")
        await asyncio.sleep(random.uniform(0, pause))


async def _stop_all(clients: list[YClient]) -> None:
    await asyncio.gather(*(client.stop() for client in clients), return_exceptions=True)


# --- tests ------------------------------------------------------------------------------------------------------

SEATS = [("chair", 0), ("coordinator", 0), ("chair", 1), ("coordinator", 1)]  # two editors on each worker


async def test_editors_on_two_workers_converge_on_the_servers_stored_text(live, own_redis, start_workers):
    workers = start_workers(2, own_redis.url)
    clients, document_id = await _clients(live, workers, [*SEATS, ("invited_partner", 0)])  # + a viewer
    editors, viewer = clients[:4], clients[4]
    try:
        await asyncio.gather(*(_typist(client, 10, "live") for client in editors))
        await _converged(clients, document_id, workers)
        # A quiet spell longer than channels-redis's blocking pop (with redis-py's default read timeout as long
        # as the pop, idle workers used to drop their sockets here); then everyone types again.
        await asyncio.sleep(RedisChannelLayer.brpop_timeout + 1)
        await asyncio.gather(*(_typist(client, 2, "after a pause") for client in editors))
        lines = await _converged(clients, document_id, workers)
        assert len(lines) == 48 and viewer.typed == []
        assert {client.connections[-1] for client in editors} == {worker.port for worker in workers}
        assert all(len(client.connections) == 1 for client in clients), [c.closes for c in clients]
    finally:
        await _stop_all(clients)


async def test_a_worker_killed_mid_meeting_loses_no_edit(live, own_redis, start_workers):
    workers = start_workers(2, own_redis.url)
    doomed, survivor = workers
    clients, document_id = await _clients(live, workers, [*SEATS, ("invited_partner", 0)])
    editors = clients[:4]
    on_doomed = [client for client in clients if client.port == doomed.port]
    on_survivor = [client for client in editors if client.port == survivor.port]
    try:
        await asyncio.gather(*(_typist(client, 3, "opening") for client in editors))
        await _converged(clients, document_id, workers)

        # Everyone types on; part-way through, worker 1 dies without a chance to close anything.
        typing = [asyncio.create_task(_typist(client, 15, "during", pause=0.08)) for client in editors]

        def doomed_lines() -> set[str]:
            return {line for client in on_doomed for line in client.typed if " during " in line}

        await _until(lambda: all(doomed_lines() & set(client.lines) for client in on_survivor),
                     "the survivor's clients have seen edits made through worker 1")
        await asyncio.to_thread(doomed.kill)
        assert doomed.proc.returncode == -signal.SIGKILL
        # Acknowledged edits of worker 1's clients: those a client on the other worker has seen (relayed, so stored
        # first) ...
        acknowledged = {line for client in on_survivor for line in client.lines} & doomed_lines()
        # ... and those typed before the kill, sent or in flight: worker 1 may have died before storing them, and
        # only the client's resync (its answer to the new worker's sync step 1) brings them back.
        typed_before_kill = doomed_lines()
        await asyncio.gather(*typing)  # worker 1's clients type on, offline until they have failed over

        # Every edit every client made, acknowledged or not, is in the converged text and the store.
        lines = await _converged(clients, document_id, workers)
        assert acknowledged and acknowledged <= set(lines)
        assert typed_before_kill <= set(lines)
        for client in on_doomed:  # failed over, and synced on the surviving worker
            assert client.connections[-1] == survivor.port, (client.name, client.connections, client.closes)
    finally:
        await _stop_all(clients)


async def test_a_redis_restart_mid_meeting_loses_no_edit(live, own_redis, start_workers):
    workers = start_workers(2, own_redis.url)
    clients, document_id = await _clients(live, workers, [*SEATS, ("invited_partner", 1)])
    editors = clients[:4]
    try:
        await asyncio.gather(*(_typist(client, 3, "opening") for client in editors))
        await _converged(clients, document_id, workers, own_redis)

        # Redis stops (its connections drop) while people type on, and comes back empty on the same port.
        await asyncio.to_thread(own_redis.stop)
        await asyncio.gather(*(_typist(client, 3, "outage") for client in editors))
        await asyncio.to_thread(own_redis.start)
        await asyncio.gather(*(_typist(client, 3, "restarted") for client in editors))
        await _converged(clients, document_id, workers, own_redis)

        # Redis forgets everything while every connection stays up (a failover to an empty replica, or a restart
        # behind a proxy): group membership is gone, nothing fails, and sockets would hear nothing more.
        connections = [len(client.connections) for client in clients]
        await asyncio.to_thread(own_redis.flushall)
        await asyncio.gather(*(_typist(client, 3, "forgotten") for client in editors))
        lines = await _converged(clients, document_id, workers, own_redis)
        assert len(lines) == 48
        assert [len(client.connections) for client in clients] == connections  # healed without reconnecting
    finally:
        await _stop_all(clients)
