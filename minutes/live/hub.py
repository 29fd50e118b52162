"""A worker's hub: its rooms, its queue of updates to store, and its link to the other workers through the channel
layer (Redis pub/sub in the production shape, in memory in the embedded one)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import weakref
from typing import TYPE_CHECKING, Any

from channels.layers import get_channel_layer
from django.conf import settings
from pycrdt import merge_updates

from minutes.live import store
from minutes.live.protocol import CLOSE_NOT_FOUND, CLOSE_TRY_AGAIN
from minutes.live.room import Room, close_all

if TYPE_CHECKING:
    from minutes.live.consumer import MinutesConsumer

logger = logging.getLogger(__name__)

REJOIN_SECONDS = 5.0  # how often the worker re-joins its channel-layer groups
STORE_GATHER_SECONDS = 0.003  # a store waits this long for more updates (fewer, larger stores: a third less CPU)
RELAY = "minutes.relay"  # the channel-layer message type between workers

# what goes to the other workers: document id, "update" or "awareness", the payload, the stored ids (updates)
RelayEntry = tuple[int, str, bytes, list[int] | None]


def workers_group() -> str:
    """The channel-layer group of this deployment's workers: named after its database, so that deployments (a test
    run, a benchmark, a dev server) sharing one Redis (pub/sub channels ignore the database number) never hear
    each other's documents."""
    db = settings.DATABASES["default"]
    where = f"{db.get('ENGINE')}:{db.get('HOST')}:{db.get('PORT')}/{db.get('NAME')}"
    return f"minutes.workers.{hashlib.sha256(where.encode()).hexdigest()[:16]}"


def relay_layer() -> Any:
    """The channel layer that carries relays between workers (settings.CHANNEL_LAYERS["relay"]: Redis pub/sub in
    the production shape, in memory in the embedded one)."""
    return get_channel_layer("relay")


class Hub:
    """One worker's (one event loop's) rooms, its queue of updates to store, and its link to the other workers.

    The link is one channel-layer subscription per worker (a group of the deployment's workers): what is relayed
    to the other workers (stored updates, presence) is queued and sent by one task, everything queued by then in
    one message, so the messages between workers do not grow with sockets, documents or keystrokes; the receiver
    hands each entry to its room of that document, if it has one.
    """

    def __init__(self) -> None:
        self.rooms: dict[int, Room] = {}
        self.pending: dict[Room, list[tuple[bytes, MinutesConsumer]]] = {}
        self.flushing: asyncio.Task | None = None
        self.next_done: asyncio.Future | None = None  # done when what is pending now is stored and relayed
        self.current_done: asyncio.Future | None = None  # done when the batch being stored is relayed
        self.layer = relay_layer()
        self.group = workers_group()
        self.channel: str | None = None
        self.subscribing: asyncio.Future | None = None
        self.tasks: list[asyncio.Task] = []
        self.outbox: list[RelayEntry] = []
        self.sending: asyncio.Task | None = None
        self.store = store.StoreConnection()

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

    def post(self, entry: RelayEntry) -> None:
        """Queue an entry (document id, kind, payload, stored ids) for the other workers."""
        self.outbox.append(entry)
        if self.sending is None or self.sending.done():
            self.sending = asyncio.create_task(self._send())

    async def _send(self) -> None:
        while self.outbox:
            entries, self.outbox = self.outbox, []
            try:
                await self.layer.group_send(self.group, {"type": RELAY, "origin": self.channel, "entries": entries})
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
                await close_all(consumers, CLOSE_TRY_AGAIN)

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
            await close_all(list({sender for items in batch.values() for _, sender in items}), CLOSE_TRY_AGAIN)
            return
        for room, rows in plan.items():
            ids = stored.get(room.document_id)
            if not ids:  # the document is gone (its meeting deleted)
                await close_all(list(room.sockets), CLOSE_NOT_FOUND)
                continue
            stored[room.document_id] = ids[len(rows):]
            store.snapshot_soon(room.document_id)
            try:
                await room.relay(rows, ids[:len(rows)], batch[room])
            except Exception as exc:  # stored: the catch-up delivers it
                logger.warning("minutes %s: relaying stored updates failed (%r)", room.document_id, exc)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def worker_hub() -> Hub:
    """This worker's hub (one per event loop)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub()
    return hub
