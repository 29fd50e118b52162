"""The y-websocket protocol as the live-minutes server speaks it: room names, the frames it reads and writes,
awareness (presence) frames, close codes. Pure: no database, no sockets, no clock.

A frame is one websocket message: its first byte is the message type (``YMessageType``: sync or awareness).
A sync frame's second byte is its kind (step 1: "here is my state vector", step 2 and update: "here are
updates"); awareness frames carry, per Yjs client, a clock and a JSON state.
"""

from __future__ import annotations

import json
from urllib.parse import unquote

from pycrdt import (
    Decoder,
    YMessageType,
    YSyncMessageType,
    get_state,
    read_message,
    write_message,
)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_BIG = 1009
CLOSE_UNSUPPORTED = 1003  # a malformed sync message
CLOSE_TRY_AGAIN = 1013  # a reconnecting client resyncs from the store
MAX_FRAME_BYTES = 512 * 1024
EMPTY_UPDATE = b"\x00\x00"
# Presence colours: a fixed palette (GOV.UK colours with enough contrast on white); the server picks one per user,
# so nothing a client sends reaches a style attribute.
# GOV.UK colours that white text (a cursor's name label) reads on at 4.5:1 or more (WCAG 1.4.3): no orange,
# turquoise or light blue, which axe found too pale under a name
PRESENCE_PALETTE = ("#1d70b8", "#00703c", "#d4351c", "#4c2c92", "#912b88", "#003078", "#505a5f", "#942514")
PRESENCE_NAME_CHARS = 100

SYNC = YMessageType.SYNC
AWARENESS = YMessageType.AWARENESS
SYNC_STEP1 = YSyncMessageType.SYNC_STEP1
SYNC_STEP2 = YSyncMessageType.SYNC_STEP2
SYNC_UPDATE = YSyncMessageType.SYNC_UPDATE

AwarenessEntry = tuple[int, int, bytes]  # Yjs client id, clock, JSON state (b"" or b"null": the client left)


class ProtocolError(ValueError):
    """A malformed frame: the socket that sent it is closed (``CLOSE_UNSUPPORTED``) and nothing is stored."""


def parse_room(room: str) -> tuple[int, int | None, str]:
    """``<meeting id>.<child id | meeting>.<section>``; ValueError when it is not that."""
    meeting, item, section = unquote(room).split(".")
    return int(meeting), (None if item == "meeting" else int(item)), section


def sync_kind(frame: bytes) -> int:
    """The kind of a sync frame (step 1, step 2 or update); ProtocolError for any other."""
    kind = frame[1] if len(frame) > 1 else None
    if kind not in (SYNC_STEP1, SYNC_STEP2, SYNC_UPDATE):
        raise ProtocolError(f"unknown sync message {kind!r}")
    return kind


def sync_update(frame: bytes) -> bytes:
    """The update a step-2 or update frame carries, decoded once so that a malformed one is refused here and
    never stored."""
    try:
        update = read_message(frame[2:])
        get_state(update)
    except Exception as exc:
        raise ProtocolError(type(exc).__name__) from exc
    return update


def sync_step1(state: bytes) -> bytes:
    """Ask a client for what it has that the server lacks: the server's state vector."""
    return bytes([SYNC, SYNC_STEP1]) + write_message(get_state(state))


def sync_step2(state: bytes) -> bytes:
    """Send a client everything the server has."""
    return bytes([SYNC, SYNC_STEP2]) + write_message(state)


def var_uint(number: int) -> bytes:
    out = bytearray()
    while number > 127:
        out.append(number & 127 | 128)
        number >>= 7
    out.append(number)
    return bytes(out)


def awareness_entries(frame: bytes) -> list[AwarenessEntry]:
    """The entries of an awareness frame; ProtocolError when malformed."""
    try:
        decoder = Decoder(read_message(frame[1:]))
        count = decoder.read_var_uint()
        return [(decoder.read_var_uint(), decoder.read_var_uint(), decoder.read_message() or b"")
                for _ in range(count)]
    except Exception as exc:
        raise ProtocolError(type(exc).__name__) from exc


def awareness_frame(entries: list[AwarenessEntry]) -> bytes:
    body = var_uint(len(entries)) + b"".join(
        var_uint(client) + var_uint(clock) + write_message(state) for client, clock, state in entries)
    return bytes([AWARENESS]) + write_message(body)


def is_gone(state: bytes) -> bool:
    """A client's state that says it left."""
    return state in (b"", b"null")


def presence_identity(*, user_id: int, name: str) -> dict[str, str]:
    """The name and colour the server shows for a user's presence, whatever their client claims."""
    return {"name": name[:PRESENCE_NAME_CHARS], "color": PRESENCE_PALETTE[user_id % len(PRESENCE_PALETTE)]}


def presence_stamped(frame: bytes, user: dict) -> bytes | None:
    """An awareness frame with every state's ``user`` replaced by the server's name and colour for the socket's
    user (issue 14: a client cannot spoof a name or put CSS in a colour). None when malformed."""
    try:
        entries = awareness_entries(frame)
    except ProtocolError:
        return None
    stamped = []
    for client, clock, state in entries:
        if not is_gone(state):
            try:
                data = json.loads(state)
            except ValueError:
                return None
            if not isinstance(data, dict):
                return None
            data["user"] = dict(user)
            state = json.dumps(data, separators=(",", ":")).encode()
        stamped.append((client, clock, state))
    return awareness_frame(stamped)
