"""Live minute text over the y-websocket protocol, with the server as the source of truth.

Each connection is checked at connect (session, origin, need to know for this meeting, child and
section). Every update from an editor is applied to the server's copy and persisted *before* it is
relayed; updates from read-only viewers are dropped. A joining or reconnecting client is synced from
the server's state, never from peers.

Relays go through the channel layer and can be lost (a worker killed between storing and relaying, a
Redis restart that wipes group membership while sockets stay open), so each connection also catches up
from the store every few seconds; see ``MinutesConsumer._catch_up``.
"""

from __future__ import annotations

import asyncio
import logging
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
from minutes.documents import document_get_or_create, load_doc, snapshot_refresh, update_store
from minutes.models import MinuteUpdate
from panels.models import User

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_BIG = 1009
CLOSE_TRY_AGAIN = 1013  # a reconnecting client resyncs from the store
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


@database_sync_to_async
def _stored_if_newer(document_id: int, seen: int | None):
    """The newest id in the document's update log, and the stored state if that id is not ``seen``.

    update_store serialises a document's writers on its row, so its log ids grow in commit order: an
    unchanged newest id means nothing was stored since the last look (compaction writes a new id too).
    """
    latest = MinuteUpdate.objects.filter(document_id=document_id).order_by("-id").values_list("id", flat=True).first()
    return latest, (None if latest == seen else load_doc(document_id))


SNAPSHOT_DELAY = 2.0  # seconds after a write before the text snapshot is refreshed (once per burst)
_snapshots: dict[int, asyncio.Task] = {}


def _snapshot_soon(document_id: int) -> None:
    """Refresh a document's text snapshot once writes pause, not on every keystroke (one task per
    document and worker; approval and the last writer's leaving refresh it at once)."""
    task = _snapshots.get(document_id)
    if task is None or task.done():
        _snapshots[document_id] = asyncio.create_task(_snapshot_later(document_id))


async def _snapshot_later(document_id: int) -> None:
    await asyncio.sleep(SNAPSHOT_DELAY)
    _snapshots.pop(document_id, None)  # writes from now on schedule the next refresh
    try:
        await database_sync_to_async(snapshot_refresh)(document_id=document_id)
    except Exception as exc:  # the log is intact; the next write or approval refreshes the text
        logger.warning("minutes %s: text snapshot failed (%s)", document_id, exc)


class MinutesConsumer(AsyncWebsocketConsumer):
    catch_up_seconds = 5.0
    wrote = False
    _catching_up: asyncio.Task | None = None

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:  # however the connection ends (closed, or the consumer failed): stop catching up
            if self._catching_up is not None:
                self._catching_up.cancel()

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
        self._catching_up = asyncio.create_task(self._catch_up())

    async def _catch_up(self) -> None:
        """Every few seconds: re-join the groups and send the client what the store has and it lacks.

        Storing comes before relaying, but a relay can still be lost: the worker dies between the two, or
        Redis restarts and forgets the groups' members (channels-redis keeps them there) while every socket
        stays open, so it silently hears nothing more. One lost update also holds back every later update
        that builds on it, in Yjs. Re-joining restores the relay (group_add is idempotent), and the diff
        between the store and this connection's copy (which holds all that was sent to or came from this
        client) delivers what was missed. A channel-layer or database failure closes the socket with a
        try-again code, and the client's reconnect resyncs it.
        """
        seen = None
        while True:
            await asyncio.sleep(self.catch_up_seconds)
            try:
                await self.channel_layer.group_add(self.group, self.channel_name)
                await self.channel_layer.group_add(f"user.{self.user_id}", self.channel_name)
                seen, stored = await _stored_if_newer(self.document.pk, seen)
                missing = stored.get_update(self.doc.get_state()) if stored is not None else b"\x00\x00"
                if missing != b"\x00\x00" and not (await _recheck(self.user_id, self.room))[0]:
                    await self.close(code=CLOSE_NOT_FOUND)  # may no longer read it, and was not told
                    return
            except Exception as exc:
                logger.warning("minutes %s: catching up failed (%s); closing to resync", self.room, exc)
                await self.close(code=CLOSE_TRY_AGAIN)
                return
            if missing != b"\x00\x00":
                self.doc.apply_update(missing)
                await self.send(bytes_data=create_update_message(missing))

    async def disconnect(self, code: int) -> None:
        if self.wrote:  # leave the text snapshot as this writer left it
            await database_sync_to_async(snapshot_refresh)(document_id=self.document.pk)
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
                await database_sync_to_async(update_store)(document_id=self.document.pk, update=update)
                self.wrote = True
                _snapshot_soon(self.document.pk)
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
