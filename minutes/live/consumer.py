"""The live-minutes socket (``ws/minutes/<room>``): checks the connection, syncs the client from the store, and
hands what the client sends to its room and the worker's hub. Everything else lives beside it: framing in
``protocol``, persistence in ``store``, membership and presence in ``room``, fan-out between workers in ``hub``."""

from __future__ import annotations

import logging
from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer
from pycrdt import handle_sync_message

from minutes.live import store
from minutes.live.hub import worker_hub
from minutes.live.protocol import (
    AWARENESS,
    CLOSE_NOT_FOUND,
    CLOSE_TOO_BIG,
    CLOSE_UNAUTHENTICATED,
    CLOSE_UNSUPPORTED,
    EMPTY_UPDATE,
    MAX_FRAME_BYTES,
    SYNC,
    SYNC_STEP1,
    ProtocolError,
    parse_room,
    presence_identity,
    presence_stamped,
    sync_kind,
    sync_step1,
    sync_step2,
    sync_update,
)
from minutes.live.room import Room, seat_open, seat_recheck
from minutes.models import MinuteDocument

logger = logging.getLogger(__name__)


class MinutesConsumer(AsyncWebsocketConsumer):
    wrote = False
    user_id: int | None = None
    _room: Room | None = None
    room: str
    document: MinuteDocument | None
    can_write: bool
    meeting_id: int
    presence_user: dict[str, str]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
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
        self.document, self.can_write = await seat_open(user, self.room)
        if self.document is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.user_id = user.pk
        self.presence_user = presence_identity(user_id=user.pk, name=user.get_full_name() or user.username)
        self.meeting_id = parse_room(self.room)[0]
        await self.channel_layer.group_add(f"user.{user.pk}", self.channel_name)
        await self.channel_layer.group_add(f"minutes.meeting.{self.meeting_id}", self.channel_name)
        self._room = worker_hub().room(self.document.pk)
        await self._room.join(self)  # relays are held for this socket from here, so none falls between
        state, _ = await store.document_state(self.document.pk)  # the server's state: the store
        state = state or EMPTY_UPDATE
        await self.accept()
        # ask for what the client has, and send everything the server has
        await self.send(bytes_data=sync_step1(state))
        await self.send(bytes_data=sync_step2(state))
        if (present := self._room.presence.everyone()) is not None:
            await self.send(bytes_data=present)  # who is here already, as the reference server does
        await self._room.live(self)

    async def disconnect(self, code: int) -> None:
        if self._room is not None:
            await worker_hub().settled()  # what this socket sent is stored before it is gone
        if self.wrote and self.document is not None:  # leave the text snapshot as this writer left it
            await store.snapshot_now(document_id=self.document.pk)
        if self._room is not None:
            self._room.leave(self)
        if self.user_id is not None:
            await self.channel_layer.group_discard(f"user.{self.user_id}", self.channel_name)
            await self.channel_layer.group_discard(f"minutes.meeting.{self.meeting_id}", self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not bytes_data or self._room is None:
            return
        if len(bytes_data) > MAX_FRAME_BYTES:
            await self.close(code=CLOSE_TOO_BIG)
            return
        if bytes_data[0] == SYNC:
            try:
                if sync_kind(bytes_data) == SYNC_STEP1:
                    reply = handle_sync_message(bytes_data[1:], self._room.doc)
                    if reply is not None:
                        await self.send(bytes_data=reply)
                    return
                if not self.can_write:
                    return  # viewers' edits are dropped by the server
                update = sync_update(bytes_data)  # a malformed update is refused here, never stored
            except Exception as exc:  # a malformed sync message: this socket is closed, nothing is stored
                logger.warning("minutes socket of user %s in %s: bad sync message (%s); closed 1003",
                               self.user_id, self.room, exc if isinstance(exc, ProtocolError) else type(exc).__name__)
                await self.close(code=CLOSE_UNSUPPORTED)
                return
            if update == EMPTY_UPDATE:
                return
            self.wrote = True
            worker_hub().submit(self._room, update, self)  # stored, then relayed, with whatever else arrived
        elif bytes_data[0] == AWARENESS:
            if not self.can_write:
                return  # read-only viewers send no presence (they cannot claim a name or a colour)
            frame = presence_stamped(bytes_data, self.presence_user)
            if frame is not None:
                await self._room.awareness(frame, self)

    async def access_recheck(self, message: dict) -> None:
        """Something about this user's access changed (minutes.handlers): check this room again."""
        allowed, can_write = await seat_recheck(self.scope["user"].pk, self.room)
        if not allowed:
            await self.close(code=CLOSE_NOT_FOUND)
        else:
            self.can_write = can_write
