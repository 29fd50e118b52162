"""The events ``minutes`` emits (the bus: ``panels.events``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from panels.events import Event


@dataclass(frozen=True)
class RecordChanged(Event):
    """A structured record changed (attendance, a decision, an action, a next review...): one row of the
    meeting's event log, of ``kind`` such as ``action.created``; ``record_id`` the record's id."""

    NAME: ClassVar[str] = "minutes.event"
    meeting_id: int
    kind: str
    status: str
    record_id: int | None = None


@dataclass(frozen=True)
class FocusMoved(Event):
    """The chair moved the cockpit to another item."""

    NAME: ClassVar[str] = "minutes.focus"
    meeting_id: int
    status: str


@dataclass(frozen=True)
class MinutesApproved(Event):
    NAME: ClassVar[str] = "minutes.approved"
    meeting_id: int
    status: str
    revision: int
