"""Agendas react to panel events: keep agendas current and close referrals once heard."""

from __future__ import annotations

import logging
from typing import Any

from django.utils import timezone

from panels.events import event_subscribe

logger = logging.getLogger(__name__)


def rebuild_after_import(name: str, payload: dict[str, Any]) -> None:
    from agendas.services import agendas_rebuild_upcoming
    from panels.models import Panel

    for panel in Panel.objects.filter(service_id=payload["service_id"], is_active=True):
        agendas_rebuild_upcoming(panel=panel)


def build_new_meeting(name: str, payload: dict[str, Any]) -> None:
    from agendas.services import agenda_build
    from panels.models import Meeting

    meeting = Meeting.objects.select_related("panel").get(pk=payload["meeting_id"])
    if meeting.local_date >= timezone.localdate():
        agenda_build(meeting=meeting)


def close_heard_referrals(name: str, payload: dict[str, Any]) -> None:
    from agendas.models import AgendaItem, Referral

    meeting_id = payload["meeting_id"]
    heard = AgendaItem.objects.filter(meeting_id=meeting_id, state=AgendaItem.State.LISTED).values("child_id")
    Referral.objects.filter(
        panel_id=payload["panel_id"], status=Referral.Status.ACCEPTED, discussed_at__isnull=True, child_id__in=heard
    ).update(discussed_at_id=meeting_id)


def slots_follow_meeting(name: str, payload: dict[str, Any]) -> None:
    """A moved meeting takes its slots with it (in the move's transaction; agendas subscribes before
    notifications, so the invites that follow carry the slots' new times)."""
    from datetime import datetime

    from agendas.services import slots_move_with_meeting

    if payload.get("moved_from"):
        slots_move_with_meeting(meeting_id=payload["meeting_id"],
                                moved_from=datetime.fromisoformat(payload["moved_from"]))


def connect() -> None:
    from agendas.child_parts import release_part
    from panels.page_parts import child_page_part

    child_page_part(release_part)
    event_subscribe("panels.meeting.updated", slots_follow_meeting, in_transaction=True)
    event_subscribe("panels.cohort.imported", rebuild_after_import)
    event_subscribe("panels.child.transfer_decided", rebuild_after_import)  # the resettlement record's Y2A decision
    event_subscribe("panels.child.release_changed", rebuild_after_import)  # release address status, ETE interview
    event_subscribe("panels.meeting.created", build_new_meeting)
    event_subscribe("panels.meeting.in_progress", close_heard_referrals)
