"""Live minute text over the y-websocket protocol, with the server as the source of truth.

Each connection is checked at connect (session, origin, need to know for this meeting, child and
section). Every update from an editor is applied to the server's copy and persisted *before* it is
relayed; updates from read-only viewers are dropped. A joining or reconnecting client is synced from
the server's state, never from peers.
"""

from __future__ import annotations

from urllib.parse import unquote

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.http import Http404
from pycrdt import (
    YMessageType,
    YSyncMessageType,
    create_sync_message,
    create_update_message,
    handle_sync_message,
    read_message,
    write_message,
)

from minutes.access import document_access
from minutes.documents import document_get_or_create, load_doc, update_persist
from panels.models import User

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_BIG = 1009
MAX_FRAME_BYTES = 512 * 1024


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
        return None, None, False
    document = document_get_or_create(meeting_id=meeting_id, child_id=child_id, section=section)
    return document, load_doc(document.pk), access.can_write


@database_sync_to_async
def _recheck(user_id: int, room: str) -> tuple[bool, bool]:
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


class MinutesConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.room = self.scope["url_route"]["kwargs"]["room"]
        self.document, self.doc, self.can_write = await _open(user, self.room)
        if self.document is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = f"minutes.{self.document.pk}"
        self.user_id = user.pk
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.channel_layer.group_add(f"user.{user.pk}", self.channel_name)
        await self.accept()
        # the server's state: ask for what the client has, and send everything the server has
        await self.send(bytes_data=create_sync_message(self.doc))
        state = self.doc.get_update()
        await self.send(bytes_data=bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP2]) + write_message(state))

    async def disconnect(self, code: int) -> None:
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await self.channel_layer.group_discard(f"user.{self.user_id}", self.channel_name)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if not bytes_data:
            return
        if len(bytes_data) > MAX_FRAME_BYTES:
            await self.close(code=CLOSE_TOO_BIG)
            return
        if bytes_data[0] == YMessageType.SYNC and len(bytes_data) > 1:
            kind = bytes_data[1]
            if kind == YSyncMessageType.SYNC_STEP1:
                reply = handle_sync_message(bytes_data[1:], self.doc)
                if reply is not None:
                    await self.send(bytes_data=reply)
                return
            if kind in (YSyncMessageType.SYNC_STEP2, YSyncMessageType.SYNC_UPDATE):
                if not self.can_write:
                    return  # viewers' edits are dropped by the server
                try:
                    update = read_message(bytes_data[2:])
                except Exception:  # malformed frame: refuse it, keep the connection
                    return
                if update == b"\x00\x00":
                    return
                self.doc.apply_update(update)
                await database_sync_to_async(update_persist)(document_id=self.document.pk, update=update)
                await self.channel_layer.group_send(self.group, {
                    "type": "yjs.update", "update": update, "sender": self.channel_name})
        elif bytes_data[0] == YMessageType.AWARENESS:
            await self.channel_layer.group_send(self.group, {
                "type": "yjs.awareness", "data": bytes_data, "sender": self.channel_name})

    async def yjs_update(self, message: dict) -> None:
        if message["sender"] == self.channel_name:
            return
        self.doc.apply_update(message["update"])
        await self.send(bytes_data=create_update_message(message["update"]))

    async def yjs_awareness(self, message: dict) -> None:
        if message["sender"] != self.channel_name:
            await self.send(bytes_data=message["data"])

    async def access_recheck(self, message: dict) -> None:
        """Something about this user's access changed (minutes.handlers): check this room again."""
        allowed, can_write = await _recheck(self.scope["user"].pk, self.room)
        if not allowed:
            await self.close(code=CLOSE_NOT_FOUND)
        else:
            self.can_write = can_write
