"""Calendar invites for a child's statutory meetings (issue 16, point 2): the same iTIP over email as a panel
meeting (notifications.invites), for one entry per meeting.

``child_calendar_sync(child_meeting_id)`` compares what each invitee's calendar should hold (a planned meeting,
for the participants invited with an email address) with what Convene last sent them (``CalendarCopy``) and
writes to the outbox, in the caller's transaction, the messages that close the gap: a ``REQUEST`` at once to a
new invitee; a SEQUENCE bump and a ``REQUEST`` to the others after ``INVITE_DEBOUNCE_SECONDS`` when the time,
place or invitee list changes (a later change replaces the waiting message); a ``CANCEL`` naming only an invitee
who was removed; a ``CANCEL`` with STATUS:CANCELLED to everyone when the meeting is cancelled. A meeting recorded
as held or as not held sends nothing. Replies come back through ``notifications.rsvp.rsvp_record``.

Nothing about the child goes into an entry or a subject: the summary is "Resettlement meeting (statutory)", the
place is what the planner typed (refused if it names the child), and the link names only the meeting.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from notifications import rsvp
from notifications.ical import EventData, Person, calendar_bytes
from notifications.models import CalendarCopy, CalendarEntry, OutboxMessage
from notifications.outbox import outbox_enqueue
from panels.enums import ChildMeetingStatus
from panels.events import ChildMeetingChanged, Event
from panels.models import ChildMeeting, ChildMeetingParticipant

SUMMARY = "Resettlement meeting (statutory)"
REPLY_ANSWERS = ("accepted", "tentative", "declined")  # no deputies: the network is named on the child's record


def organizer_of(meeting: ChildMeeting) -> Person:
    service = meeting.child.service
    return Person(name=f"{service.short_name or service.name} (youth justice service)",
                  email=service.email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL,
                  role="chair")


def location_of(meeting: ChildMeeting, *, video: bool = True) -> str:
    place = meeting.get_place_display()
    return " · ".join(part for part in (f"{place}: {meeting.location}" if meeting.location else place,
                                        meeting.video_link if video else "") if part)


def meeting_url(meeting: ChildMeeting) -> str:
    """A link that names only the meeting; Convene takes a signed-in user with the right to the child's page."""
    return settings.SITE_URL + reverse("child_meeting_go", args=[meeting.pk])


def description_of(meeting: ChildMeeting, *, video: bool = True) -> str:
    return ("A statutory resettlement meeting about a child the youth justice service works with. "
            f"The details are in Convene (sign-in needed): {meeting_url(meeting)}"
            + (f"\nJoin online: {meeting.video_link}" if meeting.video_link and video else "")
            + "\nIf you do not use Convene, the case manager will tell you what the meeting is about."
            + "\nOFFICIAL-SENSITIVE: the child is never named in a calendar.")


def _hash(data: list) -> str:
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()


def attendees_of(meeting: ChildMeeting) -> list[ChildMeetingParticipant]:
    return [p for p in meeting.participants.all() if p.invited and p.email]


def _event(meeting: ChildMeeting, entry: CalendarEntry, people: list[Person], *, cancelled: bool,
           video: bool = True) -> EventData:
    return EventData(uid=entry.uid, sequence=entry.sequence, summary=SUMMARY, starts_at=meeting.starts_at,
                     ends_at=meeting.ends_at, organizer=organizer_of(meeting),
                     location=location_of(meeting, video=video), description=description_of(meeting, video=video),
                     url=meeting_url(meeting), attendees=tuple(people), cancelled=cancelled,
                     created=entry.created_at, last_modified=timezone.now())


def _send(meeting: ChildMeeting, entry: CalendarEntry, event: EventData, *, method: str, to: Person,
          recipient=None, not_before: datetime, update: bool) -> None:
    ics = calendar_bytes([event], method=method, stamp=timezone.now())
    starts = timezone.localtime(event.starts_at)
    withdrawn = method == "CANCEL" and not event.cancelled
    if method == "CANCEL":
        subject = f"Cancelled: {SUMMARY}" if event.cancelled else f"You are no longer invited: {SUMMARY}"
    else:
        subject = f"{'Updated invitation' if update else 'Invitation'}: {SUMMARY}"
    subject += f", {starts:%a %-d %b %Y %H:%M}"
    links = rsvp.links_for(entry_id=entry.pk, email=to.email) if method == "REQUEST" else {}
    context = {"event": event, "method": method, "update": update, "withdrawn": withdrawn, "name": to.name,
               "starts": starts, "ends": timezone.localtime(event.ends_at),
               "links": {a: links[a] for a in REPLY_ANSWERS} if links else {},
               "reason": meeting.cancelled_reason if event.cancelled else "",
               "location": location_of(meeting, video=not withdrawn),
               "video_link": "" if withdrawn else meeting.video_link}
    outbox_enqueue(
        kind=OutboxMessage.Kind.CANCEL if method == "CANCEL" else OutboxMessage.Kind.INVITE,
        to=to.email, subject=subject, body_text=render_to_string("notifications/email/child_invite.txt", context),
        body_html=render_to_string("notifications/email/child_invite.html", context), ics=ics, ics_method=method,
        recipient=recipient, merge_key=f"itip:{entry.uid}:{to.email.lower()}", not_before=not_before,
        from_email=formataddr((event.organizer.name, event.organizer.email)), reply_to=event.organizer.email)


def _cancel_all(meeting: ChildMeeting, entry: CalendarEntry, copies: dict[str, CalendarCopy], now: datetime) -> None:
    if entry.cancelled:
        return
    entry.cancelled = True
    entry.sequence += 1
    entry.save(update_fields=["cancelled", "sequence", "updated_at"])
    holders = [c for c in copies.values() if c.method != "CANCEL"]
    event = _event(meeting, entry, [Person(c.name, c.email, response=c.response, rsvp=False) for c in holders],
                   cancelled=True)
    for copy in holders:
        _send(meeting, entry, event, method="CANCEL", to=Person(copy.name, copy.email), not_before=now, update=True)
        copy.method, copy.sequence = "CANCEL", entry.sequence
        copy.save(update_fields=["method", "sequence", "updated_at"])


@transaction.atomic
def child_calendar_sync(*, child_meeting_id: int) -> None:
    """Bring every invitee's calendar in line with the child meeting; writes outbox messages in this
    transaction."""
    meeting = (ChildMeeting.objects.select_for_update(of=("self",)).select_related("child__service")
               .filter(pk=child_meeting_id).first())
    if meeting is None:
        return
    now = timezone.now()
    entry = CalendarEntry.objects.filter(child_meeting=meeting).prefetch_related("copies").order_by("pk").first()
    copies = {c.email.lower(): c for c in entry.copies.all()} if entry is not None else {}
    if meeting.status == ChildMeetingStatus.CANCELLED:
        if entry is not None:
            _cancel_all(meeting, entry, copies, now)
        return
    if meeting.status != ChildMeetingStatus.PLANNED:
        return  # held or not held: the calendars keep the event as it stood
    attendees = attendees_of(meeting)
    location = location_of(meeting)
    fingerprint = _hash([SUMMARY, meeting.starts_at.isoformat(), meeting.ends_at.isoformat(), location,
                         sorted(p.email.lower() for p in attendees)])
    material = _hash([meeting.starts_at.isoformat(), meeting.ends_at.isoformat(), meeting.location,
                      meeting.place, meeting.video_link])
    if entry is None:
        if not attendees:
            return
        entry = CalendarEntry.objects.create(child_meeting=meeting, uid=meeting.ical_uid, fingerprint=fingerprint,
                                             material=material)
    elif entry.cancelled or entry.fingerprint != fingerprint or entry.material != material:
        moved = bool(entry.material) and entry.material != material
        if copies and (entry.fingerprint != fingerprint or moved):  # a reset asks again: a new version
            entry.sequence += 1
        if moved:  # time or place changed: every answer is asked again
            for answered in copies.values():
                if answered.response != "needs_action":
                    answered.response, answered.comment = "needs_action", ""
                    answered.save(update_fields=["response", "comment", "updated_at"])
            meeting.participants.exclude(response="needs_action").update(response="needs_action")
            for p in attendees:
                p.response = "needs_action"
        entry.cancelled = False
        entry.fingerprint, entry.material = fingerprint, material
        entry.save(update_fields=["sequence", "cancelled", "fingerprint", "material", "updated_at"])
    people = [Person(name=p.name, email=p.email, response=p.response) for p in attendees]
    event = _event(meeting, entry, people, cancelled=False)
    debounced = now + timedelta(seconds=settings.INVITE_DEBOUNCE_SECONDS)
    wanted = set()
    for participant, person in zip(attendees, people, strict=True):
        email = participant.email.lower()
        wanted.add(email)
        copy = copies.get(email)
        if copy is not None and copy.method == "REQUEST" and copy.sequence >= entry.sequence:
            continue  # holds the current version
        first = copy is None or copy.method == "CANCEL"
        _send(meeting, entry, event, method="REQUEST", to=person, recipient=participant.user,
              not_before=now if first else debounced, update=not first)
        if copy is None:
            CalendarCopy.objects.create(entry=entry, email=participant.email, name=participant.name,
                                        sequence=entry.sequence, response=participant.response)
        else:
            copy.method, copy.sequence, copy.name = "REQUEST", entry.sequence, participant.name
            copy.save(update_fields=["method", "sequence", "name", "updated_at"])
    for email, held in copies.items():
        if email in wanted or held.method == "CANCEL":
            continue
        gone = Person(held.name, held.email, response=held.response, rsvp=False)
        _send(meeting, entry, _event(meeting, entry, [gone], cancelled=False, video=False), method="CANCEL",
              to=gone, not_before=now, update=True)
        held.method, held.sequence = "CANCEL", entry.sequence
        held.save(update_fields=["method", "sequence", "updated_at"])


def on_child_meeting_changed(name: str, event: Event) -> None:
    assert isinstance(event, ChildMeetingChanged)
    child_calendar_sync(child_meeting_id=event.child_meeting_id)


def calendar_states_part(*, meeting: ChildMeeting) -> dict[str, Any]:
    """For the meeting's page (panels.page_parts): what each invitee's calendar holds of it, by lower-cased email
    (one query)."""
    return {"calendar": {c.email.lower(): c for c in CalendarCopy.objects.filter(entry__child_meeting=meeting)}}
