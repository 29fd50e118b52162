"""Subscribers to the domain events of the apps on the left.

Live pages hear of changes after commit. Calendar invites are reconciled *in* the change's transaction
(notifications.invites), so their outbox messages commit with it or not at all.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from panels.events import ChildMeetingChanged, Event, event_meeting, event_subscribe
from panels.page_parts import child_page_part, meeting_page_part


def meeting_group(meeting_id: int) -> str:
    return f"meeting.{meeting_id}"


def broadcast_meeting_event(name: str, event: Event) -> None:
    """Tell every open meeting page that something changed (notify, then the page pulls)."""
    meeting_id, status = event_meeting(event)
    layer = get_channel_layer()
    if meeting_id is None or layer is None:
        return
    async_to_sync(layer.group_send)(
        meeting_group(meeting_id), {"type": "meeting.event", "event": name, "status": status}
    )


def connect() -> None:
    from agendas.events import AgendaPublished
    from minutes.events import MinutesApproved, RecordChanged
    from notifications.invites import SYNC_EVENTS, on_meeting_changed

    event_subscribe("*", broadcast_meeting_event)
    from notifications import notices

    for name in sorted(SYNC_EVENTS):
        event_subscribe(name, on_meeting_changed, in_transaction=True)
    from notifications.child_invites import calendar_states_part, on_child_meeting_changed
    from panels.page_parts import child_meeting_page_part

    event_subscribe(ChildMeetingChanged.NAME, on_child_meeting_changed, in_transaction=True)
    child_meeting_page_part(calendar_states_part)
    event_subscribe(AgendaPublished.NAME, notices.agenda_published, in_transaction=True)
    event_subscribe(MinutesApproved.NAME, notices.minutes_approved, in_transaction=True)
    event_subscribe(RecordChanged.NAME, notices.action_assigned, in_transaction=True)
    from notifications.inbox import EVENTS, inbox_notify

    for name in EVENTS:  # the chair's inbox: referrals, correction and due-date requests (notifications/inbox.py)
        event_subscribe(name, inbox_notify, in_transaction=True)
    meeting_page_part(delegation_requests_part)
    child_page_part(escalations_part)


def delegation_requests_part(*, meeting, access, user) -> dict[str, Any]:
    """The meeting page lists deputies waiting for the chair's or coordinator's decision."""
    from notifications.rsvp import delegation_requests_for_meeting

    return {"delegation_requests": delegation_requests_for_meeting(meeting) if access.can_manage else []}


def escalations_part(*, child, record, today) -> dict[str, Any]:
    """The child page shows every step of the escalation of missed statutory timescales ("escalated to …")."""
    from notifications.selectors import escalations_for_child

    return {"escalations": escalations_for_child(child_id=child.pk)}
