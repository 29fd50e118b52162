"""Agendas react to panel events: keep agendas current and close referrals once heard."""

from __future__ import annotations

import logging

from django.utils import timezone

from panels.events import (
    MEETING_IN_PROGRESS,
    ChildMeetingRecorded,
    CohortImported,
    Event,
    MeetingCreated,
    MeetingStatusChanged,
    MeetingUpdated,
    ReleaseChanged,
    TransferDecided,
    event_subscribe,
)

logger = logging.getLogger(__name__)


def rebuild_after_import(name: str, event: Event) -> None:
    from agendas.services import agendas_rebuild_upcoming
    from panels.models import Panel

    assert isinstance(event, CohortImported)
    for panel in Panel.objects.filter(service_id=event.service_id, is_active=True):
        agendas_rebuild_upcoming(panel=panel)


def refresh_after_child_change(name: str, event: Event) -> None:
    """One child's record changed: only the agendas where that child's item changes are rebuilt."""
    import agendas.services

    assert isinstance(event, TransferDecided | ChildMeetingRecorded | ReleaseChanged)
    agendas.services.agendas_refresh_child(service_id=event.service_id, child_id=event.child_id)


def oversight_rows_after_change(name: str, event: Event) -> None:
    """A change the oversight reports read: their rows are computed again in the background (after the commit)."""
    from agendas.oversight.snapshots import oversight_rows_request

    assert isinstance(event, CohortImported | TransferDecided | ChildMeetingRecorded | ReleaseChanged)
    oversight_rows_request(service_id=event.service_id)


def build_new_meeting(name: str, event: Event) -> None:
    from agendas.services import agenda_build
    from panels.models import Meeting

    assert isinstance(event, MeetingCreated)
    meeting = Meeting.objects.select_related("panel").get(pk=event.meeting_id)
    if meeting.local_date >= timezone.localdate():
        agenda_build(meeting=meeting)


def close_heard_referrals(name: str, event: Event) -> None:
    from agendas.services import referrals_close_heard

    assert isinstance(event, MeetingStatusChanged)
    referrals_close_heard(meeting_id=event.meeting_id, panel_id=event.panel_id)


def slots_follow_meeting(name: str, event: Event) -> None:
    """A moved meeting takes its slots with it (in the move's transaction; agendas subscribes before
    notifications, so the invites that follow carry the slots' new times)."""
    from agendas.services import slots_move_with_meeting

    assert isinstance(event, MeetingUpdated)
    if event.moved_from is not None:
        slots_move_with_meeting(meeting_id=event.meeting_id, moved_from=event.moved_from)


def connect() -> None:
    from agendas.child_parts import release_part
    from agendas.selectors import child_page_meetings_due
    from panels.page_parts import child_page_part

    child_page_part(child_page_meetings_due)
    child_page_part(release_part)
    from agendas.oversight.snapshots import JOB_KIND, oversight_rows_build, oversight_rows_fail_stuck
    from panels.jobs import job_kind_register

    job_kind_register(JOB_KIND, oversight_rows_build, fail_stuck=oversight_rows_fail_stuck)
    from agendas.oversight import board_files

    job_kind_register(board_files.JOB_KIND, board_files.board_file_build, fail_stuck=board_files.board_files_fail_stuck)
    event_subscribe(MeetingUpdated.NAME, slots_follow_meeting, in_transaction=True)
    event_subscribe(CohortImported.NAME, rebuild_after_import)
    event_subscribe(TransferDecided.NAME, refresh_after_child_change)  # the resettlement record's Y2A decision
    event_subscribe(ChildMeetingRecorded.NAME, refresh_after_child_change)  # a statutory meeting held (v2 §7)
    event_subscribe(ReleaseChanged.NAME, refresh_after_child_change)  # release address status, ETE interview
    for changed in (CohortImported, TransferDecided, ChildMeetingRecorded, ReleaseChanged):
        event_subscribe(changed.NAME, oversight_rows_after_change)  # the rows of the oversight reports
    event_subscribe(MeetingCreated.NAME, build_new_meeting)
    event_subscribe(MEETING_IN_PROGRESS, close_heard_referrals)
