"""Live minute text over the y-websocket protocol, with the server as the source of truth.

Each connection is checked at connect (session, origin, need to know for this meeting, child and
section). Every update from an editor is persisted *before* it is relayed; updates from read-only viewers
are dropped. A joining or reconnecting client is synced from the stored state, never from peers.

Within one worker (one event loop), a document that has sockets open has one ``Room``: its sockets, the
worker's copy of the document, and a periodic catch-up from the store. The worker's ``_Hub`` stores the
updates: whatever arrived, for any document, while the previous store was running (and in the few
milliseconds a store waits to gather more) is stored in one transaction (the documents' rows locked and one
multi-row insert, one prepared statement on PostgreSQL over the worker's own asynchronous connection; a
document's updates merged into one row), and only then relayed: to the document's local sockets directly (a
sender is not sent its own update back), and to the other workers through one channel-layer subscription per
worker (Redis pub/sub when the deployment runs on Redis), one message for everything queued. Presence
(awareness) is relayed the same way, only what is news by its clock.

Relays between workers go through the channel layer and can be lost (a worker killed between storing and
relaying, a Redis restart or flush while sockets stay open), so the hub re-joins its groups and each room
catches up from the store every few seconds; see ``Room._catch_up``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
import weakref
from urllib.parse import unquote

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connections
from django.http import Http404
from pycrdt import (
    Decoder,
    Doc,
    YMessageType,
    YSyncMessageType,
    create_update_message,
    get_state,
    get_update,
    handle_sync_message,
    merge_updates,
    read_message,
    write_message,
)

from minutes.access import document_access
from minutes.documents import (
    document_get_or_create,
    snapshot_refresh,
    state_and_latest,
    updates_after,
    updates_store,
    updates_store_async,
)
from panels.audit import audit_children_read
from panels.models import User

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_BIG = 1009
CLOSE_UNSUPPORTED = 1003  # a malformed sync message
# Presence colours: a fixed palette (GOV.UK colours with enough contrast on white); the server picks one per user,
# so nothing a client sends reaches a style attribute.
PRESENCE_PALETTE = ("#1d70b8", "#00703c", "#d4351c", "#4c2c92", "#f47738", "#28a197", "#912b88", "#5694ca")
CLOSE_TRY_AGAIN = 1013  # a reconnecting client resyncs from the store
MAX_FRAME_BYTES = 512 * 1024
CATCH_UP_SECONDS = 2.5  # a lost relay is repaired from the store within two of these
REJOIN_SECONDS = 5.0  # how often the worker re-joins its channel-layer groups
EMPTY_UPDATE = b"\x00\x00"
PRESENCE_SECONDS = 30.0  # y-protocols' awareness timeout
STORE_GATHER_SECONDS = 0.003  # a store waits this long for more updates (fewer, larger stores: a third less CPU)


def parse_room(room: str) -> tuple[int, int | None, str]:
    """``<meeting id>.<child id | meeting>.<section>``."""
    meeting, item, section = unquote(room).split(".")
    return int(meeting), (None if item == "meeting" else int(item)), section


@database_sync_to_async
def _open(user, room: str):
    try:
        meeting_id, child_id, section = parse_room(room)
        access = document_access(user=user, meeting_id=meeting_id, child_id=child_id, section=section)
    except (ValueError, Http404):
        return None, False
    document = document_get_or_create(meeting_id=meeting_id, child_id=child_id, section=section)
    # every socket that reads a minute is a read of the child's record (issue 14)
    audit_children_read(actor=user, action="minutes.room_read", meeting=access.meeting_access.meeting,
                        children=[(child_id, "")] if child_id else (),
                        detail={"section": section, "via": "websocket", "write": access.can_write})
    return document, access.can_write


def _access(user_id: int, room: str) -> tuple[bool, bool]:
    """Whether the user (read afresh: deactivated, moved agency) may still read the room, and write it."""
    user = User.objects.select_related("agency").filter(pk=user_id, is_active=True).first()
    if user is None:
        return False, False
    try:
        meeting_id, child_id, section = parse_room(room)
        access = document_access(user=user, meeting_id=meeting_id, child_id=child_id, section=section)
    except (ValueError, Http404):
        return False, False
    return True, access.can_write


_recheck = database_sync_to_async(_access)


@database_sync_to_async
def _readers(seats: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which of these (user, room) pairs may still read: one trip to the database thread for a whole room."""
    return {seat for seat in seats if _access(*seat)[0]}


class _StoreConnection:
    """A worker's own PostgreSQL connection for storing updates: asynchronous psycopg in autocommit, awaited on the
    worker's event loop. A store is one statement and nothing else waits on this connection, so storing never
    queues behind the worker's other database work (connects, catch-ups, text snapshots), and no thread is
    between a keystroke and its commit: a thread hop waits for the GIL, up to Python's switch interval (5 ms)
    while the loop is busy, on the way there and again on the way back. Opened on the first store, closed when a
    store fails (the next opens a fresh one) and when the worker has no room left. Other databases (SQLite, the
    embedded shape: one file that one transaction writes at a time) keep Channels' database thread."""

    def __init__(self):
        self.conn = None  # one store at a time per worker (the hub's flush), so one connection

    async def store(self, batches: dict[int, list[bytes]]) -> dict[int, list[int]]:
        if connections["default"].vendor != "postgresql":
            return await database_sync_to_async(updates_store)(batches)
        conn = self.conn if self.conn is not None and not self.conn.closed else await self._open()
        try:
            return await updates_store_async(conn, batches)
        except BaseException:
            self.conn = None  # whatever went wrong (or the store was cancelled mid-statement): a fresh one next
            asyncio.ensure_future(_quietly_close(conn))
            raise

    async def _open(self):
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


async def _quietly_close(conn) -> None:
    try:
        await conn.close()
    except Exception as exc:
        logger.debug("minutes: closing the store connection failed (%s)", exc)


_state = database_sync_to_async(state_and_latest)
_missed = database_sync_to_async(updates_after)

SNAPSHOT_DELAY = 2.0  # seconds without a write before the text snapshot is refreshed ...
SNAPSHOT_MAX_DELAY = 10.0  # ... or at the latest this long after the first write since the last refresh
_snapshots: dict[int, asyncio.Task] = {}
_written: dict[int, float] = {}  # document id: when this worker last stored an update of it


def _snapshot_soon(document_id: int) -> None:
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
        await database_sync_to_async(snapshot_refresh)(document_id=document_id)
    except Exception as exc:  # the log is intact; the next write or approval refreshes the text
        logger.warning("minutes %s: text snapshot failed (%s)", document_id, exc)


async def _send(consumer: MinutesConsumer, frame: bytes) -> None:
    try:
        # what consumer.send(bytes_data=frame) sends, without the two calls it is wrapped in (one frame per socket)
        await consumer.base_send({"type": "websocket.send", "bytes": frame})
    except Exception as exc:  # the socket is going away; its client resyncs from the store on reconnect
        logger.debug("minutes: sending to a closing socket failed (%s)", exc)


def _var_uint(number: int) -> bytes:
    out = bytearray()
    while number > 127:
        out.append(number & 127 | 128)
        number >>= 7
    out.append(number)
    return bytes(out)


class _Presence:
    """A room's awareness (who is present, their cursors): the newest clock of each Yjs client, so that only news
    is relayed. A y-websocket client re-sends every awareness state it receives (its provider broadcasts all
    changes, remote ones too); the reference server drops those echoes in the same way, by clock."""

    def __init__(self):
        self.clocks: dict[int, int] = {}
        self.states: dict[int, tuple[int, bytes, float]] = {}  # client: clock, JSON state, when heard, while it has one

    def news(self, frame: bytes) -> bytes | None:
        """The awareness frame reduced to its entries newer than what was seen (None if none, or malformed)."""
        try:
            decoder = Decoder(read_message(frame[1:]))
            count = decoder.read_var_uint()
            entries = [(decoder.read_var_uint(), decoder.read_var_uint(), decoder.read_message() or b"")
                       for _ in range(count)]
        except Exception:
            return None
        fresh = []
        for client, clock, state in entries:
            gone = state in (b"", b"null")
            seen = self.clocks.get(client)
            if seen is None or seen < clock or (seen == clock and gone and client in self.states):
                self.clocks[client] = clock
                if gone:
                    self.states.pop(client, None)
                else:
                    self.states[client] = (clock, state, time.monotonic())
                fresh.append((client, clock, state))
        if not fresh:
            return None
        return frame if len(fresh) == len(entries) else self._frame(fresh)

    def everyone(self) -> bytes | None:
        """Everyone present, as one awareness frame (for a socket that joins): the states heard of lately (clients
        renew theirs every 15 s, and drop others' after 30 s without news; a client that left is not renewed)."""
        recent = time.monotonic() - PRESENCE_SECONDS
        present = [(client, clock, state) for client, (clock, state, heard) in self.states.items() if heard > recent]
        return self._frame(present) if present else None

    @staticmethod
    def _frame(entries: list[tuple[int, int, bytes]]) -> bytes:
        body = _var_uint(len(entries)) + b"".join(
            _var_uint(client) + _var_uint(clock) + write_message(state) for client, clock, state in entries)
        return bytes([YMessageType.AWARENESS]) + write_message(body)


def presence_stamped(frame: bytes, user: dict) -> bytes | None:
    """An awareness frame with every state's ``user`` replaced by the server's name and colour for the socket's
    user (issue 14: a client cannot spoof a name or put CSS in a colour). None when malformed."""
    try:
        decoder = Decoder(read_message(frame[1:]))
        count = decoder.read_var_uint()
        entries = [(decoder.read_var_uint(), decoder.read_var_uint(), decoder.read_message() or b"")
                   for _ in range(count)]
    except Exception:
        return None
    stamped = []
    for client, clock, state in entries:
        if state not in (b"", b"null"):
            try:
                data = json.loads(state)
            except ValueError:
                return None
            if not isinstance(data, dict):
                return None
            data["user"] = dict(user)
            state = json.dumps(data, separators=(",", ":")).encode()
        stamped.append((client, clock, state))
    return _Presence._frame(stamped)


class Room:
    """One document's sockets in this worker, its copy of the document and its catch-up.

    ``doc`` holds what was stored: the state when the room opened, every update this worker stored or was
    relayed, and what the catch-up found. Each socket is sent everything that reaches the room after it
    joined (buffered until its own initial sync from the store is sent), so ``doc`` holds nothing a socket
    lacks except what the room itself has not received; the catch-up sends the room's sockets that.
    """

    def __init__(self, hub: _Hub, document_id: int):
        self.hub, self.document_id = hub, document_id
        self.doc = Doc()
        self.presence = _Presence()
        self.sockets: dict[MinutesConsumer, list[bytes] | None] = {}  # a list: buffered while it joins
        self.known: set[int] = set()  # ids of stored rows newer than ``watermark`` that the room applied
        self.watermark = 0  # every stored row up to this id has been applied
        self.horizon = 0  # the newest stored id at the last look: rows up to it have had their time to be relayed
        self.catching_up: asyncio.Task | None = None
        self.started = asyncio.ensure_future(self._start())
        self.closed = False

    async def _start(self) -> None:
        await self.hub.subscribed()
        state, latest = await _state(self.document_id)  # after subscribing: nothing falls in between
        if state is not None:
            self._apply(state)
        self.watermark = self.horizon = max(self.watermark, latest)
        self.catching_up = asyncio.create_task(self._catch_up())

    # --- sockets ---
    async def join(self, consumer: MinutesConsumer) -> None:
        """From now on the socket is sent what reaches the room (held back until ``live``)."""
        self.sockets[consumer] = []
        try:
            await asyncio.shield(self.started)
        except Exception:
            self.leave(consumer)
            self.close()  # the next joiner tries afresh
            raise

    async def live(self, consumer: MinutesConsumer) -> None:
        """The socket has its initial sync: send what was held back, then relay to it directly."""
        buffered = self.sockets.get(consumer)
        while buffered:
            frames = buffered[:]
            buffered.clear()
            for frame in frames:
                await _send(consumer, frame)
        if consumer in self.sockets:
            self.sockets[consumer] = None

    def leave(self, consumer: MinutesConsumer) -> None:
        if self.sockets.pop(consumer, False) is not False and not self.sockets:
            self.close()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.started.cancel()
        if self.catching_up is not None:
            self.catching_up.cancel()
        self.hub.forget(self)

    async def _fan_out(self, frame: bytes, skip=()) -> None:
        for consumer, buffered in list(self.sockets.items()):
            if consumer in skip:
                continue
            if buffered is not None:
                buffered.append(frame)
            else:
                await _send(consumer, frame)

    def _apply(self, update: bytes) -> None:
        try:
            self.doc.apply_update(update)
        except Exception as exc:  # stored already; the store stays the source of truth
            logger.warning("minutes %s: applying an update to the worker's copy failed (%s)", self.document_id, exc)

    # --- relays ---
    async def relay(self, rows: list[bytes], ids: list[int], items: list[tuple[bytes, MinutesConsumer]]) -> None:
        """Tell everyone of updates that are stored (``rows``, stored as ``ids``, made of ``items``)."""
        self.known.update(ids)
        for row in rows:
            self._apply(row)
            self.hub.post((self.document_id, "update", row, ids))  # to the other workers
        by_sender: dict[MinutesConsumer, list[bytes]] = {}
        for update, sender in items:
            by_sender.setdefault(sender, []).append(update)
        if len(rows) != 1:
            for row in rows:
                await self._fan_out(create_update_message(row))
            return
        frame = create_update_message(rows[0])
        for consumer, buffered in list(self.sockets.items()):
            if consumer not in by_sender:
                out = frame
            else:  # no echo: a sender is sent only the others' updates
                others = [u for sender, updates in by_sender.items() if sender is not consumer for u in updates]
                if not others:
                    continue
                out = create_update_message(others[0] if len(others) == 1 else merge_updates(*others))
            if buffered is not None:
                buffered.append(out)
            else:
                await _send(consumer, out)

    async def awareness(self, frame: bytes, sender: MinutesConsumer) -> None:
        """Presence and cursors: what is new to everyone else in the room, never back to the sender."""
        news = self.presence.news(frame)
        if news is not None:
            await self._fan_out(news, skip=(sender,))
            self.hub.post((self.document_id, "awareness", news, None))

    async def relayed(self, kind: str, payload: bytes, ids: list[int] | None) -> None:
        """From another worker."""
        if kind == "update":
            self.known.update(ids)
            self._apply(payload)
            await self._fan_out(create_update_message(payload))
        elif kind == "awareness" and (news := self.presence.news(payload)) is not None:
            await self._fan_out(news)

    async def _catch_up(self) -> None:
        """Every few seconds: send the room's sockets what the store has and the room lacks.

        Storing comes before relaying, but a relay can still be lost: the other worker dies between the two, or
        Redis restarts or drops a connection (pub/sub delivers to whoever is subscribed at that moment, and no
        socket is closed for it). One lost update also holds back every later
        update that builds on it, in Yjs. What was missed: the rows the room did not apply among those stored by
        the last look, which have had a whole interval to be relayed (a row stored a moment ago is usually still
        on its way; a document's log ids grow in commit order). A database failure closes the sockets with a
        try-again code, and the clients' reconnects resync them.
        """
        while True:
            await asyncio.sleep(CATCH_UP_SECONDS)
            try:
                horizon = self.horizon
                latest, missed = await _missed(self.document_id, self.watermark, horizon, frozenset(self.known))
                self.known = {pk for pk in self.known if pk > horizon}
                self.watermark, self.horizon = max(self.watermark, horizon), max(self.horizon, latest)
                missing = get_update(missed, self.doc.get_state()) if missed is not None else EMPTY_UPDATE
                if missing == EMPTY_UPDATE:
                    continue
                seats = {(consumer.user_id, consumer.room) for consumer in self.sockets}
                readers = await _readers(seats)  # access may have gone without a word (a lost recheck)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("minutes %s: catching up failed (%s); closing to resync", self.document_id, exc)
                await _close_all(list(self.sockets), CLOSE_TRY_AGAIN)
                continue
            self._apply(missing)
            frame = create_update_message(missing)
            for consumer, buffered in list(self.sockets.items()):
                if (consumer.user_id, consumer.room) not in readers:
                    await consumer.close(code=CLOSE_NOT_FOUND)  # may no longer read it, and was not told
                elif buffered is not None:
                    buffered.append(frame)
                else:
                    await _send(consumer, frame)


async def _close_all(consumers: list[MinutesConsumer], code: int) -> None:
    for consumer in consumers:
        try:
            await consumer.close(code=code)
        except Exception as exc:
            logger.debug("minutes: closing a socket failed (%s)", exc)


def _workers_group() -> str:
    """The channel-layer group of this deployment's workers: named after its database, so that deployments (a test
    run, a benchmark, a dev server) sharing one Redis (pub/sub channels ignore the database number) never hear
    each other's documents."""
    db = settings.DATABASES["default"]
    where = f"{db.get('ENGINE')}:{db.get('HOST')}:{db.get('PORT')}/{db.get('NAME')}"
    return f"minutes.workers.{hashlib.sha256(where.encode()).hexdigest()[:16]}"


def _relay_layer():
    """The channel layer that carries relays between workers (settings.CHANNEL_LAYERS["relay"]: Redis pub/sub in
    the production shape, in memory in the embedded one)."""
    return get_channel_layer("relay")


class _Hub:
    """One worker's (one event loop's) rooms, its queue of updates to store, and its link to the other workers.

    The link is one channel-layer subscription per worker (a group of the deployment's workers): what is relayed
    to the other workers (stored updates, presence) is queued and sent by one task, everything queued by then in
    one message, so the messages between workers do not grow with sockets, documents or keystrokes; the receiver
    hands each entry to its room of that document, if it has one.
    """

    def __init__(self):
        self.rooms: dict[int, Room] = {}
        self.pending: dict[Room, list[tuple[bytes, MinutesConsumer]]] = {}
        self.flushing: asyncio.Task | None = None
        self.next_done: asyncio.Future | None = None  # done when what is pending now is stored and relayed
        self.current_done: asyncio.Future | None = None  # done when the batch being stored is relayed
        self.layer = _relay_layer()
        self.group = _workers_group()
        self.channel: str | None = None
        self.subscribing: asyncio.Future | None = None
        self.tasks: list[asyncio.Task] = []
        self.outbox: list[tuple] = []
        self.sending: asyncio.Task | None = None
        self.store = _StoreConnection()

    # --- rooms ---
    def room(self, document_id: int) -> Room:
        room = self.rooms.get(document_id)
        if room is None:
            room = self.rooms[document_id] = Room(self, document_id)
        return room

    def forget(self, room: Room) -> None:
        if self.rooms.get(room.document_id) is room:
            del self.rooms[room.document_id]
        if not self.rooms:
            self._unsubscribe()
            if self.flushing is None or self.flushing.done():
                self.store.close()

    def consumers(self) -> list[MinutesConsumer]:
        return [consumer for room in list(self.rooms.values()) for consumer in room.sockets]

    # --- the link to the other workers ---
    async def subscribed(self) -> None:
        if self.subscribing is None or (self.subscribing.done() and (self.subscribing.cancelled()
                                                                   or self.subscribing.exception() is not None)):
            self.subscribing = asyncio.ensure_future(self._subscribe())
        await asyncio.shield(self.subscribing)

    async def _subscribe(self) -> None:
        channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, channel)
        self.channel = channel
        self.tasks = [asyncio.create_task(self._listen(channel)), asyncio.create_task(self._rejoin(channel))]

    def _unsubscribe(self) -> None:
        """No room left in this worker: stop listening (the next room subscribes again)."""
        if self.subscribing is not None:
            self.subscribing.cancel()
        self.subscribing = None
        for task in self.tasks:
            task.cancel()
        self.tasks = []
        if self.channel is not None:
            asyncio.create_task(self._discard(self.channel))
            self.channel = None

    async def _discard(self, channel: str) -> None:
        try:
            await self.layer.group_discard(self.group, channel)
        except Exception as exc:  # the membership expires on its own
            logger.debug("minutes: leaving the workers' group failed (%s)", exc)

    def post(self, entry: tuple) -> None:
        """Queue an entry (document id, kind, payload, stored ids) for the other workers."""
        self.outbox.append(entry)
        if self.sending is None or self.sending.done():
            self.sending = asyncio.create_task(self._send())

    async def _send(self) -> None:
        while self.outbox:
            entries, self.outbox = self.outbox, []
            try:
                await self.layer.group_send(self.group, {"type": "minutes.relay", "origin": self.channel,
                                                         "entries": entries})
            except Exception as exc:  # stored: the other workers' catch-up finds it; presence is renewed
                logger.warning("minutes: relaying %d entries to the other workers failed (%s)", len(entries), exc)

    async def _listen(self, channel: str) -> None:
        while True:
            try:
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis away: the consumers fail and reconnect, the catch-up repairs
                logger.warning("minutes: receiving relays failed (%s)", exc)
                await asyncio.sleep(1)
                continue
            if message.get("origin") == channel:
                continue
            for document_id, kind, payload, ids in message.get("entries", ()):
                room = self.rooms.get(document_id)
                if room is not None:
                    await room.relayed(kind, payload, ids)

    async def _rejoin(self, channel: str) -> None:
        """Every few seconds, re-join the groups (idempotent): Redis may have forgotten them without a word. A
        channel-layer failure closes every socket with a try-again code; the clients' reconnects resync them."""
        while True:
            await asyncio.sleep(REJOIN_SECONDS)
            consumers = self.consumers()
            try:
                await self.layer.group_add(self.group, channel)
                for consumer in consumers:
                    await consumer.channel_layer.group_add(f"user.{consumer.user_id}", consumer.channel_name)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("minutes: re-joining the groups failed (%s); closing to resync", exc)
                await _close_all(consumers, CLOSE_TRY_AGAIN)

    # --- storing ---
    def submit(self, room: Room, update: bytes, sender: MinutesConsumer) -> None:
        """Queue an update to be stored and then relayed; the next store takes every update queued by then."""
        self.pending.setdefault(room, []).append((update, sender))
        if self.next_done is None:
            self.next_done = asyncio.get_running_loop().create_future()
        if self.flushing is None or self.flushing.done():
            self.flushing = asyncio.create_task(self._flush())

    async def settled(self) -> None:
        """Wait until every update queued so far is stored and relayed (or its store failed)."""
        for future in (self.current_done, self.next_done):
            if future is not None:
                await asyncio.shield(future)

    async def _flush(self) -> None:
        while self.pending:
            await asyncio.sleep(STORE_GATHER_SECONDS)
            batch, self.pending = self.pending, {}
            self.current_done, self.next_done = self.next_done, None
            try:
                await self._store_and_relay(batch)
            except Exception:
                logger.exception("minutes: storing and relaying a batch of updates failed")
            finally:
                done, self.current_done = self.current_done, None
                if done is not None and not done.done():
                    done.set_result(None)
        if not self.rooms:  # the last room closed while storing
            self.store.close()

    async def _store_and_relay(self, batch: dict[Room, list[tuple[bytes, MinutesConsumer]]]) -> None:
        plan: dict[Room, list[bytes]] = {}
        for room, items in batch.items():
            updates = [update for update, _ in items]
            try:
                plan[room] = [merge_updates(*updates)] if len(updates) > 1 else updates
            except Exception:  # each was checked on arrival; store them as they came
                plan[room] = updates
        rows_by_document: dict[int, list[bytes]] = {}
        for room, rows in plan.items():  # two rooms of one document: one closing, one opening
            rows_by_document.setdefault(room.document_id, []).extend(rows)
        try:
            stored = await self.store.store(rows_by_document)
        except Exception as exc:  # nothing stored, nothing relayed: the senders' clients resync on reconnect
            logger.warning("minutes: storing %d updates failed (%s); closing their sockets to resync",
                           sum(len(items) for items in batch.values()), exc)
            await _close_all(list({sender for items in batch.values() for _, sender in items}), CLOSE_TRY_AGAIN)
            return
        for room, rows in plan.items():
            ids = stored.get(room.document_id)
            if not ids:  # the document is gone (its meeting deleted)
                await _close_all(list(room.sockets), CLOSE_NOT_FOUND)
                continue
            stored[room.document_id] = ids[len(rows):]
            _snapshot_soon(room.document_id)
            try:
                await room.relay(rows, ids[:len(rows)], batch[room])
            except Exception as exc:  # stored: the catch-up delivers it
                logger.warning("minutes %s: relaying stored updates failed (%r)", room.document_id, exc)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Hub] = weakref.WeakKeyDictionary()


def _hub() -> _Hub:
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = _Hub()
    return hub


class MinutesConsumer(AsyncWebsocketConsumer):
    wrote = False
    user_id: int | None = None
    _room: Room | None = None

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:  # however the connection ends (closed, or the consumer failed): out of the room
            if self._room is not None:
                self._room.leave(self)

    async def dispatch(self, message: dict) -> None:
        # Channels hops onto the database thread before every message (to close stale connections); a frame
        # needs no database, and every database call here goes through database_sync_to_async, which does it.
        if message["type"] == "websocket.receive":
            await self.websocket_receive(message)
        else:
            await super().dispatch(message)

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.room = self.scope["url_route"]["kwargs"]["room"]
        self.document, self.can_write = await _open(user, self.room)
        if self.document is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.user_id = user.pk
        self.presence_user = {"name": (user.get_full_name() or user.username)[:100],
                              "color": PRESENCE_PALETTE[user.pk % len(PRESENCE_PALETTE)]}
        self.meeting_id = parse_room(self.room)[0]
        await self.channel_layer.group_add(f"user.{user.pk}", self.channel_name)
        await self.channel_layer.group_add(f"minutes.meeting.{self.meeting_id}", self.channel_name)
        self._room = _hub().room(self.document.pk)
        await self._room.join(self)  # relays are held for this socket from here, so none falls between
        state, _ = await _state(self.document.pk)  # the server's state: the store
        state = state or EMPTY_UPDATE
        await self.accept()
        # ask for what the client has, and send everything the server has
        await self.send(bytes_data=bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP1]) + write_message(
            get_state(state)))
        await self.send(bytes_data=bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP2]) + write_message(state))
        if (present := self._room.presence.everyone()) is not None:
            await self.send(bytes_data=present)  # who is here already, as the reference server does
        await self._room.live(self)

    async def disconnect(self, code: int) -> None:
        if self._room is not None:
            await _hub().settled()  # what this socket sent is stored before it is gone
        if self.wrote:  # leave the text snapshot as this writer left it
            await database_sync_to_async(snapshot_refresh)(document_id=self.document.pk)
        if self._room is not None:
            self._room.leave(self)
        if self.user_id is not None:
            await self.channel_layer.group_discard(f"user.{self.user_id}", self.channel_name)
            await self.channel_layer.group_discard(f"minutes.meeting.{self.meeting_id}", self.channel_name)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if not bytes_data or self._room is None:
            return
        if len(bytes_data) > MAX_FRAME_BYTES:
            await self.close(code=CLOSE_TOO_BIG)
            return
        if bytes_data[0] == YMessageType.SYNC:
            kind = bytes_data[1] if len(bytes_data) > 1 else None
            try:
                if kind == YSyncMessageType.SYNC_STEP1:
                    reply = handle_sync_message(bytes_data[1:], self._room.doc)
                    if reply is not None:
                        await self.send(bytes_data=reply)
                    return
                if kind not in (YSyncMessageType.SYNC_STEP2, YSyncMessageType.SYNC_UPDATE):
                    raise ValueError(f"unknown sync message {kind!r}")
                if not self.can_write:
                    return  # viewers' edits are dropped by the server
                update = read_message(bytes_data[2:])
                get_state(update)  # decodes it: a malformed update is refused here, never stored
            except Exception as exc:  # a malformed sync message: this socket is closed, nothing is stored
                logger.warning("minutes socket of user %s in %s: bad sync message (%s); closed 1003",
                               self.user_id, self.room, type(exc).__name__)
                await self.close(code=CLOSE_UNSUPPORTED)
                return
            if update == EMPTY_UPDATE:
                return
            self.wrote = True
            _hub().submit(self._room, update, self)  # stored, then relayed, with whatever else arrived
        elif bytes_data[0] == YMessageType.AWARENESS:
            if not self.can_write:
                return  # read-only viewers send no presence (they cannot claim a name or a colour)
            frame = presence_stamped(bytes_data, self.presence_user)
            if frame is not None:
                await self._room.awareness(frame, self)

    async def access_recheck(self, message: dict) -> None:
        """Something about this user's access changed (minutes.handlers): check this room again."""
        allowed, can_write = await _recheck(self.scope["user"].pk, self.room)
        if not allowed:
            await self.close(code=CLOSE_NOT_FOUND)
        else:
            self.can_write = can_write
