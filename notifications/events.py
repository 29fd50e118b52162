"""The events ``notifications`` emits (the bus: ``panels.events``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from panels.events import Event


@dataclass(frozen=True)
class DelegationRequested(Event):
    """An invitee named a deputy from another agency: the chair or coordinator decides."""

    NAME: ClassVar[str] = "notifications.delegation.requested"
    meeting_id: int
    delegation_id: int
