"""The chair's inbox (issue 15, point 6): what waits for the panel's chair to decide reaches them.

A referral, a correction request, a request for a new due date or a deputy waiting for acceptance (issue 13's
delegation requests) appears under Notifications (with a count of
what is unread in the navigation) and is emailed: at once to a chair who takes emails one by one, or in one
digest at 07:00 the next morning to a chair who chose the daily digest (a waiting digest message is replaced,
through the outbox's merge key, by one listing everything still unread).

Extension point: ``INBOX_SOURCES`` maps an event (``"minutes.event:<kind>"`` for the minutes' event log) to a
function returning an ``InboxItem`` (or None); its event goes in ``EVENTS``. Nothing here names a child, nor a
deputy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from agendas.events import ReferralCreated
from minutes.events import RecordChanged
from notifications.events import DelegationRequested
from notifications.models import Notification, OutboxMessage
from notifications.outbox import outbox_enqueue
from panels.enums import MembershipRole
from panels.events import Event
from panels.models import User

KIND = OutboxMessage.Kind.OTHER
TITLE_PREFIX = "Waiting for you: "  # marks inbox notices among the others (counted in the navigation)
DIGEST_AT = time(7, 0)


@dataclass(frozen=True)
class InboxItem:
    panel_id: int
    title: str  # no child's name or reference
    url: str


def _referral(event: Event) -> InboxItem | None:
    from agendas.models import Referral

    assert isinstance(event, ReferralCreated)
    referral = Referral.objects.select_related("panel").filter(pk=event.referral_id).first()
    if referral is None:
        return None
    return InboxItem(referral.panel_id, f"a referral to {referral.panel.name} needs your decision",
                     reverse("panel_referrals", args=[referral.panel_id]))


def _correction(event: Event) -> InboxItem | None:
    from panels.models import Meeting

    assert isinstance(event, RecordChanged)
    meeting = Meeting.objects.select_related("panel").filter(pk=event.meeting_id).first()
    if meeting is None:
        return None
    return InboxItem(meeting.panel_id, f"a correction to the minutes of {_label(meeting)} was asked for",
                     reverse("minutes_approved", args=[meeting.pk]))


def _due_date(event: Event) -> InboxItem | None:
    from minutes.models import Action

    assert isinstance(event, RecordChanged)
    action = Action.objects.select_related("meeting__panel").filter(pk=event.record_id or 0).first()
    if action is None:
        return None
    return InboxItem(action.meeting.panel_id, f"a new due date for an action of {action.meeting.panel.name} "
                     "was asked for", reverse("action_detail", args=[action.pk]))


def _delegation(event: Event) -> InboxItem | None:
    from notifications.models import DelegationRequest

    assert isinstance(event, DelegationRequested)
    request = (DelegationRequest.objects.select_related("meeting__panel")
               .filter(pk=event.delegation_id, status=DelegationRequest.Status.PENDING).first())
    if request is None:
        return None
    return InboxItem(request.meeting.panel_id, f"a deputy for {_label(request.meeting)} waits for your decision",
                     reverse("meeting_detail", args=[request.meeting_id]))


INBOX_SOURCES: dict[str, Callable[[Event], InboxItem | None]] = {
    DelegationRequested.NAME: _delegation,
    ReferralCreated.NAME: _referral,
    f"{RecordChanged.NAME}:correction.requested": _correction,
    f"{RecordChanged.NAME}:action.date_requested": _due_date,
}
EVENTS = (ReferralCreated.NAME, RecordChanged.NAME, DelegationRequested.NAME)


def _label(meeting) -> str:
    return f"{meeting.panel.name}, {timezone.localtime(meeting.starts_at):%a %-d %b %Y}"


def chairs_of(panel_id: int) -> list[User]:
    return list(User.objects.filter(panel_memberships__panel_id=panel_id, is_active=True,
                                    panel_memberships__role=MembershipRole.CHAIR).distinct())


def inbox_notify(name: str, event: Event) -> None:
    """Event subscriber (in the change's transaction): a notice for each chair, and their email."""
    key = f"{name}:{event.kind}" if isinstance(event, RecordChanged) else name
    source = INBOX_SOURCES.get(key)
    item = source(event) if source else None
    if item is None:
        return
    for chair in chairs_of(item.panel_id):
        Notification.objects.create(user=chair, kind=KIND, title=TITLE_PREFIX + item.title, url=item.url)
        if chair.email:
            (_queue_digest if chair.digest_emails else _send_now)(chair, item)


def _send_now(chair: User, item: InboxItem) -> None:
    body = (f"Dear {chair.get_full_name() or chair.username},\n\n{item.title[0].upper()}{item.title[1:]}.\n\n"
            f"Open it: {settings.SITE_URL}{item.url}\n\nEverything waiting for you is under Notifications.\n")
    outbox_enqueue(kind=KIND, to=chair.email, subject="Convene: something is waiting for your decision",
                   body_text=body, recipient=chair)


def _next_digest(now: datetime) -> datetime:
    local = timezone.localtime(now)
    at = local.replace(hour=DIGEST_AT.hour, minute=DIGEST_AT.minute, second=0, microsecond=0)
    return at if at > local else at + timedelta(days=1)


def _queue_digest(chair: User, item: InboxItem) -> None:
    send_at = _next_digest(timezone.now())
    waiting = list(Notification.objects.filter(user=chair, read_at=None, title__startswith=TITLE_PREFIX)
                   .order_by("created_at", "id")[:50])
    lines = "\n".join(f"- {n.title.removeprefix(TITLE_PREFIX)}: {settings.SITE_URL}{n.url}" for n in waiting)
    body = (f"Dear {chair.get_full_name() or chair.username},\n\n{len(waiting)} thing(s) wait for your "
            f"decision:\n\n{lines}\n\nYou chose a daily digest; change that under your email settings.\n")
    outbox_enqueue(kind=KIND, to=chair.email, subject="Convene: your daily digest of what waits for you",
                   body_text=body, recipient=chair, not_before=send_at,
                   merge_key=f"inbox-digest:{chair.pk}:{send_at:%Y-%m-%d}")
