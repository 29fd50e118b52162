"""The events ``agendas`` emits (the bus: ``panels.events``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from panels.events import Event


@dataclass(frozen=True)
class AgendaRebuilt(Event):
    NAME: ClassVar[str] = "agendas.agenda.rebuilt"
    meeting_id: int
    status: str


@dataclass(frozen=True)
class AgendaPublished(Event):
    NAME: ClassVar[str] = "agendas.agenda.published"
    meeting_id: int
    status: str
    version: int


@dataclass(frozen=True)
class ItemUpdated(Event):
    """One agenda item's slot, presenter or note changed (``version``: the item's new version)."""

    NAME: ClassVar[str] = "agendas.item.updated"
    meeting_id: int
    item_id: int
    version: int


@dataclass(frozen=True)
class SlotsAssigned(Event):
    NAME: ClassVar[str] = "agendas.slots.assigned"
    meeting_id: int
    status: str


@dataclass(frozen=True)
class ItemInvitationsChanged(Event):
    """Someone was invited for one child's item, or that invitation withdrawn."""

    NAME: ClassVar[str] = "agendas.item.invitations_changed"
    meeting_id: int
    status: str


@dataclass(frozen=True)
class ReferralCreated(Event):
    NAME: ClassVar[str] = "agendas.referral.created"
    referral_id: int
    panel_id: int


@dataclass(frozen=True)
class ReferralDecided(Event):
    NAME: ClassVar[str] = "agendas.referral.decided"
    referral_id: int
    panel_id: int
    status: str
