"""The live-minutes protocol module (``minutes.live.protocol``): pure, so tested without sockets or a database."""

from __future__ import annotations

import json

import pytest
from pycrdt import Doc, Text, YMessageType, YSyncMessageType, write_message

from minutes.live.protocol import (
    PRESENCE_PALETTE,
    ProtocolError,
    awareness_entries,
    awareness_frame,
    parse_room,
    presence_identity,
    presence_stamped,
    sync_kind,
    sync_update,
)


def test_a_room_names_meeting_child_and_section():
    assert parse_room("12.34.general") == (12, 34, "general")


def test_a_room_of_the_meetings_own_business_has_no_child():
    assert parse_room("12.meeting.general") == (12, None, "general")


@pytest.mark.parametrize("room", ["12.general", "x.34.general", "12.34.general.extra", ""])
def test_a_room_name_that_is_not_one_is_refused(room):
    with pytest.raises(ValueError):
        parse_room(room)


def _update() -> bytes:
    doc: Doc = Doc()
    doc["text"] = text = Text()
    text += "hello"
    return doc.get_update()


def test_an_update_frame_gives_its_update():
    update = _update()
    frame = bytes([YMessageType.SYNC, YSyncMessageType.SYNC_UPDATE]) + write_message(update)
    assert sync_update(frame) == update


def test_a_malformed_update_is_refused():
    frame = bytes([YMessageType.SYNC, YSyncMessageType.SYNC_UPDATE]) + write_message(b"\xff\xff\xff")
    with pytest.raises(ProtocolError):
        sync_update(frame)


@pytest.mark.parametrize("frame", [bytes([YMessageType.SYNC]), bytes([YMessageType.SYNC, 9])])
def test_a_sync_frame_of_no_known_kind_is_refused(frame):
    with pytest.raises(ProtocolError):
        sync_kind(frame)


def test_awareness_frames_read_back_what_was_written():
    entries = [(1, 3, b'{"a":1}'), (300, 70000, b"null")]
    assert awareness_entries(awareness_frame(entries)) == entries


def test_a_malformed_awareness_frame_is_refused():
    with pytest.raises(ProtocolError):
        awareness_entries(bytes([YMessageType.AWARENESS, 5, 1]))


def test_presence_is_stamped_with_the_servers_name_and_colour():
    sent = awareness_frame([(7, 1, json.dumps({"user": {"name": "Not me", "color": "red;x"}, "cursor": 4}).encode())])
    identity = presence_identity(user_id=3, name="Chair Person")
    [(_, _, state)] = awareness_entries(presence_stamped(sent, identity) or b"")
    assert json.loads(state) == {"user": {"name": "Chair Person", "color": PRESENCE_PALETTE[3]}, "cursor": 4}


def test_a_departure_is_stamped_as_it_is():
    sent = awareness_frame([(7, 2, b"null")])
    assert presence_stamped(sent, presence_identity(user_id=3, name="Chair")) == sent


def test_presence_that_is_not_a_json_object_is_dropped():
    assert presence_stamped(awareness_frame([(7, 1, b"[1]")]), {"name": "x", "color": "y"}) is None


def test_a_presence_name_is_cut_to_its_limit():
    assert len(presence_identity(user_id=1, name="x" * 500)["name"]) == 100
