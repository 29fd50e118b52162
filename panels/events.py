"""Domain events: the bus, and the catalogue of the events ``panels`` emits.

Every event is a frozen dataclass with its name as a constant (``NAME``); each app keeps its own catalogue
(``panels/events.py``, ``agendas/events.py``, ``minutes/events.py``, ``notifications/events.py``), so every
event has one findable definition and one or more findable emitters (grep the class name).

Apps to the left emit (``event_emit(SomeEvent(...))``); apps to the right subscribe with
``event_subscribe(SomeEvent.NAME, handler)``; a handler is called as ``handler(name, event)`` with the
event object. Emission inside a transaction is deferred until it commits, so nobody hears of a change
that was rolled back.

A subscriber that must write in the *same* transaction as the change (the outbox: a message is
recorded with the change that causes it, or not at all) subscribes with ``in_transaction=True``: it
is called at once, and if it raises, the change is rolled back with it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """The base of every event. Subscribers to every event (live pages) read ``meeting_id`` and ``status``
    where an event has them (``event_meeting``)."""

    NAME: ClassVar[str] = ""

    @property
    def name(self) -> str:
        return self.NAME


def event_meeting(event: Event) -> tuple[int | None, str | None]:
    """The meeting an event is about and its status then, (None, None) when it is about none."""
    return getattr(event, "meeting_id", None), getattr(event, "status", None)


Handler = Callable[[str, Event], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)
_in_transaction: dict[str, list[Handler]] = defaultdict(list)


def event_subscribe(name: str, handler: Handler, *, in_transaction: bool = False) -> None:
    """Register ``handler`` for event ``name`` (an event class's ``NAME``; "*" for every event). Idempotent."""
    registry = _in_transaction if in_transaction else _handlers
    if handler not in registry[name]:
        registry[name].append(handler)


def event_emit(event: Event) -> None:
    name = event.name
    assert name, f"{type(event).__name__} has no name"
    for handler in [*_in_transaction.get(name, ()), *_in_transaction.get("*", ())]:
        handler(name, event)  # errors propagate: the caller's transaction rolls back

    def deliver() -> None:
        for handler in [*_handlers.get(name, ()), *_handlers.get("*", ())]:
            try:
                handler(name, event)
            except Exception:  # one failing subscriber must not break the others
                logger.exception("event handler %r failed for %s", handler, name)

    transaction.on_commit(deliver)


# --- the catalogue of panels ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MeetingEventBase(Event):
    """An event about one meeting: its id, panel and status after the change."""

    meeting_id: int
    panel_id: int
    status: str


@dataclass(frozen=True)
class MeetingCreated(MeetingEventBase):
    NAME: ClassVar[str] = "panels.meeting.created"


@dataclass(frozen=True)
class MeetingUpdated(MeetingEventBase):
    """Its time or place changed (``moved_from``: where it started before, when it moved)."""

    NAME: ClassVar[str] = "panels.meeting.updated"
    actor_id: int | None = None
    moved_from: datetime | None = None


@dataclass(frozen=True)
class MeetingStatusChanged(MeetingEventBase):
    """A meeting left ``previous`` for ``status``; one event name per status it reaches (below)."""

    previous: str = ""
    actor_id: int | None = None
    reason: str = ""

    @property
    def name(self) -> str:
        return MEETING_STATUS_EVENTS[self.status]


MEETING_SCHEDULED = "panels.meeting.scheduled"
MEETING_IN_PROGRESS = "panels.meeting.in_progress"
MEETING_CLOSED = "panels.meeting.closed"
MEETING_CANCELLED = "panels.meeting.cancelled"
MEETING_DRAFT = "panels.meeting.draft"
# The status a meeting reaches → the event that says so (panels.services._transition emits them).
MEETING_STATUS_EVENTS = {
    "scheduled": MEETING_SCHEDULED, "in_progress": MEETING_IN_PROGRESS, "closed": MEETING_CLOSED,
    "cancelled": MEETING_CANCELLED, "draft": MEETING_DRAFT,
}


@dataclass(frozen=True)
class InviteesChanged(MeetingEventBase):
    """Someone was invited to the meeting or their invitation was withdrawn (calendars follow)."""

    NAME: ClassVar[str] = "panels.meeting.invitees_changed"


@dataclass(frozen=True)
class AccessChanged(Event):
    """What these users may see may have changed: an invitation (to a meeting or a child's slot) given or
    withdrawn, a panel membership added, changed or removed, a user deactivated, reactivated or moved. Emitted
    by the services that make those changes (``panels.services``, ``panels.accounts``, ``agendas.services``, and
    the admin through ``panels.services.membership_*`` / ``user_access_changed``); the live-minutes sockets of
    these users check their access again (``minutes/handlers.py``)."""

    NAME: ClassVar[str] = "panels.access.changed"
    user_ids: tuple[int, ...]
    why: str = ""


def access_changed(user_ids, *, why: str = "") -> None:
    """Emit ``AccessChanged`` for these users (None and duplicates dropped; nothing when nobody is left)."""
    ids = tuple(sorted({pk for pk in user_ids if pk is not None}))
    if ids:
        event_emit(AccessChanged(user_ids=ids, why=why))


@dataclass(frozen=True)
class CohortImported(Event):
    NAME: ClassVar[str] = "panels.cohort.imported"
    service_id: int
    import_id: int


@dataclass(frozen=True)
class ChildMeetingChanged(Event):
    """A child's statutory meeting was planned, changed, recorded as held, cancelled or did not take place
    (``action``); its invitees' calendars follow (notifications.child_invites)."""

    NAME: ClassVar[str] = "panels.child_meeting.changed"
    child_meeting_id: int
    action: str


@dataclass(frozen=True)
class ChildMeetingRecorded(Event):
    """Recording a statutory meeting as held (or undoing it) changed the child's ``field`` (a ``*_held_on`` date
    the agenda rules read): the agendas are rebuilt, as after an import (agenda rules v2 §7)."""

    NAME: ClassVar[str] = "panels.child.meeting_recorded"
    service_id: int
    child_id: int
    field: str


@dataclass(frozen=True)
class ReleaseChanged(Event):
    """The child's release address status or ETE interview date changed (``panels.release_services``): the agenda
    rules read both (``RS_ACCOMMODATION``, ``ED_RELEASE_ETE``), so the agendas are rebuilt."""

    NAME: ClassVar[str] = "panels.child.release_changed"
    service_id: int
    child_id: int


@dataclass(frozen=True)
class TransferDecided(Event):
    """The resettlement record's decision on a transfer to the adult estate (Y2A)."""

    NAME: ClassVar[str] = "panels.child.transfer_decided"
    service_id: int
    child_id: int
