"""Who may read and write which minutes (built on the need-to-know predicates of panels.permissions)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from agendas.models import AgendaItem
from panels import permissions
from panels.enums import MeetingStatus, Section
from panels.models import MeetingInvitee
from panels.selectors import MeetingAccess, current_establishments, meeting_get_for_user


@dataclass(frozen=True)
class DocumentAccess:
    meeting_access: MeetingAccess
    child_id: int | None
    section: str
    can_write: bool


def establishment_of(child_id: int) -> int | None:
    return current_establishments([child_id])[child_id]


def minutes_editor(access: MeetingAccess) -> bool:
    """Panel managers, and invitees the chair allowed to take minutes."""
    if access.can_manage:
        return True
    return MeetingInvitee.objects.filter(meeting=access.meeting, user_id=access.viewer.id,
                                         can_edit_minutes=True).exists()


def document_access(*, user, meeting_id: int, child_id: int | None, section: str) -> DocumentAccess:
    """Raise Http404 unless the user may read this minute; say whether they may write it now."""
    if section not in Section.values:
        raise Http404("No such section")
    access = meeting_get_for_user(user=user, meeting_id=meeting_id)
    viewer = access.viewer
    if not access.can_manage and access.meeting.minutes_revisions.exists():
        raise Http404("No such minute")  # once approved, others read the approved record, never the draft
    service_id = access.meeting.panel.service_id
    if section not in permissions.readable_sections(viewer, service_id=service_id):
        raise Http404("No such minute")
    if child_id is not None:
        on_agenda = AgendaItem.objects.filter(meeting=access.meeting, child_id=child_id,
                                              state=AgendaItem.State.LISTED).exists()
        if not on_agenda or not permissions.can_view_child_in_meeting(
            viewer, service_id=service_id, establishment_id=establishment_of(child_id), can_view_meeting=True,
            child_id=child_id,
        ):
            raise Http404("No such minute")
    return DocumentAccess(access, child_id, section, can_write_minutes(access))


def can_write_minutes(access: MeetingAccess) -> bool:
    """While the meeting is open, its minute-takers; once closed, only its chair and coordinator (tidying
    before approval, or amending after it, which needs a new revision)."""
    status = access.meeting.status
    if status == MeetingStatus.IN_PROGRESS:
        return minutes_editor(access)
    return status == MeetingStatus.CLOSED and access.can_manage
