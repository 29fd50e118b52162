"""Persistence of the live documents (Yjs updates, via ``minutes.documents``) as the sockets need it: a worker's
own asynchronous PostgreSQL connection for storing updates, reads of a document's state and of the updates a
room missed, and the debounced refresh of a document's text snapshot."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connections

from minutes.documents import (
    snapshot_refresh,
    state_and_latest,
    updates_after,
    updates_store,
    updates_store_async,
)

logger = logging.getLogger(__name__)

SNAPSHOT_DELAY = 2.0  # seconds without a write before the text snapshot is refreshed ...
SNAPSHOT_MAX_DELAY = 10.0  # ... or at the latest this long after the first write since the last refresh


class StoreConnection:
    """A worker's own PostgreSQL connection for storing updates: asynchronous psycopg in autocommit, awaited on the
    worker's event loop. A store is one statement and nothing else waits on this connection, so storing never
    queues behind the worker's other database work (connects, catch-ups, text snapshots), and no thread is
    between a keystroke and its commit: a thread hop waits for the GIL, up to Python's switch interval (5 ms)
    while the loop is busy, on the way there and again on the way back. Opened on the first store, closed when a
    store fails (the next opens a fresh one) and when the worker has no room left. Other databases (SQLite, the
    embedded shape: one file that one transaction writes at a time) keep Channels' database thread."""

    def __init__(self) -> None:
        self.conn: Any = None  # one store at a time per worker (the hub's flush), so one connection

    async def store(self, batches: dict[int, list[bytes]]) -> dict[int, list[int]]:
        """Store each document's updates (one transaction); the ids they were stored as, per document."""
        if connections["default"].vendor != "postgresql":
            return await database_sync_to_async(updates_store)(batches)
        conn = self.conn if self.conn is not None and not self.conn.closed else await self._open()
        try:
            return await updates_store_async(conn, batches)
        except BaseException:
            self.conn = None  # whatever went wrong (or the store was cancelled mid-statement): a fresh one next
            asyncio.ensure_future(_quietly_close(conn))
            raise

    async def _open(self) -> Any:
        import psycopg

        params = {key: value for key, value in connections["default"].get_connection_params().items()
                  if key not in ("cursor_factory", "context")}  # Django's synchronous cursor and adapters
        # One statement, run over and over: prepared once it has run a few times (a third less of PostgreSQL's CPU
        # per store), unless the deployment turned prepared statements off (OPTIONS, e.g. behind PgBouncer).
        if "prepare_threshold" not in settings.DATABASES["default"].get("OPTIONS", {}):
            params.pop("prepare_threshold", None)  # Django's default is never; psycopg's, after five runs
        self.conn = await psycopg.AsyncConnection.connect(**params, autocommit=True)
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            conn, self.conn = self.conn, None
            asyncio.ensure_future(_quietly_close(conn))


async def _quietly_close(conn: Any) -> None:
    try:
        await conn.close()
    except Exception as exc:
        logger.debug("minutes: closing the store connection failed (%s)", exc)


# a document's stored state and the id of its newest stored update
document_state = database_sync_to_async(state_and_latest)
# the updates stored after a room's watermark that the room did not apply (see ``Room._catch_up``)
updates_missed = database_sync_to_async(updates_after)
# the document's text, from its stored updates, now
snapshot_now = database_sync_to_async(snapshot_refresh)

_snapshots: dict[int, asyncio.Task] = {}
_written: dict[int, float] = {}  # document id: when this worker last stored an update of it


def snapshot_soon(document_id: int) -> None:
    """Refresh a document's text snapshot once writes pause, not on every keystroke, and every few seconds while
    people type on (one task per document and worker; approval and the last writer's leaving refresh it at once)."""
    _written[document_id] = time.monotonic()
    task = _snapshots.get(document_id)
    if task is None or task.done():
        _snapshots[document_id] = asyncio.create_task(_snapshot_later(document_id))


async def _snapshot_later(document_id: int) -> None:
    first = time.monotonic()
    while (wait := min(_written.get(document_id, first) + SNAPSHOT_DELAY, first + SNAPSHOT_MAX_DELAY)
           - time.monotonic()) > 0:
        await asyncio.sleep(wait)
    _snapshots.pop(document_id, None)  # writes from now on schedule the next refresh
    _written.pop(document_id, None)
    try:
        await snapshot_now(document_id=document_id)
    except Exception as exc:  # the log is intact; the next write or approval refreshes the text
        logger.warning("minutes %s: text snapshot failed (%s)", document_id, exc)
