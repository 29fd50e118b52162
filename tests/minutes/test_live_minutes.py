"""Live minutes over the y-websocket protocol: pycrdt clients against the real consumer.

Editors converge; late joiners and reconnects get the server's state; viewers' edits are dropped;
restricted sections and other establishments' children are never sent; updates are stored first.
"""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test import Client
from pycrdt import (
    Doc,
    XmlElement,
    XmlFragment,
    XmlText,
    YMessageType,
    YSyncMessageType,
    create_update_message,
    handle_sync_message,
)

from config.asgi import application
from minutes.documents import doc_text, document_compact, load_doc
from minutes.models import MinuteDocument, MinuteUpdate
from panels.enums import MeetingStatus

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def _cookie(user):
    client = Client()
    client.force_login(user)
    return b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()


class Peer:
    """A y-websocket client: a pycrdt Doc synced through the consumer."""

    def __init__(self, communicator):
        self.comm = communicator
        self.doc = Doc()
        self.fragment = self.doc.get("default", type=XmlFragment)
        self.outbox: list[bytes] = []
        self.doc.observe(lambda event: self.outbox.append(event.update))

    async def pump(self, timeout=0.3):
        """Apply every frame the server has sent; answer sync step 1 as a y-websocket client does."""
        while not await self.comm.receive_nothing(timeout=timeout):
            frame = await self.comm.receive_from()
            if frame[0] == YMessageType.SYNC:
                reply = handle_sync_message(frame[1:], self.doc)
                if reply is not None and frame[1] == YSyncMessageType.SYNC_STEP1:
                    await self.comm.send_to(bytes_data=reply)

    async def type(self, text: str):
        self.outbox.clear()
        self.fragment.children.append(XmlElement("paragraph", contents=[XmlText(text)]))
        for update in self.outbox:
            await self.comm.send_to(bytes_data=create_update_message(update))
        self.outbox.clear()

    @property
    def text(self) -> str:
        return doc_text(self.doc)


async def connect(world, persona, room):
    cookie = await database_sync_to_async(_cookie)(world.users[persona])
    comm = WebsocketCommunicator(application, f"/ws/minutes/{room}", headers=[ORIGIN, cookie])
    connected, code = await comm.connect()
    return Peer(comm), connected, code


async def _chair_and_coordinator(live) -> tuple[str, Peer, Peer]:
    """The chair and the coordinator in the general minute of the first child's item, both synced."""
    room = f"{live.meeting.pk}.{live.child.pk}.general"
    a, _, _ = await connect(live, "chair", room)
    b, _, _ = await connect(live, "coordinator", room)
    await a.pump()
    await b.pump()
    return room, a, b


async def test_two_editors_converge_and_a_late_joiner_gets_the_servers_state(live):
    room = f"{live.meeting.pk}.{live.child.pk}.general"
    a, ok_a, _ = await connect(live, "chair", room)
    b, ok_b, _ = await connect(live, "coordinator", room)
    assert ok_a and ok_b
    await a.pump()
    await b.pump()
    await a.type("Release address not yet confirmed.")
    await b.type("Housing to assess on Monday.")
    await a.pump()
    await b.pump()
    assert a.text == b.text
    assert {"Release address not yet confirmed.", "Housing to assess on Monday."} == set(a.text.splitlines())
    await a.comm.disconnect()
    await b.comm.disconnect()
    # nobody else connected: the state comes back from the server, not from peers
    c, ok_c, _ = await connect(live, "coordinator", room)
    await c.pump()
    assert ok_c and set(c.text.splitlines()) == set(a.text.splitlines())
    document = await database_sync_to_async(MinuteDocument.objects.get)(meeting=live.meeting, child=live.child)
    assert set(document.text.splitlines()) == set(a.text.splitlines())
    await c.comm.disconnect()


async def test_updates_are_stored_before_they_are_relayed(live):
    room, a, b = await _chair_and_coordinator(live)
    await a.type("Stored first.")
    frame = await b.comm.receive_from(timeout=5)
    assert frame[0] == YMessageType.SYNC
    stored = await database_sync_to_async(MinuteUpdate.objects.filter(document__child=live.child).count)()
    assert stored >= 1
    await a.comm.disconnect()
    await b.comm.disconnect()


async def test_viewers_updates_are_dropped(live):
    room = f"{live.meeting.pk}.{live.child.pk}.general"
    viewer, ok, _ = await connect(live, "invited_partner", room)  # invited, not a minute-taker
    editor, _, _ = await connect(live, "chair", room)
    assert ok
    await viewer.pump()
    await editor.pump()
    await viewer.type("I should not be able to write this.")
    await editor.type("Chair's note.")
    await viewer.pump()
    await editor.pump()
    assert editor.text == "Chair's note."
    assert "Chair's note." in viewer.text  # viewers still receive the live text
    await viewer.comm.disconnect()
    await editor.comm.disconnect()


@pytest.mark.parametrize(("persona", "item", "section", "allowed"), [
    ("invited_yoi", "child", "general", True),
    ("invited_yoi", "other_child", "general", False),  # held at another establishment
    ("invited_stc", "other_child", "general", True),
    ("invited_yoi", "child", "victim", False),
    ("invited_partner", "child", "victim", True),  # probation holds victim liaison
    ("invited_partner", "child", "health", False),
    ("uninvited_partner", "child", "general", False),
    ("outsider", "child", "general", False),
    ("case_manager", "child", "general", False),  # not on this panel
    ("coordinator", "meeting", "police_intel", True),
])
async def test_rooms_are_cut_by_need_to_know(live, persona, item, section, allowed):
    child = {"child": live.child.pk, "other_child": live.other_child.pk, "meeting": "meeting"}[item]
    peer, connected, code = await connect(live, persona, f"{live.meeting.pk}.{child}.{section}")
    assert connected == allowed
    if not allowed:
        assert code == 4404
    else:
        await peer.comm.disconnect()


async def test_anonymous_and_malformed_rooms_are_refused(live):
    comm = WebsocketCommunicator(application, f"/ws/minutes/{live.meeting.pk}.meeting.general", headers=[ORIGIN])
    connected, code = await comm.connect()
    assert not connected and code == 4401
    peer, connected, code = await connect(live, "chair", "not-a-room")
    assert not connected and code == 4404


async def test_a_socket_reads_the_session_but_a_signed_out_or_expired_one_is_refused(live):
    """Sockets read the session from its cookie (panels.sessions.SocketSessionMiddleware): once the user signs out,
    or the session expires, the same cookie opens nothing."""
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    room = f"{live.meeting.pk}.meeting.general"
    for end in ("signed out", "expired"):
        cookie = await database_sync_to_async(_cookie)(live.users["chair"])
        comm = WebsocketCommunicator(application, f"/ws/minutes/{room}", headers=[ORIGIN, cookie])
        connected, _ = await comm.connect()
        assert connected
        await comm.disconnect()
        key = cookie[1].decode().split("=", 1)[1]
        if end == "signed out":
            await database_sync_to_async(Session.objects.filter(session_key=key).delete)()
        else:
            await database_sync_to_async(Session.objects.filter(session_key=key).update)(
                expire_date=timezone.now() - timedelta(seconds=1))
        comm = WebsocketCommunicator(application, f"/ws/minutes/{room}", headers=[ORIGIN, cookie])
        connected, code = await comm.connect()
        assert not connected and code == 4401, end


async def test_a_child_not_on_the_agenda_has_no_minutes_room(live):
    from tests.factories import ChildFactory

    stranger = await database_sync_to_async(ChildFactory)(service=live.service)
    peer, connected, code = await connect(live, "chair", f"{live.meeting.pk}.{stranger.pk}.general")
    assert not connected and code == 4404


def _stored_lines(live, count: int) -> tuple[MinuteDocument, list[bytes], list[int]]:
    """A document whose log holds ``count`` updates, each adding a paragraph "line <n>": the updates and row ids."""
    document = MinuteDocument.objects.create(meeting=live.meeting, child=live.child, section="general")
    doc = Doc()
    fragment = doc.get("default", type=XmlFragment)
    updates = []
    doc.observe(lambda event: updates.append(event.update))
    for n in range(count):
        fragment.children.append(XmlElement("paragraph", contents=[XmlText(f"line {n}")]))
    ids = [MinuteUpdate.objects.create(document=document, data=update).pk for update in updates]
    return document, updates, ids


def test_compaction_keeps_the_text(live):
    document, _, _ = _stored_lines(live, 5)
    assert document_compact(document_id=document.pk) == 5
    assert MinuteUpdate.objects.filter(document=document).count() == 1
    assert doc_text(load_doc(document.pk)).splitlines() == [f"line {n}" for n in range(5)]


def test_the_catch_up_reads_only_what_a_worker_missed(live):
    """``updates_after``: the rows after the watermark, up to the horizon, that the worker did not apply; the newest
    id either way; after a compaction, the merged row (newer id) is what was missed."""
    from minutes.documents import updates_after

    document, updates, ids = _stored_lines(live, 4)

    def text_of(missed: bytes) -> list[str]:
        replica = Doc()
        replica.apply_update(missed)
        return doc_text(replica).splitlines()

    assert updates_after(document.pk, ids[-1], ids[-1], frozenset()) == (ids[-1], None)  # nothing after
    latest, missed = updates_after(document.pk, ids[0], ids[2], frozenset({ids[1]}))
    assert latest == ids[-1] and text_of(missed) == []  # line 2 builds on line 1, which this replica lacks
    replica = Doc()
    for update in updates[:2]:
        replica.apply_update(update)
    replica.apply_update(missed)
    assert doc_text(replica).splitlines() == ["line 0", "line 1", "line 2"]  # only row 3 (line 2) was sent
    assert updates_after(document.pk, ids[0], ids[2], frozenset({ids[1], ids[2]})) == (ids[-1], None)
    document_compact(document_id=document.pk)
    latest, missed = updates_after(document.pk, ids[-1], ids[-1] + 10, frozenset())
    assert latest > ids[-1] and text_of(missed) == [f"line {n}" for n in range(4)]


async def _closed_with(peer, code: int) -> bool:
    """Drain frames until the server closes the socket; True if it closed with ``code``."""
    for _ in range(50):
        output = await peer.comm.receive_output(timeout=2)
        if output["type"] == "websocket.close":
            return output.get("code") == code
    return False


async def test_an_uninvited_partners_socket_is_closed_at_once(live):
    room = f"{live.meeting.pk}.{live.child.pk}.general"
    partner, ok, _ = await connect(live, "invited_yoi", room)
    editor, _, _ = await connect(live, "chair", room)
    assert ok
    from panels.models import MeetingInvitee

    invitation = MeetingInvitee.objects.filter(meeting=live.meeting, user=live.users["invited_yoi"])
    await database_sync_to_async(invitation.delete)()
    assert await _closed_with(partner, 4404)
    await editor.pump()
    await editor.type("Still editing.")  # the others carry on
    await editor.pump()
    assert "Still editing." in editor.text
    await editor.comm.disconnect()
    await partner.comm.wait()


async def test_a_deactivated_editor_is_closed_and_approval_closes_partners_sockets(live):
    room = f"{live.meeting.pk}.{live.child.pk}.general"
    coordinator, _, _ = await connect(live, "coordinator", room)
    partner, _, _ = await connect(live, "invited_partner", room)
    user = live.users["coordinator"]
    user.is_active = False
    await database_sync_to_async(user.save)()
    assert await _closed_with(coordinator, 4404)

    def approve():
        from minutes import services

        live.meeting.status = MeetingStatus.CLOSED
        live.meeting.save()
        services.minutes_approve(meeting=live.meeting, actor=live.users["chair"])

    await database_sync_to_async(approve)()
    assert await _closed_with(partner, 4404)  # partners now read the approved record, not the draft
    for peer in (coordinator, partner):
        await peer.comm.wait()


async def test_the_text_snapshot_follows_once_writes_pause_and_when_the_writer_leaves(live, monkeypatch):
    import asyncio

    from minutes.live import store

    monkeypatch.setattr(store, "SNAPSHOT_DELAY", 0.2)
    room = f"{live.meeting.pk}.{live.child.pk}.general"
    editor, _, _ = await connect(live, "chair", room)
    await editor.pump()
    await editor.type("Snapshot while still connected.")
    for _ in range(50):  # polled, not timed: the refresh comes after the pause
        await asyncio.sleep(0.1)
        document = await database_sync_to_async(MinuteDocument.objects.get)(meeting=live.meeting, child=live.child)
        if document.text:
            break
    assert document.text == "Snapshot while still connected."
    await editor.type("And on leaving.")
    await editor.comm.disconnect()
    document = await database_sync_to_async(MinuteDocument.objects.get)(meeting=live.meeting, child=live.child)
    assert document.text.splitlines() == ["Snapshot while still connected.", "And on leaving."]


async def test_an_update_stored_elsewhere_whose_relay_was_lost_reaches_everyone(live, monkeypatch):
    """Another worker stored an update and its relay never came (a worker killed, Redis restarted): the room's
    catch-up finds it in the store and sends it to every socket, once."""
    import asyncio

    from minutes.live import room as live_room

    monkeypatch.setattr(live_room, "CATCH_UP_SECONDS", 0.2)
    room, a, b = await _chair_and_coordinator(live)
    await a.type("Typed here.")
    await b.pump()
    elsewhere = Doc()
    elsewhere.apply_update(a.doc.get_update())
    updates = []
    elsewhere.observe(lambda event: updates.append(event.update))
    elsewhere.get("default", type=XmlFragment).children.append(XmlElement("paragraph", contents=[XmlText("Typed on "
                                                                                                        "worker 2.")]))
    document = await database_sync_to_async(MinuteDocument.objects.get)(meeting=live.meeting, child=live.child)
    await database_sync_to_async(MinuteUpdate.objects.create)(document=document, data=updates[0])
    for _ in range(50):  # polled, not timed
        await asyncio.sleep(0.1)
        await a.pump(timeout=0.05)
        await b.pump(timeout=0.05)
        if "Typed on worker 2." in a.text and "Typed on worker 2." in b.text:
            break
    assert a.text.splitlines() == b.text.splitlines() == ["Typed here.", "Typed on worker 2."]
    for peer in (a, b):
        assert await peer.comm.receive_nothing(timeout=0.5)  # sent once, not on every catch-up
        await peer.comm.disconnect()


def _awareness(client_id: int, clock: int, state: str) -> bytes:
    from pycrdt import write_message, write_var_uint

    body = write_var_uint(1) + write_var_uint(client_id) + write_var_uint(clock) + write_message(state.encode())
    return bytes([YMessageType.AWARENESS]) + write_message(body)


async def test_presence_is_relayed_once_and_a_joiner_is_told_who_is_here(live):
    """Awareness goes to the others, never back to the sender; a state re-sent by a client that received it (as
    y-websocket's provider does) is not relayed again; a socket that joins is told who is present."""
    from minutes.live.protocol import PRESENCE_PALETTE, presence_stamped

    room, a, b = await _chair_and_coordinator(live)
    sent = _awareness(1234, 1, '{"user":{"name":"Chair"}}')
    chair = live.users["chair"]  # the server names the sender itself, with a colour of its palette (issue 14)
    here = presence_stamped(sent, {"name": chair.get_full_name() or chair.username,
                                   "color": PRESENCE_PALETTE[chair.pk % len(PRESENCE_PALETTE)]})
    await a.comm.send_to(bytes_data=sent)
    assert await b.comm.receive_from(timeout=5) == here
    assert await a.comm.receive_nothing(timeout=0.3)  # no echo
    await b.comm.send_to(bytes_data=here)  # b's provider re-sends what it received
    assert await a.comm.receive_nothing(timeout=0.3)
    c, _, _ = await connect(live, "invited_partner", room)
    frames = []
    while not await c.comm.receive_nothing(timeout=0.3):
        frames.append(await c.comm.receive_from())
    assert here in frames
    for peer in (a, b, c):
        await peer.comm.disconnect()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker's own store connection is PostgreSQL's")
async def test_a_store_whose_connection_dies_relays_nothing_and_the_next_store_reconnects(live):
    """The worker stores over an asynchronous connection of its own. If PostgreSQL drops it mid-meeting, the batch
    being stored is neither stored nor relayed and its senders are closed with try-again (their clients resync and
    send it again); the next store opens a fresh connection, with prepared statements on."""
    from minutes.live.hub import worker_hub
    from minutes.live.protocol import CLOSE_TRY_AGAIN

    room, a, b = await _chair_and_coordinator(live)
    await a.type("Stored over the first connection.")
    await b.pump()
    store = worker_hub().store
    first = store.conn
    assert first is not None and first.prepare_threshold is not None  # Django's own connections never prepare

    def kill(pid):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

    await database_sync_to_async(kill)(first.info.backend_pid)
    await a.type("Lost with the connection.")
    assert (await a.comm.receive_output(timeout=5))["code"] == CLOSE_TRY_AGAIN
    await b.pump()
    assert "Lost with the connection." not in b.text  # nothing unstored was relayed
    texts = await database_sync_to_async(lambda: [doc_text(load_doc(d.pk)) for d in MinuteDocument.objects.filter(
        meeting=live.meeting, child=live.child, section="general")])()
    assert "Lost with the connection." not in texts[0]

    c, ok, _ = await connect(live, "chair", room)  # the chair's client reconnects and resends
    await c.pump()
    await c.type("Stored over a fresh connection.")
    await b.pump()
    assert "Stored over a fresh connection." in b.text
    assert store.conn is not None and store.conn is not first
    await b.comm.disconnect()
    await c.comm.disconnect()
