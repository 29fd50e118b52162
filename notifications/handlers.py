"""Subscribers to the domain events of the apps on the left (called after commit)."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from panels.events import event_subscribe


def meeting_group(meeting_id: int) -> str:
    return f"meeting.{meeting_id}"


def broadcast_meeting_event(name: str, payload: dict[str, Any]) -> None:
    """Tell every open meeting page that something changed (notify, then the page pulls)."""
    meeting_id = payload.get("meeting_id")
    layer = get_channel_layer()
    if meeting_id is None or layer is None:
        return
    async_to_sync(layer.group_send)(
        meeting_group(meeting_id), {"type": "meeting.event", "event": name, "status": payload.get("status")}
    )


def connect() -> None:
    event_subscribe("*", broadcast_meeting_event)
