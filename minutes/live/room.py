"""A live document's room in one worker: its sockets (who may hold a seat, checked at connect, on a recheck and at
each catch-up), the worker's copy of the document, its presence (awareness), and the catch-up from the store."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

from channels.db import database_sync_to_async
from django.http import Http404
from pycrdt import Doc, create_update_message, get_update, merge_updates

from minutes.access import document_access
from minutes.documents import document_get_or_create
from minutes.live import store
from minutes.live.protocol import (
    CLOSE_NOT_FOUND,
    CLOSE_TRY_AGAIN,
    EMPTY_UPDATE,
    AwarenessEntry,
    ProtocolError,
    awareness_entries,
    awareness_frame,
    is_gone,
    parse_room,
)
from minutes.models import MinuteDocument
from panels.audit import audit_children_read
from panels.models import User

if TYPE_CHECKING:
    from minutes.live.consumer import MinutesConsumer
    from minutes.live.hub import Hub

logger = logging.getLogger(__name__)

CATCH_UP_SECONDS = 2.5  # a lost relay is repaired from the store within two of these
PRESENCE_SECONDS = 30.0  # y-protocols' awareness timeout


# --- who may hold a seat ---------------------------------------------------------------------------
@database_sync_to_async
def seat_open(user: Any, room: str) -> tuple[MinuteDocument | None, bool]:
    """The room's document (None if the user may not read it, or the room name is not one) and whether the user
    may write it. Every socket that reads a minute is a read of the child's record (issue 14): audited."""
    try:
        meeting_id, child_id, section = parse_room(room)
        access = document_access(user=user, meeting_id=meeting_id, child_id=child_id, section=section)
    except (ValueError, Http404):
        return None, False
    document = document_get_or_create(meeting_id=meeting_id, child_id=child_id, section=section)
    audit_children_read(actor=user, action="minutes.room_read", meeting=access.meeting_access.meeting,
                        children=[(child_id, "")] if child_id else (),
                        detail={"section": section, "via": "websocket", "write": access.can_write})
    return document, access.can_write


def _seat_access(user_id: int | None, room: str) -> tuple[bool, bool]:
    """Whether the user (read afresh: deactivated, moved agency) may still read the room, and write it."""
    user = User.objects.select_related("agency").filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        return False, False
    try:
        meeting_id, child_id, section = parse_room(room)
        access = document_access(user=user, meeting_id=meeting_id, child_id=child_id, section=section)
    except (ValueError, Http404):
        return False, False
    return True, access.can_write


seat_recheck = database_sync_to_async(_seat_access)


@database_sync_to_async
def seats_readable(seats: set[tuple[int | None, str]]) -> set[tuple[int | None, str]]:
    """Which of these (user, room) pairs may still read: one trip to the database thread for a whole room."""
    return {seat for seat in seats if _seat_access(*seat)[0]}


# --- sending to sockets ----------------------------------------------------------------------------
async def send_frame(consumer: MinutesConsumer, frame: bytes) -> None:
    try:
        # what consumer.send(bytes_data=frame) sends, without the two calls it is wrapped in (one frame per socket)
        await consumer.base_send({"type": "websocket.send", "bytes": frame})
    except Exception as exc:  # the socket is going away; its client resyncs from the store on reconnect
        logger.debug("minutes: sending to a closing socket failed (%s)", exc)


async def close_all(consumers: list[MinutesConsumer], code: int) -> None:
    for consumer in consumers:
        try:
            await consumer.close(code=code)
        except Exception as exc:
            logger.debug("minutes: closing a socket failed (%s)", exc)


# --- presence --------------------------------------------------------------------------------------
class Presence:
    """A room's awareness (who is present, their cursors): the newest clock of each Yjs client, so that only news
    is relayed. A y-websocket client re-sends every awareness state it receives (its provider broadcasts all
    changes, remote ones too); the reference server drops those echoes in the same way, by clock."""

    def __init__(self) -> None:
        self.clocks: dict[int, int] = {}
        self.states: dict[int, tuple[int, bytes, float]] = {}  # client: clock, JSON state, when heard, while it has one

    def news(self, frame: bytes) -> bytes | None:
        """The awareness frame reduced to its entries newer than what was seen (None if none, or malformed)."""
        try:
            entries = awareness_entries(frame)
        except ProtocolError:
            return None
        fresh: list[AwarenessEntry] = []
        for client, clock, state in entries:
            gone = is_gone(state)
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
        return frame if len(fresh) == len(entries) else awareness_frame(fresh)

    def everyone(self) -> bytes | None:
        """Everyone present, as one awareness frame (for a socket that joins): the states heard of lately (clients
        renew theirs every 15 s, and drop others' after 30 s without news; a client that left is not renewed)."""
        recent = time.monotonic() - PRESENCE_SECONDS
        present = [(client, clock, state) for client, (clock, state, heard) in self.states.items() if heard > recent]
        return awareness_frame(present) if present else None


# --- the room --------------------------------------------------------------------------------------
class Room:
    """One document's sockets in this worker, its copy of the document and its catch-up.

    ``doc`` holds what was stored: the state when the room opened, every update this worker stored or was
    relayed, and what the catch-up found. Each socket is sent everything that reaches the room after it
    joined (buffered until its own initial sync from the store is sent), so ``doc`` holds nothing a socket
    lacks except what the room itself has not received; the catch-up sends the room's sockets that.
    """

    def __init__(self, hub: Hub, document_id: int):
        self.hub, self.document_id = hub, document_id
        self.doc: Doc[Any] = Doc()
        self.presence = Presence()
        self.sockets: dict[MinutesConsumer, list[bytes] | None] = {}  # a list: buffered while it joins
        self.known: set[int] = set()  # ids of stored rows newer than ``watermark`` that the room applied
        self.watermark = 0  # every stored row up to this id has been applied
        self.horizon = 0  # the newest stored id at the last look: rows up to it have had their time to be relayed
        self.catching_up: asyncio.Task | None = None
        self.started = asyncio.ensure_future(self._start())
        self.closed = False

    async def _start(self) -> None:
        await self.hub.subscribed()
        state, latest = await store.document_state(self.document_id)  # after subscribing: nothing falls in between
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
                await send_frame(consumer, frame)
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

    async def _fan_out(self, frame: bytes, skip: tuple[MinutesConsumer, ...] = ()) -> None:
        for consumer, buffered in list(self.sockets.items()):
            if consumer in skip:
                continue
            if buffered is not None:
                buffered.append(frame)
            else:
                await send_frame(consumer, frame)

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
                await send_frame(consumer, out)

    async def awareness(self, frame: bytes, sender: MinutesConsumer) -> None:
        """Presence and cursors: what is new to everyone else in the room, never back to the sender."""
        news = self.presence.news(frame)
        if news is not None:
            await self._fan_out(news, skip=(sender,))
            self.hub.post((self.document_id, "awareness", news, None))

    async def relayed(self, kind: str, payload: bytes, ids: list[int] | None) -> None:
        """From another worker."""
        if kind == "update":
            self.known.update(ids or ())
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
                latest, missed = await store.updates_missed(self.document_id, self.watermark, horizon,
                                                            frozenset(self.known))
                self.known = {pk for pk in self.known if pk > horizon}
                self.watermark, self.horizon = max(self.watermark, horizon), max(self.horizon, latest)
                missing = get_update(missed, self.doc.get_state()) if missed is not None else EMPTY_UPDATE
                if missing == EMPTY_UPDATE:
                    continue
                seats = {(consumer.user_id, consumer.room) for consumer in self.sockets}
                readers = await seats_readable(seats)  # access may have gone without a word (a lost recheck)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("minutes %s: catching up failed (%s); closing to resync", self.document_id, exc)
                await close_all(list(self.sockets), CLOSE_TRY_AGAIN)
                continue
            self._apply(missing)
            frame = create_update_message(missing)
            for consumer, buffered in list(self.sockets.items()):
                if (consumer.user_id, consumer.room) not in readers:
                    await consumer.close(code=CLOSE_NOT_FOUND)  # may no longer read it, and was not told
                elif buffered is not None:
                    buffered.append(frame)
                else:
                    await send_frame(consumer, frame)
