"""iCalendar builders and readers (pure: plain data in, bytes out; no ORM, no clock).

Everything Convene says to a calendar goes through here: iTIP invites (``REQUEST``, ``CANCEL``) carried
by email (iMIP), the subscribable feeds (``PUBLISH``), and the ``REPLY`` messages attendees send back.

The facts this module keeps (``docs/calendar-interop.md``, tested in tests/notifications/):
- one VCALENDAR per message, ``PRODID`` and ``VERSION:2.0``, CRLF and 75-octet folding (the library's);
- a stable host-qualified UID per event, SEQUENCE from the organiser only, a fresh UTC DTSTAMP;
- times as ``DTSTART;TZID=Europe/London`` with a static RRULE-form VTIMEZONE, which every parser we
  tried (and Outlook) reads correctly across the BST change; the RDATE form icalendar generates is
  misread in winter by vobject, hence Radicale;
- ORGANIZER and ATTENDEE as bare ``mailto:`` addresses with the display name in CN;
- no child names or identifiers anywhere: callers build summaries from panel, date and slot only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vText
from icalendar.prop import vDuration

LONDON = ZoneInfo("Europe/London")
PRODID = "-//Convene//Youth justice panels//EN"

EUROPE_LONDON_VTIMEZONE = (
    "BEGIN:VTIMEZONE\r\n"
    "TZID:Europe/London\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "TZOFFSETFROM:+0000\r\n"
    "TZOFFSETTO:+0100\r\n"
    "TZNAME:BST\r\n"
    "DTSTART:19700329T010000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
    "END:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\n"
    "TZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0000\r\n"
    "TZNAME:GMT\r\n"
    "DTSTART:19701025T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
    "END:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
)

# our response names (panels.enums.ResponseStatus) <-> iCalendar PARTSTAT
PARTSTAT = {
    "needs_action": "NEEDS-ACTION",
    "accepted": "ACCEPTED",
    "declined": "DECLINED",
    "tentative": "TENTATIVE",
    "delegated": "DELEGATED",
}
RESPONSE_OF_PARTSTAT = {value: key for key, value in PARTSTAT.items()}
ROLE = {
    "chair": "CHAIR",
    "required": "REQ-PARTICIPANT",
    "optional": "OPT-PARTICIPANT",
    "non_participant": "NON-PARTICIPANT",
}
METHODS = frozenset({"REQUEST", "CANCEL", "PUBLISH", "REPLY"})


class ICalError(ValueError):
    """A calendar object we cannot read; the message says what is wrong."""


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    role: str = "required"  # an InviteeRole value
    response: str = "needs_action"  # a ResponseStatus value
    rsvp: bool = True
    delegated_to: str = ""  # email, for a response of "delegated"
    delegated_from: str = ""  # email of the person who sent this one as a deputy


@dataclass(frozen=True)
class EventData:
    """One VEVENT as Convene means it: a whole meeting or one child's slot within it."""

    uid: str
    sequence: int
    summary: str
    starts_at: datetime  # aware
    ends_at: datetime  # aware
    organizer: Person
    location: str = ""
    description: str = ""
    url: str = ""
    attendees: tuple[Person, ...] = ()
    cancelled: bool = False
    created: datetime | None = None
    last_modified: datetime | None = None
    alarm_minutes: int | None = 15

    def __post_init__(self) -> None:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ICalError("Event times must be timezone-aware.")
        if self.ends_at <= self.starts_at:
            raise ICalError("An event must end after it starts.")


@dataclass(frozen=True)
class Reply:
    """What one attendee said about one event in a METHOD:REPLY."""

    uid: str
    attendee_email: str
    response: str  # a ResponseStatus value
    sequence: int = 0
    comment: str = ""
    recurrence_id: str = ""
    delegated_to: str = ""
    attendee_name: str = ""
    stamp: datetime | None = None  # DTSTAMP (UTC): among answers to one SEQUENCE the later one wins


@dataclass
class FeedInfo:
    name: str
    refresh_minutes: int = 60
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _local_or_utc(value: datetime) -> datetime:
    """London time with its TZID, except in the hour repeated when BST ends: RFC 5545 reads a TZID time
    there as its first occurrence (BST), so the second one is written in UTC to keep its instant."""
    local = value.astimezone(LONDON)
    if local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
        return _utc(value)
    return local


def _address(person: Person, *, attendee: bool) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = vText(person.name or person.email)
    if attendee:
        address.params["CUTYPE"] = "INDIVIDUAL"
        address.params["ROLE"] = ROLE.get(person.role, "REQ-PARTICIPANT")
        address.params["PARTSTAT"] = PARTSTAT.get(person.response, "NEEDS-ACTION")
        if person.rsvp and person.role != "chair":
            address.params["RSVP"] = "TRUE"
        if person.delegated_to:
            address.params["DELEGATED-TO"] = f"mailto:{person.delegated_to}"
        if person.delegated_from:
            address.params["DELEGATED-FROM"] = f"mailto:{person.delegated_from}"
    return address


def event_component(data: EventData, *, method: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", data.uid)
    event.add("dtstamp", _utc(stamp))
    event.add("sequence", data.sequence)
    cancelled = data.cancelled or method == "CANCEL"
    summary = f"Cancelled: {data.summary}" if data.cancelled else data.summary
    event.add("summary", summary)
    event.add("dtstart", _local_or_utc(data.starts_at))
    event.add("dtend", _local_or_utc(data.ends_at))
    if data.location:
        event.add("location", data.location)
    if data.description:
        event.add("description", data.description)
    if data.url:
        event.add("url", data.url)
    if data.created:
        event.add("created", _utc(data.created))
    if data.last_modified:
        event.add("last-modified", _utc(data.last_modified))
    if data.cancelled:
        event.add("status", "CANCELLED")
    elif method != "CANCEL":  # a CANCEL that withdraws one attendee changes no STATUS (RFC 5546 §3.2.5)
        event.add("status", "CONFIRMED")
    if method == "REQUEST":  # Convene takes no COUNTER: Outlook hides "Propose new time"
        event.add("x-microsoft-disallow-counter", "TRUE")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    event.add("organizer", _address(data.organizer, attendee=False))
    for person in data.attendees:
        event.add("attendee", _address(person, attendee=True))
    if data.alarm_minutes and not cancelled and method in ("REQUEST", "PUBLISH"):
        from icalendar import Alarm

        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", data.summary)
        alarm.add("trigger", timedelta(minutes=-data.alarm_minutes))
        event.add_component(alarm)
    return event


def calendar_bytes(events: list[EventData], *, method: str | None, stamp: datetime,
                   feed: FeedInfo | None = None) -> bytes:
    """One VCALENDAR holding ``events`` (and the London VTIMEZONE when any is timed)."""
    if method is not None and method not in METHODS:
        raise ICalError(f"Unknown iTIP method {method!r}.")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if feed is not None:
        calendar.add("x-wr-calname", feed.name)
        calendar.add("name", feed.name)
        if feed.description:
            calendar.add("x-wr-caldesc", feed.description)
        refresh = vDuration(timedelta(minutes=feed.refresh_minutes))
        refresh.params["VALUE"] = "DURATION"
        calendar.add("refresh-interval", refresh)
        calendar.add("x-published-ttl", vDuration(timedelta(minutes=feed.refresh_minutes)))
    if events:
        calendar.add_component(Timezone.from_ical(EUROPE_LONDON_VTIMEZONE))
    for data in events:
        calendar.add_component(event_component(data, method=method or "PUBLISH", stamp=stamp))
    ical: bytes = calendar.to_ical()  # icalendar types it as Any
    return ical


def _email_of(value: object) -> str:
    text = str(value or "").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text.strip().lower()


def _sequence_of(event: Any, uid: str) -> int:
    raw = event.get("sequence", 0)
    text = raw.to_ical().decode() if hasattr(raw, "to_ical") else str(raw)
    try:
        value = int(str(text).strip() or 0)
    except ValueError as exc:
        raise ICalError(f"SEQUENCE {text!r} in the reply for {uid} is not a number.") from exc
    if value < 0:
        raise ICalError(f"SEQUENCE {value} in the reply for {uid} is negative.")
    return value


def _stamp_of(event: Any, uid: str) -> datetime | None:
    raw = event.get("dtstamp")
    if raw is None:
        return None
    value = getattr(raw, "dt", None)
    if not isinstance(value, datetime):
        raise ICalError(f"DTSTAMP in the reply for {uid} is not a date-time.")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _event_replies(event: Any, uid: str) -> list[Reply]:
    """Every (attendee, PARTSTAT) of one VEVENT of a REPLY."""
    attendees = event.get("attendee")
    if attendees is None:
        raise ICalError(f"The reply for {uid} names no ATTENDEE.")
    if not isinstance(attendees, list):
        attendees = [attendees]
    sequence = _sequence_of(event, uid)
    stamp = _stamp_of(event, uid)
    comment = str(event.get("x-response-comment", "") or event.get("comment", "") or "").strip()
    recurrence = event.get("recurrence-id")
    replies: list[Reply] = []
    for attendee in attendees:
        partstat = str(attendee.params.get("PARTSTAT", "NEEDS-ACTION")).upper()
        if partstat not in RESPONSE_OF_PARTSTAT:
            raise ICalError(f"Unknown PARTSTAT {partstat!r} in the reply for {uid}.")
        # Gmail puts the attendee's note in an ATTENDEE parameter
        own = str(attendee.params.get("X-RESPONSE-COMMENT", "") or "").strip()
        replies.append(Reply(
            uid=uid, attendee_email=_email_of(attendee), response=RESPONSE_OF_PARTSTAT[partstat],
            sequence=sequence, comment=(own or comment)[:500],
            recurrence_id=recurrence.to_ical().decode() if recurrence is not None else "",
            delegated_to=_email_of(attendee.params.get("DELEGATED-TO", "")),
            attendee_name=str(attendee.params.get("CN", "")), stamp=stamp,
        ))
    return replies


def replies_parse(data: bytes | str) -> list[Reply]:
    """Read an iTIP REPLY: every (event, attendee, PARTSTAT) it carries.

    Raises ICalError naming what is wrong: not iCalendar, not a REPLY, no UID or no attendee.
    """
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as exc:
        raise ICalError(f"This is not an iCalendar object: {exc}") from exc
    method = str(calendar.get("method", "")).upper()
    if method == "COUNTER":
        raise ICalError("Convene takes no proposals of a new time (COUNTER): ask the chair by email instead.")
    if method != "REPLY":
        raise ICalError(f"Expected METHOD:REPLY, got {method or 'no METHOD'}.")
    replies: list[Reply] = []
    for event in calendar.walk("VEVENT"):
        uid = str(event.get("uid", "")).strip()
        if not uid:
            raise ICalError("The reply has an event without a UID.")
        try:
            replies += _event_replies(event, uid)
        except ICalError:
            raise
        except ValueError as exc:  # icalendar's BrokenCalendarProperty (an empty or garbled DTSTAMP, say)
            raise ICalError(f"The reply for {uid} cannot be read: {exc}") from exc
    if not replies:
        raise ICalError("The reply holds no event.")
    return replies


def reply_bytes(*, uid: str, sequence: int, organizer: Person, attendee: Person, stamp: datetime,
                comment: str = "") -> bytes:
    """A METHOD:REPLY as a calendar client would send it (used by tests and by the demo's mailbox)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "REPLY")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", _utc(stamp))
    event.add("sequence", sequence)
    event.add("organizer", _address(organizer, attendee=False))
    event.add("attendee", _address(Person(attendee.name, attendee.email, attendee.role, attendee.response,
                                          rsvp=False, delegated_to=attendee.delegated_to), attendee=True))
    if comment:
        event.add("comment", comment)
    calendar.add_component(event)
    ical: bytes = calendar.to_ical()  # icalendar types it as Any
    return ical
