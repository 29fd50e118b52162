"""Emails and in-app notices about what happened: an agenda published, minutes approved, an action
given to someone. Each carries a link, never the content, and never a child's name; each person can
turn the optional emails off (``EmailPreference``). Written in the change's transaction (outbox).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from agendas.events import AgendaPublished
from minutes.events import MinutesApproved, RecordChanged
from minutes.links import action_link_url
from minutes.models import Action
from notifications.models import EmailPreference, Notification, OutboxMessage
from notifications.outbox import outbox_enqueue
from panels.enums import MeetingStatus
from panels.events import Event
from panels.models import Meeting

Kind = OutboxMessage.Kind


def _wants(user, field: str, preferences: dict[int, EmailPreference]) -> bool:
    if user is None:
        return True  # an address without an account (an agency mailbox, an external invitee)
    preference = preferences.get(user.pk)
    return getattr(preference, field) if preference is not None else True


def _tell(*, kind: str, meeting: Meeting | None, people: list[tuple[Any, str, str]], subject: str, lead: str,
          url: str, field: str, link_for=None) -> int:
    """people: (user or None, name, email). One email each (if wanted) and an in-app notice for users."""
    users = [user.pk for user, _, _ in people if user is not None]
    preferences = {p.user_id: p for p in EmailPreference.objects.filter(user_id__in=users)}
    notices, sent = [], 0
    seen = set()
    for user, name, email in people:
        if not email or email.lower() in seen:
            continue
        seen.add(email.lower())
        if user is not None:
            notices.append(Notification(user=user, kind=kind, title=subject.removeprefix("Convene: "), url=url))
        if not _wants(user, field, preferences):
            continue
        link = link_for(user, email) if link_for else settings.SITE_URL + url
        body = render_to_string("notifications/email/notice.txt", {"name": name, "lead": lead, "link": link})
        outbox_enqueue(kind=kind, to=email, subject=subject, body_text=body, meeting=meeting, recipient=user)
        sent += 1
    Notification.objects.bulk_create(notices)
    return sent


def _invitees(meeting: Meeting) -> list[tuple[Any, str, str]]:
    return [(i.user, i.name, i.email) for i in meeting.invitees.select_related("user").order_by("name")]


def _label(meeting: Meeting) -> str:
    return f"{meeting.panel.name}, {timezone.localtime(meeting.starts_at):%a %-d %b %Y}"


def agenda_published(name: str, event: Event) -> None:
    assert isinstance(event, AgendaPublished)
    meeting = Meeting.objects.select_related("panel").get(pk=event.meeting_id)
    if meeting.status not in (MeetingStatus.SCHEDULED, MeetingStatus.IN_PROGRESS):
        return  # partners do not see a draft's agenda; the invite will carry the link
    _tell(kind=Kind.AGENDA, meeting=meeting, people=_invitees(meeting),
          subject=f"Convene: agenda published for {_label(meeting)}", field="agenda_published",
          lead=f"The agenda for {_label(meeting)} has been published (version {event.version}). "
               "Sign in to read it: you see the items you are entitled to.",
          url=reverse("meeting_agenda", args=[meeting.pk]))


def minutes_approved(name: str, event: Event) -> None:
    assert isinstance(event, MinutesApproved)
    meeting = Meeting.objects.select_related("panel").get(pk=event.meeting_id)
    _tell(kind=Kind.MINUTES, meeting=meeting, people=_invitees(meeting),
          subject=f"Convene: minutes approved for {_label(meeting)}", field="minutes_approved",
          lead=f"The minutes of {_label(meeting)} have been approved (revision {event.revision}). "
               "Sign in to read your agency's view or download it.",
          url=reverse("minutes_approved", args=[meeting.pk]))


def action_assigned(name: str, event: Event) -> None:
    assert isinstance(event, RecordChanged)
    if event.kind != "action.created" or not event.record_id:
        return
    action = (Action.objects.select_related("owner", "owner_agency", "meeting__panel", "child")
              .filter(pk=event.record_id).first())
    if action is None:
        return
    if action.owner is not None and action.owner.email and action.owner.is_active:
        people = [(action.owner, action.owner.get_full_name() or action.owner.username, action.owner.email)]
    else:
        people = [(None, action.owner_agency.name, action.owner_agency.email)]
    case = f" for case {action.child.reference}" if action.child else ""
    _tell(kind=Kind.ACTION, meeting=action.meeting, people=people, field="action_assigned",
          subject="Convene: an action has been given to you",
          lead=f"{_label(action.meeting)} gave you an action{case}, due {action.due_date:%-d %b %Y}:\n\n"
               f"  {action.description}\n\nOpen it to record progress (the link works for 14 days):",
          url=reverse("action_detail", args=[action.pk]),
          link_for=lambda user, email: action_link_url(
              action_id=action.pk, user_id=user.pk if user else None, email=email,
              agency_id=user.agency_id if user else action.owner_agency_id))
