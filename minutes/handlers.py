"""Close live-minutes sockets whose access has gone: an invitation or membership removed, a user
deactivated or moved to another agency, minutes approved (others then read only the approved record), the
meeting's status changed (closing it leaves only its chair and coordinator writing).

Each open socket of the user is asked to check its access again (``access.recheck``); it closes itself
if the user may no longer read its room, and stops accepting edits if they may no longer write.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from panels.events import event_subscribe
from panels.models import MeetingInvitee, PanelMembership, User


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


def _meeting_status_changed(name: str, payload: dict[str, Any]) -> None:
    meeting_recheck(payload["meeting_id"])


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


def _invitation_changed(sender, instance: MeetingInvitee, **kwargs: Any) -> None:
    access_recheck([instance.user_id])


def _membership_changed(sender, instance: PanelMembership, **kwargs: Any) -> None:
    access_recheck([instance.user_id])


def _user_saved(sender, instance: User, created: bool, update_fields=None, **kwargs: Any) -> None:
    if not created and set(update_fields or ()) != {"last_login"}:  # not on every sign-in
        access_recheck([instance.pk])


def _minutes_approved(name: str, payload: dict[str, Any]) -> None:
    meeting_id = payload["meeting_id"]
    invited = MeetingInvitee.objects.filter(meeting_id=meeting_id).values_list("user_id", flat=True)
    members = PanelMembership.objects.filter(panel__meetings=meeting_id).values_list("user_id", flat=True)
    access_recheck([*invited, *members])


def connect() -> None:
    post_delete.connect(_invitation_changed, sender=MeetingInvitee, dispatch_uid="minutes.invitation_deleted")
    post_save.connect(_invitation_changed, sender=MeetingInvitee, dispatch_uid="minutes.invitation_saved")
    post_delete.connect(_membership_changed, sender=PanelMembership, dispatch_uid="minutes.membership_deleted")
    post_save.connect(_membership_changed, sender=PanelMembership, dispatch_uid="minutes.membership_saved")
    post_save.connect(_user_saved, sender=User, dispatch_uid="minutes.user_saved")
    event_subscribe("minutes.approved", _minutes_approved)
    for status in ("in_progress", "closed", "cancelled", "scheduled"):  # who may write changes with the status
        event_subscribe(f"panels.meeting.{status}", _meeting_status_changed)
