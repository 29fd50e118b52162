"""Which of a meeting's steps need the chair to confirm first, and what the confirmation page says.

Asked for: opening a meeting before its start, closing it before its end, cancelling it, moving it into the
past, and withdrawing someone's invitation once invitations have gone (they are sent a cancellation). Each
function answers ``None`` when the step needs no confirmation. Times are passed in (no clock here).
"""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from panels.confirmation import Confirmation, ahead
from panels.enums import MeetingStatus


def _when(value: datetime) -> str:
    local = timezone.localtime(value)
    return f"{local:%H:%M} on {local:%a} {local.day} {local:%b %Y}"


def _back(meeting) -> str:
    return reverse("meeting_detail", args=[meeting.pk])


def _caption(meeting) -> str:
    return f"{meeting.panel.name}, {_when(meeting.starts_at)}"


def open_early(meeting, *, now: datetime) -> Confirmation | None:
    if now >= meeting.starts_at:
        return None
    return Confirmation(
        title="Open the meeting before it starts?", caption=_caption(meeting),
        facts=[f"It is due to start at {_when(meeting.starts_at)} ({ahead(meeting.starts_at, now)})."],
        happens=["Minute-takers can start writing the minutes and recording attendance, decisions and actions.",
                 "The agenda and the list of people invited can no longer be changed.",
                 "Accepted referrals of the children on the agenda count as heard."],
        warning="An open meeting cannot go back to scheduled, and can no longer be cancelled or moved.",
        button="Open the meeting now", back_url=_back(meeting))


def close_early(meeting, *, now: datetime) -> Confirmation | None:
    if now >= meeting.ends_at:
        return None
    return Confirmation(
        title="Close the meeting before its end time?", caption=_caption(meeting),
        facts=[f"It is due to end at {_when(meeting.ends_at)} ({ahead(meeting.ends_at, now)})."],
        happens=["Minute-takers other than the chair and the coordinator can no longer write the minutes.",
                 "The minutes wait for the chair's approval; nobody outside the service sees them until then."],
        warning="A closed meeting cannot be opened again.",
        button="Close the meeting now", back_url=_back(meeting))


def cancel(meeting, *, reason: str) -> Confirmation:
    sent = meeting.status != MeetingStatus.DRAFT
    return Confirmation(
        title="Cancel this meeting?", caption=_caption(meeting),
        facts=[f"Reason given: {reason}"],
        happens=(["Everyone invited is sent a cancellation with your reason, and the meeting leaves their "
                  "calendars."] if sent else []) + ["The meeting shows as cancelled, with your reason."],
        warning="A cancelled meeting cannot be scheduled again: make a new meeting instead.",
        button="Cancel the meeting", back_label="No, keep the meeting", back_url=_back(meeting),
        warning_button=True, carry=("reason",))


def move_into_past(meeting, *, starts_at: datetime, now: datetime) -> Confirmation | None:
    if starts_at >= now:
        return None
    sent = meeting.status != MeetingStatus.DRAFT
    return Confirmation(
        title="Move the meeting to a time that has passed?", caption=_caption(meeting),
        facts=[f"The new start, {_when(starts_at)}, is in the past. It now starts at {_when(meeting.starts_at)}."],
        happens=["The meeting is listed under past meetings, and the agenda's slots move with it."]
                + (["Everyone invited is sent an updated invitation for a time that has already gone."] if sent
                   else []),
        warning="Invitations already sent cannot be taken back: a second move sends another update.",
        button="Move the meeting", back_url=_back(meeting),
        carry=("day", "starts", "ends", "location", "video_link"))


def invitee_removal(meeting, invitee) -> Confirmation | None:
    if meeting.status == MeetingStatus.DRAFT:
        return None  # nothing has been sent: removing is not a surprise to anyone
    deputies = [d.name for d in invitee.deputies.all()]
    return Confirmation(
        title=f"Withdraw {invitee.name}'s invitation?", caption=_caption(meeting),
        facts=[f"{invitee.name} ({invitee.email}) is invited to the whole meeting."],
        happens=[f"{invitee.name} is sent a cancellation and the meeting leaves their calendar.",
                 f"{invitee.name} can no longer see the meeting, its agenda or its minutes."]
                + ([f"Their deputies go too: {', '.join(deputies)}."] if deputies else []),
        warning="To invite them again you add them again; they get a new invitation.",
        button="Withdraw the invitation", back_url=_back(meeting), warning_button=True)
