"""Websocket consumers. ``MeetingEventsConsumer`` streams a meeting's changes to its open pages."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.http import Http404

from notifications.handlers import meeting_group
from panels.selectors import meeting_get_for_user

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4404  # the meeting does not exist for this user


@database_sync_to_async
def _can_view(user, meeting_id: int) -> bool:
    try:
        meeting_get_for_user(user=user, meeting_id=meeting_id)
    except Http404:
        return False
    return True


class MeetingEventsConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.meeting_id = int(self.scope["url_route"]["kwargs"]["meeting_id"])
        if not await _can_view(user, self.meeting_id):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = meeting_group(self.meeting_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        # Clients only listen on this socket; a ping is answered so they can check liveness.
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "message": "This socket accepts only pings."})

    async def meeting_event(self, message: dict) -> None:
        await self.send_json({"type": "event", "event": message["event"], "status": message.get("status")})
