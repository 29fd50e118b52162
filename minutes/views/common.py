"""What the minutes pages share: the write gate for the live record, the agenda's child, an approved revision."""

from __future__ import annotations

from django.http import Http404

from minutes.access import minutes_editor
from minutes.models import MinutesRevision
from panels.models import Child
from panels.selectors import MeetingAccess, meeting_get_for_user

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def editable(request, meeting_id: int) -> MeetingAccess:
    """The meeting, if this user may write its minutes now; 404 otherwise."""
    access = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    if not minutes_editor(access):
        raise Http404("No such meeting")
    return access


def agenda_child(access: MeetingAccess, child_id) -> Child | None:
    """The child of one of the meeting's agenda items (None for the meeting's own business); 404 otherwise."""
    if not child_id:
        return None
    child = Child.objects.filter(pk=child_id, agenda_items__meeting=access.meeting).first()
    if child is None:
        raise Http404("No such item")
    return child


def approved_revision(request, meeting_id: int, number: int | None = None) -> tuple[MeetingAccess, MinutesRevision]:
    """The meeting (404 unless the user may see it) and one of its approved revisions (the latest by default)."""
    access = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    revisions = access.meeting.minutes_revisions.select_related("approved_by")
    revision = revisions.filter(number=number).first() if number else revisions.order_by("-number").first()
    if revision is None:
        raise Http404("No approved minutes")
    return access, revision
