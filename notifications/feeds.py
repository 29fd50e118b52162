"""Per-person calendar feeds (webcal): the meetings, or the slots, a person is invited to.

The address carries a secret token; only its SHA-256 is stored, so the token is shown once, when made.
Making a new one replaces the old (the old URL stops working at once); revoking deletes it. Feeds use
``METHOD:PUBLISH`` semantics (no METHOD), ``REFRESH-INTERVAL``, and keep cancelled meetings as
``STATUS:CANCELLED`` entries, since a feed cannot carry an iTIP cancel. Like invites, they never
name a child, and they list no other attendees. A constant number of queries whatever the size.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from agendas.models import ItemInvitation
from notifications import child_invites
from notifications.ical import EventData, FeedInfo, calendar_bytes
from notifications.invites import (
    LIVE_ITEM_STATES,
    entry_key,
    event_description,
    location_of,
    meeting_label,
    meeting_url,
    organizer_of,
    slot_summary,
    slot_times,
    slot_uid,
)
from notifications.models import CalendarEntry, FeedToken
from panels.audit import audit_record
from panels.enums import ChildMeetingStatus, MeetingStatus
from panels.models import ChildMeetingParticipant, MeetingInvitee

PAST_DAYS = 90  # how far back a feed reaches
REFRESH_MINUTES = 60


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def feed_token_create(*, user, request=None) -> str:
    """A new secret address for the user's feed; the previous one stops working. Returns the token."""
    token = secrets.token_urlsafe(32)
    FeedToken.objects.update_or_create(user=user, defaults={"digest": _digest(token), "last_used_at": None})
    audit_record(actor=user, action="feed.token_created", request=request)
    return token


def feed_token_revoke(*, user, request=None) -> bool:
    deleted, _ = FeedToken.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=user, action="feed.token_revoked", request=request)
    return bool(deleted)


def feed_user(token: str):
    """The active user a token belongs to, or None (unknown, revoked, or the user was deactivated)."""
    if not token or len(token) > 100:
        return None
    found = FeedToken.objects.select_related("user").filter(digest=_digest(token)).first()
    if found is None or not found.user.is_active:
        return None
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=10):
        FeedToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user


def feed_url(token: str) -> str:
    path = reverse("calendar_feed", args=[token])
    return "webcal://" + settings.SITE_URL.split("://", 1)[1] + path


def feed_events(*, user, now=None) -> list[EventData]:
    now = now or timezone.now()
    invitations = list(
        MeetingInvitee.objects.filter(user=user, meeting__starts_at__gte=now - timedelta(days=PAST_DAYS))
        .exclude(meeting__status=MeetingStatus.DRAFT)
        .select_related("meeting__panel__service").order_by("meeting__starts_at"))
    slots: dict[int, list] = defaultdict(list)
    for link in ItemInvitation.objects.filter(invitee__in=[i.pk for i in invitations]).select_related("item"):
        slots[link.invitee_id].append(link.item)
    # a child's statutory meetings the user is invited to (issue 16 point 2): never named, like every entry
    child_meetings = list(
        ChildMeetingParticipant.objects.filter(user=user, invited=True,
                                               child_meeting__starts_at__gte=now - timedelta(days=PAST_DAYS))
        .select_related("child_meeting__child__service").order_by("child_meeting__starts_at"))
    entries: dict[tuple, CalendarEntry] = {}
    child_entries: dict[int, CalendarEntry] = {}
    for found in CalendarEntry.objects.filter(
            Q(meeting__in=[i.meeting_id for i in invitations])
            | Q(child_meeting__in=[p.child_meeting_id for p in child_meetings])).order_by("pk"):
        if found.child_meeting_id is not None:
            child_entries.setdefault(found.child_meeting_id, found)
        else:
            entries.setdefault((found.meeting_id, *entry_key(found)), found)  # the UID first sent, kept
    events = []
    for invitation in invitations:
        meeting = invitation.meeting
        cancelled = meeting.status == MeetingStatus.CANCELLED
        base = {"organizer": organizer_of(meeting), "location": location_of(meeting), "url": meeting_url(meeting),
                "description": event_description(meeting), "alarm_minutes": None,
                "last_modified": meeting.updated_at}
        if invitation.pk in slots:
            for item in sorted(slots[invitation.pk], key=lambda i: (i.slot_start is None, i.slot_start, i.pk)):
                entry = entries.get((meeting.pk, "item", item.pk))
                uid = entry.uid if entry else slot_uid(meeting, item.pk)
                starts_at, ends_at = slot_times(meeting, item)
                events.append(EventData(
                    uid=uid, sequence=entry.sequence if entry else 0, summary=slot_summary(meeting, item),
                    starts_at=starts_at, ends_at=ends_at,
                    cancelled=cancelled or item.state not in LIVE_ITEM_STATES, **base))
        else:
            entry = entries.get((meeting.pk, "meeting"))
            events.append(EventData(uid=entry.uid if entry else meeting.ical_uid,
                                    sequence=entry.sequence if entry else 0,
                                    summary=meeting_label(meeting), starts_at=meeting.starts_at,
                                    ends_at=meeting.ends_at, cancelled=cancelled, **base))
    for participant in child_meetings:
        child_meeting = participant.child_meeting
        entry = child_entries.get(child_meeting.pk)
        events.append(EventData(
            uid=entry.uid if entry else child_meeting.ical_uid, sequence=entry.sequence if entry else 0,
            summary=child_invites.SUMMARY, starts_at=child_meeting.starts_at, ends_at=child_meeting.ends_at,
            organizer=child_invites.organizer_of(child_meeting), location=child_invites.location_of(child_meeting),
            url=child_invites.meeting_url(child_meeting), description=child_invites.description_of(child_meeting),
            alarm_minutes=None, last_modified=child_meeting.updated_at,
            cancelled=child_meeting.status in (ChildMeetingStatus.CANCELLED, ChildMeetingStatus.NOT_HELD)))
    return events


def feed_bytes_and_changed(*, user, now=None):
    """The feed, and when what it lists last changed (for Last-Modified; None when it lists nothing)."""
    events = feed_events(user=user, now=now)
    changed = max((e.last_modified for e in events if e.last_modified), default=None)
    # without METHOD, DTSTAMP is when the information last changed: the same feed gives the same bytes
    return _feed_bytes(events, stamp=changed or now or timezone.now()), changed


def _feed_bytes(events, *, stamp) -> bytes:
    info = FeedInfo(name="Convene: my panel meetings", refresh_minutes=REFRESH_MINUTES,
                    description="Youth justice panel meetings you are invited to. No child is named here.")
    return calendar_bytes(events, method=None, stamp=stamp, feed=info)
