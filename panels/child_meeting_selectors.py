"""Reads for the child's statutory meetings (issue 16, point 2).

Callers reach the child through ``panels.selectors.child_get_for_user`` (need to know) first; these functions
take the child they are given and never widen who sees what. A meeting is found only through its child.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from panels.enums import ChildMeetingStatus
from panels.models import Child, ChildMeeting, ChildMeetingParticipant


def _with_people(qs: QuerySet[ChildMeeting]) -> QuerySet[ChildMeeting]:
    return qs.prefetch_related(Prefetch("participants", queryset=ChildMeetingParticipant.objects.select_related(
        "member", "user").order_by("name", "id")))


def child_meetings_for(*, child: Child, with_people: bool = True) -> list[ChildMeeting]:
    """The child's statutory meetings, latest first, with their participants (two queries; one without)."""
    qs = ChildMeeting.objects.filter(child=child)
    return list((_with_people(qs) if with_people else qs).order_by("-starts_at", "-id"))


def child_meeting_get(*, child: Child, meeting_id: int) -> ChildMeeting:
    meeting = _with_people(ChildMeeting.objects.filter(child=child, pk=meeting_id)).first()
    if meeting is None:
        raise Http404("No such meeting")
    meeting.child = child  # already loaded with its episodes
    return meeting


def child_meeting_child_id(*, meeting_id: int) -> int:
    """Whose meeting this is (the caller then checks the viewer may see that child)."""
    found = ChildMeeting.objects.filter(pk=meeting_id).values_list("child_id", flat=True).first()
    if found is None:
        raise Http404("No such meeting")
    return found


@dataclass
class MeetingsOverview:
    meetings: list[ChildMeeting]
    due: list[dict] = field(default_factory=list)  # the rules' meeting codes: code, title, due, kind, overdue

    @property
    def planned(self) -> list[ChildMeeting]:
        return sorted((m for m in self.meetings if m.status == ChildMeetingStatus.PLANNED),
                      key=lambda m: m.starts_at)

    @property
    def overdue(self) -> list[dict]:
        return [d for d in self.due if d["overdue"]]

    def planned_for(self, kind: str) -> ChildMeeting | None:
        return next((m for m in self.planned if m.kind == kind), None)


def meetings_overview(*, child: Child, due: list[dict], with_people: bool = False) -> MeetingsOverview:
    return MeetingsOverview(meetings=child_meetings_for(child=child, with_people=with_people), due=due)
