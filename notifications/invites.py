"""Calendar invites (iTIP over email): one reconcile step keeps every invitee's calendar right.

``calendar_sync(meeting)`` compares what each invitee's calendar *should* hold of a meeting (the
desired entries: the whole meeting for ordinary invitees, one entry per child's slot for people invited
for that slot only) with what Convene last told them (``CalendarCopy``), and writes to the outbox, in the
caller's transaction, exactly the messages that close the gap:

- a new attendee gets a ``REQUEST`` at once;
- when the entry changes (time, place, attendee list) its SEQUENCE goes up once and the other
  attendees get a ``REQUEST`` after ``INVITE_DEBOUNCE_SECONDS``; a later change in that window replaces
  the waiting message, so a burst of edits sends one update carrying the latest SEQUENCE;
- an attendee no longer invited gets a ``CANCEL`` naming only them (the event itself stands);
- a cancelled meeting (or a slot whose child left the agenda) sends ``CANCEL`` with STATUS:CANCELLED and
  a higher SEQUENCE to everyone who holds it.

Drafts send nothing. Every summary, description and subject is built from the panel, the date and the
slot time only: never a child's name or reference.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import formataddr

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from agendas.events import AgendaRebuilt, ItemInvitationsChanged, ItemUpdated, SlotsAssigned
from agendas.models import AgendaItem, ItemInvitation
from notifications import rsvp
from notifications.ical import EventData, Person, calendar_bytes
from notifications.models import CalendarCopy, CalendarEntry, OutboxMessage
from notifications.outbox import outbox_enqueue
from panels.enums import MeetingStatus
from panels.events import MEETING_CANCELLED, MEETING_SCHEDULED, Event, InviteesChanged, MeetingUpdated, event_meeting
from panels.models import Meeting, MeetingInvitee

LIVE_ITEM_STATES = (AgendaItem.State.LISTED, AgendaItem.State.NO_LONGER_DUE)


@dataclass
class Wanted:
    """What one calendar entry should say now."""

    uid: str
    item: AgendaItem | None
    summary: str
    starts_at: datetime
    ends_at: datetime
    attendees: list[MeetingInvitee] = field(default_factory=list)

    def fingerprint(self, location: str) -> str:
        data = [self.summary, self.starts_at.isoformat(), self.ends_at.isoformat(), location,
                sorted((i.email.lower(), i.role) for i in self.attendees)]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()


def organizer_of(meeting: Meeting) -> Person:
    panel = meeting.panel
    return Person(name=f"{panel.name} ({panel.service.short_name or panel.service.name})",
                  email=panel.mailbox or _address_only(settings.DEFAULT_FROM_EMAIL), role="chair")


def _address_only(value: str) -> str:
    from email.utils import parseaddr

    return parseaddr(value)[1] or value


def meeting_label(meeting: Meeting) -> str:
    return f"{meeting.panel.name} — {timezone.localtime(meeting.starts_at):%a %-d %b %Y}"


def location_of(meeting: Meeting, *, video: bool = True) -> str:
    return " · ".join(part for part in (meeting.location, meeting.video_link if video else "") if part)


def material_of(meeting: Meeting, starts_at: datetime, ends_at: datetime) -> str:
    """What an answer depends on: start, end, place and video link. A change resets every answer."""
    data = [starts_at.isoformat(), ends_at.isoformat(), meeting.location, meeting.video_link]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()


def entry_key(entry: CalendarEntry) -> tuple:
    """Which event an entry is, whatever its stored UID says: the meeting, or one item's slot. UIDs are
    fixed when first sent (stored on the entry), so a new SITE_URL changes nobody's calendar."""
    if entry.item_id is not None:
        return ("item", entry.item_id)
    if "-item-" in entry.uid:  # a slot whose agenda item no longer exists
        return ("gone", entry.pk)
    return ("meeting",)


def wanted_key(wanted: Wanted) -> tuple:
    return ("item", wanted.item.pk) if wanted.item is not None else ("meeting",)


def slot_uid(meeting: Meeting, item_id: int) -> str:
    return f"meeting-{meeting.uid}-item-{item_id}@{settings.SITE_DOMAIN}"


def slot_times(meeting: Meeting, item: AgendaItem) -> tuple[datetime, datetime]:
    if item.slot_start is None:
        return meeting.starts_at, meeting.ends_at
    start = timezone.localtime(meeting.starts_at)
    begins = start.replace(hour=item.slot_start.hour, minute=item.slot_start.minute, second=0, microsecond=0)
    return begins, begins + timedelta(minutes=item.slot_minutes or 15)


def slot_summary(meeting: Meeting, item: AgendaItem) -> str:
    """What a slot's calendar entry is called: the panel, the day and the slot time; never the child."""
    when = (f"item slot {timezone.localtime(slot_times(meeting, item)[0]):%H:%M}" if item.slot_start
            else "one item (time to follow)")
    return f"{meeting_label(meeting)} — {when}"


def meeting_url(meeting: Meeting) -> str:
    return settings.SITE_URL + reverse("meeting_detail", args=[meeting.pk])


def event_description(meeting: Meeting, *, video: bool = True) -> str:
    """The DESCRIPTION of every entry of a meeting, in invites and feeds alike: where the papers are."""
    return (f"{meeting.panel.name}. Papers, agenda and minutes are in Convene (sign-in needed): "
            f"{meeting_url(meeting)}"
            + (f"\nJoin online: {meeting.video_link}" if meeting.video_link and video else "")
            + "\nOFFICIAL-SENSITIVE: details of the children discussed are never put in a calendar.")


def wanted_entries(meeting: Meeting, invitees: list[MeetingInvitee], links: list[ItemInvitation]) -> list[Wanted]:
    """The entries a scheduled meeting should have in its invitees' calendars (pure given its inputs)."""
    by_item: dict[int, list[MeetingInvitee]] = defaultdict(list)
    items: dict[int, AgendaItem] = {}
    slot_only: set[int] = set()
    invitee_by_id = {i.pk: i for i in invitees}
    for link in links:
        slot_only.add(link.invitee_id)
        if link.item.state in LIVE_ITEM_STATES and link.invitee_id in invitee_by_id:
            by_item[link.item_id].append(invitee_by_id[link.invitee_id])
            items[link.item_id] = link.item
    whole = [i for i in invitees if i.pk not in slot_only]
    entries = [Wanted(uid=meeting.ical_uid, item=None, summary=meeting_label(meeting), starts_at=meeting.starts_at,
                      ends_at=meeting.ends_at, attendees=whole)]
    for item_id, people in sorted(by_item.items()):
        item = items[item_id]
        starts_at, ends_at = slot_times(meeting, item)
        entries.append(Wanted(uid=slot_uid(meeting, item_id), item=item, summary=slot_summary(meeting, item),
                              starts_at=starts_at, ends_at=ends_at, attendees=people))
    return entries


def _person(invitee: MeetingInvitee, response: str) -> Person:
    delegated_to = ""
    if response == "delegated":
        deputy = next(iter(getattr(invitee, "_deputies", [])), None)
        delegated_to = deputy.email if deputy else ""
    return Person(name=invitee.name, email=invitee.email, role=invitee.role, response=response,
                  delegated_to=delegated_to,
                  delegated_from=invitee.delegate_of.email if invitee.delegate_of_id and invitee.delegate_of else "")


def _event(meeting: Meeting, entry: CalendarEntry, wanted: Wanted | None, people: list[Person], *,
           cancelled: bool, video: bool = True) -> EventData:
    if wanted is not None:
        summary, starts_at, ends_at = wanted.summary, wanted.starts_at, wanted.ends_at
    elif entry.item is not None:  # the slot (or its meeting) is gone: cancel it as it last stood
        summary, (starts_at, ends_at) = slot_summary(meeting, entry.item), slot_times(meeting, entry.item)
    else:  # the meeting is cancelled (or a slot whose item no longer exists)
        summary, starts_at, ends_at = meeting_label(meeting), meeting.starts_at, meeting.ends_at
        if entry_key(entry) != ("meeting",):
            summary += " — item slot"
    return EventData(uid=entry.uid, sequence=entry.sequence, summary=summary, starts_at=starts_at, ends_at=ends_at,
                     organizer=organizer_of(meeting), location=location_of(meeting, video=video),
                     description=event_description(meeting, video=video), url=meeting_url(meeting),
                     attendees=tuple(people),
                     cancelled=cancelled, created=entry.created_at, last_modified=timezone.now())


def _send(meeting: Meeting, entry: CalendarEntry, event: EventData, *, method: str, to: MeetingInvitee | Person,
          not_before: datetime, update: bool) -> None:
    now = timezone.now()
    ics = calendar_bytes([event], method=method, stamp=now)
    when = timezone.localtime(event.starts_at)
    label = event.summary.removeprefix("Cancelled: ")
    withdrawn = method == "CANCEL" and not event.cancelled
    if method == "CANCEL":
        subject = f"Cancelled: {label}" if event.cancelled else f"You are no longer invited: {label}"
    else:  # a slot's summary already ends in its time
        timed = entry.item_id is not None and entry.item is not None and entry.item.slot_start is not None
        subject = f"{'Updated invitation' if update else 'Invitation'}: {label}" + ("" if timed else f", {when:%H:%M}")
    links = rsvp.links_for(entry_id=entry.pk, email=to.email) if method == "REQUEST" else {}
    context = {"meeting": meeting, "event": event, "method": method, "update": update, "links": links,
               "starts": when, "ends": timezone.localtime(event.ends_at), "reason": meeting.cancelled_reason,
               "name": to.name, "location": location_of(meeting, video=not withdrawn), "withdrawn": withdrawn,
               "video_link": "" if withdrawn else meeting.video_link}
    outbox_enqueue(
        kind=OutboxMessage.Kind.CANCEL if method == "CANCEL" else OutboxMessage.Kind.INVITE,
        to=to.email, subject=subject, body_text=render_to_string("notifications/email/invite.txt", context),
        body_html=render_to_string("notifications/email/invite.html", context), ics=ics, ics_method=method,
        meeting=meeting, recipient=getattr(to, "user", None), merge_key=f"itip:{entry.uid}:{to.email.lower()}",
        not_before=not_before, from_email=formataddr((event.organizer.name, event.organizer.email)),
        reply_to=event.organizer.email,
    )


def _response_of(entry: CalendarEntry, copies: dict[str, CalendarCopy], invitee: MeetingInvitee) -> str:
    """The attendee's last reply: on the invitation for the whole meeting, on their copy for a slot."""
    if entry.item_id is None:
        return invitee.response
    copy = copies.get(invitee.email.lower())
    return copy.response if copy else "needs_action"


def _answers_reset(entry: CalendarEntry, copies: dict[str, CalendarCopy], attendees: list[MeetingInvitee]) -> None:
    """The time or place changed: every answer goes back to "not answered yet" (RSVP asked again).
    A delegation stands: the deputy stays invited and answers the new time themself."""
    for copy in copies.values():
        if copy.response not in ("needs_action", "delegated"):
            copy.response, copy.comment = "needs_action", ""
            copy.save(update_fields=["response", "comment", "updated_at"])
    if entry.item_id is None:
        for invitee in attendees:
            if invitee.response not in ("needs_action", "delegated"):
                invitee.response, invitee.response_comment = "needs_action", ""
                invitee.save(update_fields=["response", "response_comment"])


def _sync_entry(meeting: Meeting, entry: CalendarEntry | None, wanted: Wanted | None, *, urgent: bool,
                now: datetime) -> None:
    location = location_of(meeting)
    copies = {c.email.lower(): c for c in entry.copies.all()} if entry is not None else {}
    if wanted is None or meeting.status == MeetingStatus.CANCELLED:
        if entry is None or entry.cancelled:
            return
        entry.cancelled = True
        entry.sequence += 1
        entry.save(update_fields=["cancelled", "sequence", "updated_at"])
        holders = [c for c in copies.values() if c.method != "CANCEL"]
        people = [Person(c.name, c.email, response=c.response, rsvp=False) for c in holders]
        event = _event(meeting, entry, wanted, people, cancelled=True)
        for copy in holders:
            _send(meeting, entry, event, method="CANCEL", to=Person(copy.name, copy.email), not_before=now,
                  update=True)
            copy.method, copy.sequence = "CANCEL", entry.sequence
            copy.save(update_fields=["method", "sequence", "updated_at"])
        return
    fingerprint = wanted.fingerprint(location)
    material = material_of(meeting, wanted.starts_at, wanted.ends_at)
    if entry is None:
        if not wanted.attendees:
            return
        entry = CalendarEntry.objects.create(meeting=meeting, item=wanted.item, uid=wanted.uid,
                                             fingerprint=fingerprint, material=material)
    elif entry.cancelled or entry.fingerprint != fingerprint or entry.material != material:
        moved = bool(entry.material) and entry.material != material
        if copies and (entry.fingerprint != fingerprint or moved):  # a reset asks again: a new version
            entry.sequence += 1
        if moved:
            _answers_reset(entry, copies, wanted.attendees)
        entry.cancelled = False
        entry.fingerprint, entry.material = fingerprint, material
        entry.save(update_fields=["sequence", "cancelled", "fingerprint", "material", "updated_at"])
    people = [_person(i, _response_of(entry, copies, i)) for i in wanted.attendees]
    event = _event(meeting, entry, wanted, people, cancelled=False)
    debounced = now + timedelta(seconds=settings.INVITE_DEBOUNCE_SECONDS)
    wanted_emails = set()
    for invitee, person in zip(wanted.attendees, people, strict=True):
        email = invitee.email.lower()
        wanted_emails.add(email)
        copy = copies.get(email)
        if copy is not None and copy.method == "REQUEST" and copy.sequence >= entry.sequence:
            continue  # holds the current version
        first = copy is None or copy.method == "CANCEL"
        _send(meeting, entry, event, method="REQUEST", to=invitee, not_before=now if first or urgent else debounced,
              update=not first)
        if copy is None:
            CalendarCopy.objects.create(entry=entry, email=invitee.email, name=invitee.name, sequence=entry.sequence,
                                        response=person.response)
        else:
            copy.method, copy.sequence, copy.name = "REQUEST", entry.sequence, invitee.name
            copy.save(update_fields=["method", "sequence", "name", "updated_at"])
    for email, copy in copies.items():
        if email in wanted_emails or copy.method == "CANCEL":
            continue
        gone = Person(copy.name, copy.email, response=copy.response, rsvp=False)
        withdrawn = _event(meeting, entry, wanted, [gone], cancelled=False, video=False)
        _send(meeting, entry, withdrawn, method="CANCEL", to=gone, not_before=now, update=True)
        copy.method, copy.sequence = "CANCEL", entry.sequence
        copy.save(update_fields=["method", "sequence", "updated_at"])


@transaction.atomic
def calendar_sync(*, meeting_id: int, urgent: bool = False) -> None:
    """Bring every invitee's calendar in line with the meeting; writes outbox messages in this transaction."""
    meeting = (Meeting.objects.select_for_update(of=("self",)).select_related("panel", "panel__service")
               .filter(pk=meeting_id).first())
    if meeting is None or meeting.status == MeetingStatus.DRAFT:
        return
    now = timezone.now()
    entries: dict[tuple, CalendarEntry] = {}
    for found in (CalendarEntry.objects.filter(meeting=meeting).select_related("item").prefetch_related("copies")
                  .order_by("pk")):
        key = entry_key(found)
        entries.setdefault(key if key not in entries else ("gone", found.pk), found)
    if meeting.status == MeetingStatus.CANCELLED:
        for entry in entries.values():
            _sync_entry(meeting, entry, None, urgent=True, now=now)
        return
    invitees = list(meeting.invitees.select_related("user", "delegate_of").order_by("name", "pk"))
    deputies: dict[int, list[MeetingInvitee]] = defaultdict(list)
    for invitee in invitees:
        if invitee.delegate_of_id:
            deputies[invitee.delegate_of_id].append(invitee)
    for invitee in invitees:
        invitee._deputies = deputies.get(invitee.pk, [])
    links = list(ItemInvitation.objects.filter(item__meeting=meeting).select_related("item"))
    wanted = {wanted_key(w): w for w in wanted_entries(meeting, invitees, links)}
    for key in sorted(set(wanted) | set(entries)):
        _sync_entry(meeting, entries.get(key), wanted.get(key), urgent=urgent, now=now)


# --- reacting to the other apps' events (in their transaction) -------------------------------------
URGENT_EVENTS = {MEETING_SCHEDULED, MEETING_CANCELLED}
SYNC_EVENTS = URGENT_EVENTS | {
    MeetingUpdated.NAME, InviteesChanged.NAME, ItemUpdated.NAME, AgendaRebuilt.NAME, SlotsAssigned.NAME,
    ItemInvitationsChanged.NAME,
}


def on_meeting_changed(name: str, event: Event) -> None:
    meeting_id, status = event_meeting(event)
    if status == MeetingStatus.DRAFT or meeting_id is None:
        return  # nothing goes out for a draft
    calendar_sync(meeting_id=meeting_id, urgent=name in URGENT_EVENTS)
