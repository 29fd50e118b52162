"""The meeting events websocket: session + origin at connect, need-to-know per meeting, events after commit.

In the production shape (REDIS_URL set) the same round trip goes through the Redis channel layer.
"""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application
from panels import services

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def _cookie_for(user) -> tuple[bytes, bytes]:
    client = Client()
    client.force_login(user)
    return b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()


async def _connect(path: str, *headers):
    communicator = WebsocketCommunicator(application, path, headers=list(headers))
    connected, code = await communicator.connect()
    return communicator, connected, code


async def test_anonymous_socket_is_refused(world):
    communicator, connected, code = await _connect(f"/ws/meetings/{world.meeting.pk}/events", ORIGIN)
    assert not connected and code == 4401


async def test_foreign_origin_is_refused(world):
    cookie = await sync_to_async(_cookie_for)(world.users["chair"])
    communicator, connected, _ = await _connect(
        f"/ws/meetings/{world.meeting.pk}/events", (b"origin", b"https://evil.example"), cookie
    )
    assert not connected


@pytest.mark.parametrize("persona", ["outsider", "uninvited_partner", "case_manager"])
async def test_people_without_need_to_know_are_refused(world, persona):
    cookie = await sync_to_async(_cookie_for)(world.users[persona])
    communicator, connected, code = await _connect(f"/ws/meetings/{world.meeting.pk}/events", ORIGIN, cookie)
    assert not connected and code == 4404


async def test_invited_partner_cannot_open_a_draft_meetings_socket(world):
    cookie = await sync_to_async(_cookie_for)(world.users["invited_partner"])
    communicator, connected, code = await _connect(f"/ws/meetings/{world.draft_meeting.pk}/events", ORIGIN, cookie)
    assert not connected and code == 4404


async def test_status_change_reaches_every_open_page_after_commit(world):
    chair_cookie = await sync_to_async(_cookie_for)(world.users["chair"])
    partner_cookie = await sync_to_async(_cookie_for)(world.users["invited_partner"])
    path = f"/ws/meetings/{world.meeting.pk}/events"
    chair, ok1, _ = await _connect(path, ORIGIN, chair_cookie)
    partner, ok2, _ = await _connect(path, ORIGIN, partner_cookie)
    assert ok1 and ok2

    await sync_to_async(services.meeting_start)(meeting=world.meeting, actor=world.users["chair"])

    for communicator in (chair, partner):
        message = await communicator.receive_json_from(timeout=5)
        assert message == {"type": "event", "event": "panels.meeting.in_progress", "status": "in_progress"}
        await communicator.send_json_to({"type": "ping"})
        assert await communicator.receive_json_from(timeout=5) == {"type": "pong"}
        await communicator.disconnect()


@pytest.mark.redis
@pytest.mark.skipif(not settings.REDIS_URL, reason="production shape only (REDIS_URL)")
async def test_round_trip_goes_through_redis(world):
    assert type(get_channel_layer()).__module__.startswith("channels_redis")
    await test_status_change_reaches_every_open_page_after_commit(world)
