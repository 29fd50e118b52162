"""Close live-minutes sockets whose access has gone: an invitation or membership removed, a user
deactivated or moved to another agency, minutes approved (others then read only the approved record), the
meeting's status changed (closing it leaves only its chair and coordinator writing).

Each open socket of the user is asked to check its access again (``access.recheck``); it closes itself
if the user may no longer read its room, and stops accepting edits if they may no longer write.

The changes arrive as events, never as model signals (a bulk ``update()`` or ``bulk_create`` sends none): the
services that change invitations, memberships and users emit ``panels.events.AccessChanged``.
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from minutes.events import MinutesApproved
from panels.events import MEETING_STATUS_EVENTS, AccessChanged, Event, MeetingStatusChanged, event_subscribe
from panels.models import MeetingInvitee, PanelMembership


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def meeting_group(meeting_id: int) -> str:
    """Every live-minutes socket of one meeting (closing the meeting rechecks them all, issue 14)."""
    return f"minutes.meeting.{meeting_id}"


def meeting_recheck(meeting_id: int) -> None:
    """After commit, ask every live socket of the meeting to check its access (and write rights) again."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(meeting_group(meeting_id), {"type": "access.recheck"})

    transaction.on_commit(send)


def _meeting_status_changed(name: str, event: Event) -> None:
    assert isinstance(event, MeetingStatusChanged)
    meeting_recheck(event.meeting_id)


def access_recheck(user_ids) -> None:
    """After commit, ask every live socket of these users to check its access again."""
    ids = sorted({pk for pk in user_ids if pk is not None})
    if not ids:
        return

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        for user_id in ids:
            async_to_sync(layer.group_send)(user_group(user_id), {"type": "access.recheck"})

    transaction.on_commit(send)


def _access_changed(name: str, event: Event) -> None:
    assert isinstance(event, AccessChanged)
    access_recheck(event.user_ids)


def _minutes_approved(name: str, event: Event) -> None:
    assert isinstance(event, MinutesApproved)
    meeting_id = event.meeting_id
    invited = MeetingInvitee.objects.filter(meeting_id=meeting_id).values_list("user_id", flat=True)
    members = PanelMembership.objects.filter(panel__meetings=meeting_id).values_list("user_id", flat=True)
    access_recheck([*invited, *members])


def connect() -> None:
    event_subscribe(AccessChanged.NAME, _access_changed)
    event_subscribe(MinutesApproved.NAME, _minutes_approved)
    for status in ("in_progress", "closed", "cancelled", "scheduled"):  # who may write changes with the status
        event_subscribe(MEETING_STATUS_EVENTS[status], _meeting_status_changed)
