"""Who may read and write which minutes (built on the need-to-know predicates of panels.permissions)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from agendas.models import AgendaItem
from panels import permissions
from panels.enums import MeetingStatus, Section
from panels.models import LegalEpisode, MeetingInvitee
from panels.selectors import MeetingAccess, meeting_get_for_user

WRITABLE_STATUSES = (MeetingStatus.IN_PROGRESS,)


@dataclass(frozen=True)
class DocumentAccess:
    meeting_access: MeetingAccess
    child_id: int | None
    section: str
    can_write: bool


def establishment_of(child_id: int) -> int | None:
    rows = dict(LegalEpisode.objects.filter(child_id=child_id, is_current=True, establishment__isnull=False)
                .values_list("kind", "establishment_id"))
    return rows.get("sentence") or rows.get("remand")


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
    service_id = access.meeting.panel.service_id
    if section not in permissions.readable_sections(viewer, service_id=service_id):
        raise Http404("No such minute")
    if child_id is not None:
        on_agenda = AgendaItem.objects.filter(meeting=access.meeting, child_id=child_id,
                                              state=AgendaItem.State.LISTED).exists()
        if not on_agenda or not permissions.can_view_child_in_meeting(
            viewer, service_id=service_id, establishment_id=establishment_of(child_id), can_view_meeting=True
        ):
            raise Http404("No such minute")
    can_write = access.meeting.status in WRITABLE_STATUSES and minutes_editor(access)
    return DocumentAccess(access, child_id, section, can_write)
