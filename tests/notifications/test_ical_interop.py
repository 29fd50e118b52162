"""The iCalendar Convene writes, read by independent parsers and a real CalDAV server.

Each test names the point of ``docs/calendar-interop.md`` (C1–C10) it proves. The objects are built with
``notifications.ical`` exactly as the invite and feed code builds them; the readers are icalendar, vobject
(with its process-wide TZID registry cleared, so it reads *our* VTIMEZONE), ics-py and
recurring-ical-events, and Radicale (which parses with vobject) over raw CalDAV HTTP.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.conf import settings

from notifications.ical import (
    EUROPE_LONDON_VTIMEZONE,
    EventData,
    FeedInfo,
    ICalError,
    Person,
    calendar_bytes,
    replies_parse,
    reply_bytes,
)
from tests.notifications.peers import (
    as_caldav_resource,
    needs_radicale,
    radicale,  # noqa: F401 (fixture)
    times_icalendar,
    times_vobject,
    unfolded_lines,
    utc_times,
    vobject_forget_timezones,
)

LONDON = ZoneInfo("Europe/London")
DOMAIN = "convene.example"
ORGANIZER = Person("High Risk Panel (Northbridge YJS)", "panels@convene.example", role="chair")
CHAIR = Person("Sam Chair", "chair@yjs.example", role="chair", response="accepted")
PARTNER = Person("Smith, Jo: Probation", "Jo.Smith@Probation.example")
OPTIONAL = Person("Zoë Okafor", "zoe@police.example", role="optional", response="tentative")
OBSERVER = Person("Minute Taker", "minutes@yjs.example", role="non_participant", rsvp=False)
DEPUTY = Person("Dee Deputy", "dee@probation.example", delegated_from="jo.smith@probation.example")
LOCATION = "Room 2, HMYOI Larkhollow; https://video.example/j/123?pwd=a,b"


def uid() -> str:
    return f"meeting-{uuid.uuid4()}@{DOMAIN}"


def event(starts_at: datetime, ends_at: datetime | None = None, **changes) -> EventData:
    values = dict(
        uid=uid(), sequence=0, summary="High Risk Panel — Thu 14 Jan 2027", starts_at=starts_at,
        ends_at=ends_at or starts_at + timedelta(hours=2), organizer=ORGANIZER, location=LOCATION,
        description="Papers are in Convene (sign-in needed): https://convene.example/meetings/7/",
        url="https://convene.example/meetings/7/", attendees=(CHAIR, PARTNER, OPTIONAL, OBSERVER, DEPUTY),
        created=datetime(2026, 11, 1, 9, 0, tzinfo=UTC), last_modified=datetime(2026, 11, 20, 16, 5, tzinfo=LONDON),
    )
    values.update(changes)
    return EventData(**values)


def parsed(ics: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(ics)


def lines_named(ics: bytes, name: str) -> list[str]:
    return [line for line in unfolded_lines(ics) if re.match(rf"{name}[;:]", line)]


def at(year, month, day, hour, minute=0, tz=LONDON) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=tz)


# (local start, local end, UTC start, UTC end): winter, summer, and either side of both changes
TIMES = {
    "winter (GMT)": (at(2027, 1, 14, 10), at(2027, 1, 14, 12),
                     at(2027, 1, 14, 10, tz=UTC), at(2027, 1, 14, 12, tz=UTC)),
    "summer (BST)": (at(2026, 7, 9, 10), at(2026, 7, 9, 12), at(2026, 7, 9, 9, tz=UTC), at(2026, 7, 9, 11, tz=UTC)),
    "friday before the October change": (at(2026, 10, 23, 9, 30), at(2026, 10, 23, 11),
                                         at(2026, 10, 23, 8, 30, tz=UTC), at(2026, 10, 23, 10, tz=UTC)),
    "monday after the October change": (at(2026, 10, 26, 9, 30), at(2026, 10, 26, 11),
                                        at(2026, 10, 26, 9, 30, tz=UTC), at(2026, 10, 26, 11, tz=UTC)),
    "across the October change": (at(2026, 10, 24, 23), at(2026, 10, 25, 3),
                                  at(2026, 10, 24, 22, tz=UTC), at(2026, 10, 25, 3, tz=UTC)),
    "friday before the March change": (at(2027, 3, 26, 10), at(2027, 3, 26, 12),
                                       at(2027, 3, 26, 10, tz=UTC), at(2027, 3, 26, 12, tz=UTC)),
    "monday after the March change": (at(2027, 3, 29, 10), at(2027, 3, 29, 12),
                                      at(2027, 3, 29, 9, tz=UTC), at(2027, 3, 29, 11, tz=UTC)),
    "across the March change": (at(2027, 3, 28, 0, 30), at(2027, 3, 28, 3),
                                at(2027, 3, 28, 0, 30, tz=UTC), at(2027, 3, 28, 2, tz=UTC)),
}


# --- C5: four parsers agree on the instant, across the GMT/BST changes --------------------------------
@pytest.mark.parametrize("case", list(TIMES))
def test_four_parsers_agree_on_the_utc_instant(case):
    start, end, utc_start, utc_end = TIMES[case]
    ics = calendar_bytes([event(start, end)], method="REQUEST", stamp=datetime.now(UTC))
    assert utc_times(ics, utc_start) == {parser: [(utc_start, utc_end)] for parser in
                                         ("icalendar", "vobject", "ics", "recurring-ical-events")}
    # written in London wall-clock time with a TZID, not converted to UTC
    assert lines_named(ics, "DTSTART")[-1] == f"DTSTART;TZID=Europe/London:{start:%Y%m%dT%H%M%S}"


def test_a_feed_of_every_case_in_one_object_reads_the_same_in_every_parser():
    events = [event(start, end) for start, end, _, _ in TIMES.values()]
    ics = calendar_bytes(events, method=None, stamp=datetime.now(UTC), feed=FeedInfo("My panels"))
    expected = sorted((utc_start, utc_end) for _, _, utc_start, utc_end in TIMES.values())
    readings = utc_times(ics, datetime(2026, 12, 1, tzinfo=UTC))
    assert readings["icalendar"] == readings["vobject"] == readings["ics"] == expected
    # recurring-ical-events is asked for a window; it finds exactly the events inside it
    import recurring_ical_events

    window = recurring_ical_events.of(parsed(ics)).between(datetime(2026, 1, 1, tzinfo=UTC),
                                                           datetime(2028, 1, 1, tzinfo=UTC))
    assert sorted((e["DTSTART"].dt.astimezone(UTC), e["DTEND"].dt.astimezone(UTC)) for e in window) == expected


def test_vobject_reads_our_vtimezone_not_its_own_table():
    """With the registry cleared, the offset vobject applies comes from the VTIMEZONE in the object (a dateutil
    tzical zone), so the agreement above is about our block, not about pytz's tables."""
    import vobject

    ics = calendar_bytes([event(*TIMES["winter (GMT)"][:2])], method="REQUEST", stamp=datetime.now(UTC))
    vobject_forget_timezones()
    tzinfo = vobject.readOne(ics.decode()).vevent.dtstart.value.tzinfo
    assert "pytz" not in type(tzinfo).__module__ and "dateutil" in type(tzinfo).__module__


def test_the_parsers_would_catch_a_bad_vtimezone():
    """Control: the RDATE-form VTIMEZONE icalendar generates is misread by vobject (and so Radicale) in
    winter. The parser matrix above sees the difference, so its agreement is meaningful."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//control//EN")
    calendar.add("version", "2.0")
    vevent = icalendar.Event()
    vevent.add("uid", uid())
    vevent.add("dtstamp", datetime.now(UTC))
    vevent.add("dtstart", at(2026, 11, 2, 9, 30))
    vevent.add("dtend", at(2026, 11, 2, 10, 30))
    calendar.add_component(vevent)
    calendar.add_missing_timezones()
    ics = calendar.to_ical()
    assert b"RDATE" in ics
    assert times_icalendar(ics) == [(at(2026, 11, 2, 9, 30, tz=UTC), at(2026, 11, 2, 10, 30, tz=UTC))]
    assert times_vobject(ics) != times_icalendar(ics)


@pytest.mark.parametrize("minutes", [0, 30, 59])
def test_a_time_in_the_repeated_october_hour_keeps_its_instant(minutes):
    """01:00-01:59 London happens twice on the last Sunday of October; RFC 5545 §3.3.5 reads a TZID time there
    as the first (BST) one. The second one is written in UTC so that every parser keeps its instant."""
    start = at(2026, 10, 25, 1, minutes, tz=UTC)  # the second 01:xx of that night in London (GMT)
    end = start + timedelta(hours=1)
    ics = calendar_bytes([event(start, end)], method="REQUEST", stamp=datetime.now(UTC))
    assert {parser: times for parser, times in utc_times(ics, start).items()} == {
        parser: [(start, end)] for parser in ("icalendar", "vobject", "ics", "recurring-ical-events")}
    vevent_lines = [line for line in unfolded_lines(ics) if line.startswith(("DTSTART", "DTEND"))][-2:]
    assert vevent_lines[0] == f"DTSTART:{start:%Y%m%dT%H%M%S}Z"  # UTC form, no TZID
    assert vevent_lines[1].startswith("DTEND;TZID=Europe/London:")  # 02:xx GMT is unambiguous
    # the first 01:30 (BST) of that night: either form is exact (TZID reads as the first occurrence)
    first = at(2026, 10, 25, 0, 30, tz=UTC)
    ics = calendar_bytes([event(first, first + timedelta(minutes=30))], method="REQUEST", stamp=datetime.now(UTC))
    assert lines_named(ics, "DTSTART")[-1] in ("DTSTART;TZID=Europe/London:20261025T013000",
                                                "DTSTART:20261025T003000Z")
    assert {parser: times for parser, times in utc_times(ics, first).items()} == {
        parser: [(first, first + timedelta(minutes=30))]
        for parser in ("icalendar", "vobject", "ics", "recurring-ical-events")}


# --- C5: the VTIMEZONE itself ----------------------------------------------------------------------
def test_vtimezone_is_europe_london_in_rrule_form_and_covers_every_tzid():
    ics = calendar_bytes([event(*TIMES["summer (BST)"][:2]), event(*TIMES["winter (GMT)"][:2])],
                         method="REQUEST", stamp=datetime.now(UTC))
    calendar = parsed(ics)
    zones = calendar.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Europe/London"]  # one block, shared by both events
    daylight, standard = zones[0].walk("DAYLIGHT")[0], zones[0].walk("STANDARD")[0]
    assert daylight["RRULE"] == {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["-1SU"]}
    assert standard["RRULE"] == {"FREQ": ["YEARLY"], "BYMONTH": [10], "BYDAY": ["-1SU"]}
    assert (daylight["TZOFFSETFROM"].to_ical(), daylight["TZOFFSETTO"].to_ical()) == ("+0000", "+0100")
    assert (standard["TZOFFSETFROM"].to_ical(), standard["TZOFFSETTO"].to_ical()) == ("+0100", "+0000")
    assert daylight["DTSTART"].to_ical() == b"19700329T010000"
    assert standard["DTSTART"].to_ical() == b"19701025T020000"
    assert "RDATE" not in ics.decode()
    # every TZID used has a VTIMEZONE (RFC 5545 §3.2.19), checked by icalendar and by hand
    assert calendar.get_used_tzids() == {"Europe/London"} and not calendar.get_missing_tzids()
    used = set(re.findall(r";TZID=([^;:]+)", "\n".join(line for line in unfolded_lines(ics)
                                                       if not line.startswith("TZID"))))
    assert used == set(re.findall(r"^TZID:(.+)$", "\n".join(unfolded_lines(ics)), re.M)) == {"Europe/London"}
    # the block is the checklist's, line for line (property order aside)
    block = re.search(r"BEGIN:VTIMEZONE\r\n.*?END:VTIMEZONE\r\n", ics.decode(), re.S).group(0)
    assert sorted(block.split("\r\n")) == sorted(
        EUROPE_LONDON_VTIMEZONE.replace("BYMONTH=3;BYDAY=-1SU", "BYDAY=-1SU;BYMONTH=3")
        .replace("BYMONTH=10;BYDAY=-1SU", "BYDAY=-1SU;BYMONTH=10").split("\r\n"))


def test_no_z_on_tzid_times_no_floating_times_and_utc_stamps():
    ics = calendar_bytes([event(*TIMES["across the March change"][:2])], method="REQUEST",
                         stamp=datetime.now(LONDON))
    lines = unfolded_lines(ics)
    tzid_lines = [line for line in lines if ";TZID=" in line]
    assert tzid_lines and not [line for line in tzid_lines if line.endswith("Z")]
    in_event = lines[lines.index("BEGIN:VEVENT"):lines.index("END:VEVENT")]
    for name in ("DTSTART", "DTEND"):
        (line,) = [line for line in in_event if line.startswith(name)]
        assert line.startswith(f"{name};TZID=Europe/London:")  # never floating
    for name in ("DTSTAMP", "CREATED", "LAST-MODIFIED"):
        (line,) = [line for line in in_event if line.startswith(name)]
        assert re.fullmatch(rf"{name}:\d{{8}}T\d{{6}}Z", line), line


def test_an_object_without_events_has_no_timezone_to_explain():
    ics = calendar_bytes([], method=None, stamp=datetime.now(UTC), feed=FeedInfo("Nothing yet"))
    calendar = parsed(ics)
    assert not calendar.walk("VTIMEZONE") and not calendar.get_used_tzids()


# --- C1: methods -----------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["REQUEST", "CANCEL", "PUBLISH"])
def test_method_is_written_once_and_as_asked(method):
    ics = calendar_bytes([event(*TIMES["winter (GMT)"][:2], cancelled=method == "CANCEL")], method=method,
                         stamp=datetime.now(UTC))
    assert lines_named(ics, "METHOD") == [f"METHOD:{method}"]
    assert str(parsed(ics)["METHOD"]) == method


def test_an_unknown_method_is_refused():
    with pytest.raises(ICalError, match="Unknown iTIP method 'COUNTER'"):
        calendar_bytes([event(*TIMES["winter (GMT)"][:2])], method="COUNTER", stamp=datetime.now(UTC))


# --- C3: UID, SEQUENCE, DTSTAMP --------------------------------------------------------------------
def test_meeting_uid_is_host_qualified_and_stable(world):
    meeting = world.meeting
    first = meeting.ical_uid
    assert re.fullmatch(rf"meeting-[0-9a-f-]{{36}}@{re.escape(settings.SITE_DOMAIN)}", first)
    meeting.starts_at += timedelta(days=1)
    meeting.ends_at += timedelta(days=1)
    meeting.location = "Room 9"
    meeting.save()
    meeting.refresh_from_db()
    assert meeting.ical_uid == first  # stable for the life of the meeting
    assert world.draft_meeting.ical_uid != first  # one per meeting, never a list position


def test_uid_and_sequence_are_written_as_given_and_dtstamp_is_fresh_utc():
    data = event(*TIMES["summer (BST)"][:2], sequence=3)
    before = datetime.now(UTC).replace(microsecond=0)
    first = calendar_bytes([data], method="REQUEST", stamp=datetime.now(UTC))
    later = calendar_bytes([data], method="REQUEST", stamp=datetime.now(UTC) + timedelta(minutes=5))
    vevent = parsed(first).walk("VEVENT")[0]
    assert str(vevent["UID"]) == data.uid and data.uid.endswith(f"@{DOMAIN}")
    assert vevent["SEQUENCE"] == 3 and lines_named(first, "SEQUENCE") == ["SEQUENCE:3"]
    (stamp_line,) = lines_named(first, "DTSTAMP")
    assert stamp_line.endswith("Z")
    assert before <= vevent["DTSTAMP"].dt <= datetime.now(UTC)  # when this object was made
    assert lines_named(later, "DTSTAMP") != lines_named(first, "DTSTAMP")  # each message its own stamp
    assert parsed(later).walk("VEVENT")[0]["UID"] == vevent["UID"]
    # a stamp given in London summer time is still written as UTC
    summer_stamp = at(2026, 7, 1, 12)
    assert lines_named(calendar_bytes([data], method="REQUEST", stamp=summer_stamp), "DTSTAMP") == [
        "DTSTAMP:20260701T110000Z"]


# --- C4: ORGANIZER and ATTENDEE --------------------------------------------------------------------
def test_organizer_and_attendees_are_bare_mailto_with_cn_role_partstat_rsvp_cutype():
    ics = calendar_bytes([event(*TIMES["winter (GMT)"][:2])], method="REQUEST", stamp=datetime.now(UTC))
    (organizer_line,) = lines_named(ics, "ORGANIZER")
    assert organizer_line == 'ORGANIZER;CN="High Risk Panel (Northbridge YJS)":mailto:panels@convene.example'
    for line in lines_named(ics, "ATTENDEE"):
        assert re.search(r":mailto:[^\s<>\"]+@[^\s<>\"]+$", line), line  # bare address, name only in CN
    vevent = parsed(ics).walk("VEVENT")[0]
    attendees = {str(a): dict(a.params) for a in vevent["ATTENDEE"]}
    assert attendees == {
        "mailto:chair@yjs.example": {"CN": "Sam Chair", "CUTYPE": "INDIVIDUAL", "ROLE": "CHAIR",
                                     "PARTSTAT": "ACCEPTED"},
        "mailto:Jo.Smith@Probation.example": {"CN": "Smith, Jo: Probation", "CUTYPE": "INDIVIDUAL",
                                              "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE"},
        "mailto:zoe@police.example": {"CN": "Zoë Okafor", "CUTYPE": "INDIVIDUAL", "ROLE": "OPT-PARTICIPANT",
                                      "PARTSTAT": "TENTATIVE", "RSVP": "TRUE"},
        "mailto:minutes@yjs.example": {"CN": "Minute Taker", "CUTYPE": "INDIVIDUAL", "ROLE": "NON-PARTICIPANT",
                                       "PARTSTAT": "NEEDS-ACTION"},
        "mailto:dee@probation.example": {"CN": "Dee Deputy", "CUTYPE": "INDIVIDUAL", "ROLE": "REQ-PARTICIPANT",
                                         "PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE",
                                         "DELEGATED-FROM": "mailto:jo.smith@probation.example"},
    }
    assert vevent["ORGANIZER"].params["CN"] == ORGANIZER.name


def test_other_parsers_read_the_same_people_and_escaped_text():
    import ics as ics_py
    import vobject

    ics = calendar_bytes([event(*TIMES["winter (GMT)"][:2])], method="REQUEST", stamp=datetime.now(UTC))
    expected = {(p.email.lower(), p.name) for p in (CHAIR, PARTNER, OPTIONAL, OBSERVER, DEPUTY)}
    vobject_forget_timezones()
    vevent = vobject.readOne(ics.decode()).vevent
    assert {(a.value.removeprefix("mailto:").lower(), a.params["CN"][0]) for a in vevent.attendee_list} == expected
    assert vevent.organizer.value == "mailto:panels@convene.example" and vevent.location.value == LOCATION
    (ics_event,) = ics_py.Calendar(ics.decode()).events
    assert {(a.email.lower(), a.common_name) for a in ics_event.attendees} == expected
    assert ics_event.location == LOCATION and ics_event.organizer.email == "panels@convene.example"


# --- C6: a rule-built series is single events, one UID each, that keep 10:00 local all year ----------
def test_a_years_monthly_panels_are_single_events_that_do_not_drift():
    """Convene models each occurrence as its own event (own agenda, minutes, attendees): no RRULE/RDATE
    in any VEVENT, a distinct UID each, and every parser puts each at 10:00 London time, summer or winter."""
    starts = [at(2026, month, 8, 10) for month in range(1, 13)] + [at(2027, 1, 14, 10)]
    events = [event(start, start + timedelta(hours=2)) for start in starts]
    ics = calendar_bytes(events, method=None, stamp=datetime.now(UTC), feed=FeedInfo("High Risk Panel"))
    calendar = parsed(ics)
    vevents = calendar.walk("VEVENT")
    assert len({str(e["UID"]) for e in vevents}) == len(starts)
    assert not [e for e in vevents if {"RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"} & set(e)]
    readings = utc_times(ics, datetime(2026, 7, 1, tzinfo=UTC))
    expected = sorted((s.astimezone(UTC), s.astimezone(UTC) + timedelta(hours=2)) for s in starts)
    assert readings["icalendar"] == readings["vobject"] == readings["ics"] == expected
    assert {s.astimezone(LONDON).hour for s, _ in readings["vobject"]} == {10}  # no drift across BST
    assert {s.hour for s, _ in expected} == {9, 10}  # and the UTC hour does change: the test has teeth


# --- C7 (and C1): cancellation and updates ---------------------------------------------------------
def test_cancel_keeps_uid_raises_sequence_and_says_cancelled():
    data = event(*TIMES["summer (BST)"][:2], sequence=2)
    request = parsed(calendar_bytes([data], method="REQUEST", stamp=datetime.now(UTC))).walk("VEVENT")[0]
    cancel_ics = calendar_bytes([event(data.starts_at, data.ends_at, uid=data.uid, sequence=3, cancelled=True)],
                                method="CANCEL", stamp=datetime.now(UTC))
    cancel = parsed(cancel_ics).walk("VEVENT")[0]
    assert lines_named(cancel_ics, "METHOD") == ["METHOD:CANCEL"]
    assert cancel["UID"] == request["UID"] and cancel["SEQUENCE"] > request["SEQUENCE"]
    assert str(cancel["STATUS"]) == "CANCELLED" and str(request["STATUS"]) == "CONFIRMED"
    assert str(cancel["SUMMARY"]) == f"Cancelled: {data.summary}"
    assert "ORGANIZER" in cancel and len(cancel["ATTENDEE"]) == len(data.attendees)  # the attendee list travels
    assert not cancel.walk("VALARM") and request.walk("VALARM")  # no alarm for a cancelled meeting


def test_withdrawing_one_attendee_is_a_cancel_without_a_status_change():
    data = event(*TIMES["summer (BST)"][:2], sequence=1, attendees=(PARTNER,))
    ics = calendar_bytes([data], method="CANCEL", stamp=datetime.now(UTC))
    vevent = parsed(ics).walk("VEVENT")[0]
    assert lines_named(ics, "METHOD") == ["METHOD:CANCEL"]
    assert "STATUS" not in vevent and not str(vevent["SUMMARY"]).startswith("Cancelled")
    assert str(vevent["ATTENDEE"]) == f"mailto:{PARTNER.email}"  # names only the person withdrawn


# --- C8: content fields ----------------------------------------------------------------------------
def test_join_link_url_and_alarm():
    ics = calendar_bytes([event(*TIMES["winter (GMT)"][:2])], method="REQUEST", stamp=datetime.now(UTC))
    vevent = parsed(ics).walk("VEVENT")[0]
    assert "https://video.example/j/123" in str(vevent["LOCATION"])
    assert str(vevent["URL"]) == "https://convene.example/meetings/7/"
    (alarm,) = vevent.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY" and alarm["TRIGGER"].dt == timedelta(minutes=-15)


# --- C9: feeds -------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", [None, "PUBLISH"])
def test_feed_headers(method):
    events = [event(*TIMES["winter (GMT)"][:2]), event(*TIMES["summer (BST)"][:2], cancelled=True)]
    ics = calendar_bytes(events, method=method, stamp=datetime.now(UTC),
                         feed=FeedInfo("My panels — Convene", refresh_minutes=60))
    assert lines_named(ics, "METHOD") == ([] if method is None else ["METHOD:PUBLISH"])
    assert lines_named(ics, "REFRESH-INTERVAL") == ["REFRESH-INTERVAL;VALUE=DURATION:PT1H"]
    assert lines_named(ics, "X-PUBLISHED-TTL") == ["X-PUBLISHED-TTL:PT1H"]
    assert lines_named(ics, "X-WR-CALNAME") == ["X-WR-CALNAME:My panels — Convene"]
    statuses = [str(e["STATUS"]) for e in parsed(ics).walk("VEVENT")]
    assert statuses == ["CONFIRMED", "CANCELLED"]  # a feed cannot carry a CANCEL: the event is marked
    hours = calendar_bytes(events, method=None, stamp=datetime.now(UTC), feed=FeedInfo("x", refresh_minutes=90))
    assert lines_named(hours, "REFRESH-INTERVAL") == ["REFRESH-INTERVAL;VALUE=DURATION:PT1H30M"]


def test_the_served_feed_meets_c9_c10_and_reads_the_same_everywhere(world, client):
    """The real webcal endpoint: feed headers (C9), serialisation (C10), the instants in four parsers (C5),
    a cancelled meeting kept and marked, no other attendees and no child named (C8)."""
    from django.urls import reverse

    from notifications.feeds import feed_token_create
    from panels.enums import MeetingStatus
    from tests.factories import InviteeFactory, MeetingFactory

    user = world.users["invited_partner"]
    summer = MeetingFactory(panel=world.panel, status=MeetingStatus.CANCELLED, starts_at=at(2027, 7, 8, 10),
                            ends_at=at(2027, 7, 8, 12), video_link="https://video.example/j/77")
    InviteeFactory(meeting=summer, user=user)
    token = feed_token_create(user=user)
    response = client.get(reverse("calendar_feed", args=[token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    ics = response.content
    assert lines_named(ics, "METHOD") in ([], ["METHOD:PUBLISH"])
    assert lines_named(ics, "REFRESH-INTERVAL") == ["REFRESH-INTERVAL;VALUE=DURATION:PT1H"]
    assert lines_named(ics, "X-PUBLISHED-TTL") == ["X-PUBLISHED-TTL:PT1H"] and lines_named(ics, "X-WR-CALNAME")
    physical = ics.split(b"\r\n")[:-1]
    assert ics.count(b"BEGIN:VCALENDAR") == 1 and ics.endswith(b"END:VCALENDAR\r\n") and all(physical)
    assert max(len(line) for line in physical) <= 75 and b"\n" not in b"".join(physical)
    meetings = [world.meeting, summer]
    expected = sorted((m.starts_at.astimezone(UTC), m.ends_at.astimezone(UTC)) for m in meetings)
    readings = utc_times(ics, world.meeting.starts_at)
    assert readings["icalendar"] == readings["vobject"] == readings["ics"] == expected
    by_uid = {str(e["UID"]): e for e in parsed(ics).walk("VEVENT")}
    assert set(by_uid) == {m.ical_uid for m in meetings}
    assert str(by_uid[summer.ical_uid]["STATUS"]) == "CANCELLED"
    assert str(by_uid[world.meeting.ical_uid]["STATUS"]) != "CANCELLED"
    assert not [e for e in by_uid.values() if "ATTENDEE" in e]  # a feed lists nobody else
    text = ics.decode()
    for child in (world.child, world.other_child):
        assert child.reference not in text and child.family_name not in text
    assert client.get(reverse("calendar_feed", args=[token + "x"])).status_code == 404


# --- C10: serialisation ----------------------------------------------------------------------------
def test_crlf_folding_one_calendar_no_blank_lines_prodid_version():
    long_text = "Panel — revue des dossiers, Zoë’s agency 🗓 " * 12
    data = event(*TIMES["across the October change"][:2], summary=long_text[:200], description=long_text,
                 location=LOCATION * 3)
    ics = calendar_bytes([data, event(*TIMES["summer (BST)"][:2])], method="REQUEST", stamp=datetime.now(UTC))
    assert ics.endswith(b"END:VCALENDAR\r\n") and not ics.endswith(b"\r\n\r\n")
    physical = ics.split(b"\r\n")[:-1]
    assert b"\n" not in b"".join(physical) and b"\r" not in b"".join(physical)  # CRLF only, no bare CR or LF
    assert all(physical), "no blank lines"
    assert max(len(line) for line in physical) <= 75  # octets, not characters
    for line in physical:
        line.decode("utf-8")  # folding never splits a multi-byte character
    assert any(line.startswith(b" ") for line in physical)  # long values were folded
    assert ics.count(b"BEGIN:VCALENDAR") == 1 and ics.startswith(b"BEGIN:VCALENDAR\r\n")
    top = unfolded_lines(ics)[: unfolded_lines(ics).index("BEGIN:VTIMEZONE")]
    assert "VERSION:2.0" in top and any(line.startswith("PRODID:-//Convene//") for line in top)
    assert str(parsed(ics).walk("VEVENT")[0]["DESCRIPTION"]) == long_text  # folding round-trips exactly


# --- C4: REPLY parsing -----------------------------------------------------------------------------
@pytest.mark.parametrize("response", ["accepted", "declined", "tentative", "delegated"])
def test_reply_round_trip(response):
    meeting_uid = uid()
    attendee = Person("Jo Smith", "Jo.Smith@Probation.example", response=response,
                      delegated_to="dee@probation.example" if response == "delegated" else "")
    data = reply_bytes(uid=meeting_uid, sequence=2, organizer=ORGANIZER, attendee=attendee,
                       stamp=datetime.now(UTC), comment="Running 10 minutes late; will join by video")
    assert lines_named(data, "METHOD") == ["METHOD:REPLY"]
    (reply,) = replies_parse(data)
    assert (reply.uid, reply.attendee_email, reply.response, reply.sequence, reply.attendee_name) == (
        meeting_uid, "jo.smith@probation.example", response, 2, "Jo Smith")
    assert reply.comment == "Running 10 minutes late; will join by video"
    assert reply.delegated_to == ("dee@probation.example" if response == "delegated" else "")


OUTLOOK_REPLY = (
    "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\n"
    "BEGIN:VEVENT\r\n"
    "ATTENDEE;PARTSTAT=accepted;CN=Jo Smith:MAILTO:JO.SMITH@PROBATION.EXAMPLE\r\n"
    "X-RESPONSE-COMMENT:See you there\r\n"
    "UID:{uid}\r\nRECURRENCE-ID;TZID=Europe/London:20270114T100000\r\nSEQUENCE:4\r\n"
    "DTSTAMP:20261123T101500Z\r\nSUMMARY:Accepted: High Risk Panel\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_a_reply_as_outlook_writes_it():
    meeting_uid = uid()
    (reply,) = replies_parse(OUTLOOK_REPLY.format(uid=meeting_uid).encode())
    assert (reply.uid, reply.attendee_email, reply.response, reply.sequence, reply.comment) == (
        meeting_uid, "jo.smith@probation.example", "accepted", 4, "See you there")
    assert reply.recurrence_id == "20270114T100000"


GMAIL_REPLY = (
    "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\n"
    "CALSCALE:GREGORIAN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
    "DTSTART;TZID=Europe/London:20270114T100000\r\nDTEND;TZID=Europe/London:20270114T120000\r\n"
    "DTSTAMP:20261123T101500Z\r\nORGANIZER;CN=High Risk Panel:mailto:panels@convene.example\r\n"
    "UID:{uid}\r\n"
    "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=DECLINED;CN=zoe@pol\r\n"
    " ice.example;X-NUM-GUESTS=0:mailto:zoe@police.example\r\n"
    "SEQUENCE:1\r\nSTATUS:CONFIRMED\r\nSUMMARY:High Risk Panel\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_a_reply_as_gmail_writes_it_folded_mid_parameter():
    meeting_uid = uid()
    (reply,) = replies_parse(GMAIL_REPLY.format(uid=meeting_uid))
    assert (reply.uid, reply.attendee_email, reply.response, reply.sequence, reply.comment) == (
        meeting_uid, "zoe@police.example", "declined", 1, "")


def test_a_reply_for_two_occurrences_gives_two_answers():
    first, second = OUTLOOK_REPLY.format(uid="series@convene.example").split("BEGIN:VEVENT")
    body, end = second.split("END:VEVENT")
    other = body.replace("20270114T100000", "20270211T100000").replace("PARTSTAT=accepted", "PARTSTAT=DECLINED")
    data = f"{first}BEGIN:VEVENT{body}END:VEVENT\r\nBEGIN:VEVENT{other}END:VEVENT{end}"
    replies = replies_parse(data.encode())
    assert [(r.recurrence_id, r.response) for r in replies] == [("20270114T100000", "accepted"),
                                                                ("20270211T100000", "declined")]


def _reply_without(text: str, drop: str) -> bytes:
    return "".join(line + "\r\n" for line in text.split("\r\n") if line and not line.startswith(drop)).encode()


@pytest.mark.parametrize(("data", "message"), [
    (b"", "not an iCalendar object"),
    (b"Thanks, I'll be there!\r\n", "not an iCalendar object"),
    (b"\xff\xfe\x00garbage", "not an iCalendar object"),
    (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", "not an iCalendar object"),
    ("request", "Expected METHOD:REPLY, got REQUEST"),
    ("no method", "Expected METHOD:REPLY, got no METHOD"),
    ("no uid", "without a UID"),
    ("no attendee", "names no ATTENDEE"),
    ("bad partstat", "Unknown PARTSTAT 'MAYBE'"),
    ("no event", "holds no event"),
])
def test_bad_replies_are_refused_with_a_clear_message(data, message):
    good = OUTLOOK_REPLY.format(uid=uid())
    built = {
        "request": calendar_bytes([event(*TIMES["winter (GMT)"][:2])], method="REQUEST", stamp=datetime.now(UTC)),
        "no method": _reply_without(good, "METHOD"),
        "no uid": _reply_without(good, "UID"),
        "no attendee": _reply_without(good, "ATTENDEE"),
        "bad partstat": good.replace("PARTSTAT=accepted", "PARTSTAT=MAYBE").encode(),
        "no event": re.sub(r"BEGIN:VEVENT.*END:VEVENT\r\n", "", good, flags=re.S).encode(),
    }
    with pytest.raises(ICalError, match=message):
        replies_parse(built.get(data, data) if isinstance(data, str) else data)


# --- CalDAV round trip through Radicale (C3, C5, C7) -----------------------------------------------
@needs_radicale
def test_radicale_round_trip_request_update_cancel(radicale):  # noqa: F811 (fixture)
    calendar = radicale.make_calendar()
    href = f"{calendar}panel-meeting.ics"
    start, end, utc_start, utc_end = TIMES["monday after the March change"]  # BST: 10:00 London = 09:00Z
    first = event(start, end)

    # 1. the invite, stored as a client stores it
    created = radicale.put(href, as_caldav_resource(calendar_bytes([first], method="REQUEST",
                                                                   stamp=datetime.now(UTC))))
    assert created.status == 201, created.text
    found = radicale.query(calendar, utc_start, utc_start + timedelta(minutes=1))
    assert [parsed(o.data.encode()).walk("VEVENT")[0]["UID"] for o in found] == [first.uid]
    # the server puts it at 09:00Z: a window at 10:00Z-11:00Z (GMT misreading) must not find it
    assert radicale.query(calendar, utc_end, utc_end + timedelta(hours=1)) == []
    assert radicale.query(calendar, utc_start - timedelta(hours=1), utc_start) == []
    assert times_icalendar(radicale.get(href).body) == [(utc_start, utc_end)]

    # a second resource with the same UID is refused: the UID is the event's identity
    clash = radicale.put(f"{calendar}copy.ics", as_caldav_resource(
        calendar_bytes([first], method="REQUEST", stamp=datetime.now(UTC))))
    assert clash.status == 409 and "no-uid-conflict" in clash.text

    # 2. the update: same UID, SEQUENCE + 1, new time (a winter date, GMT)
    new_start, new_end, new_utc_start, new_utc_end = TIMES["friday before the March change"]
    moved = event(new_start, new_end, uid=first.uid, sequence=1)
    updated = radicale.put(href, as_caldav_resource(calendar_bytes([moved], method="REQUEST",
                                                                   stamp=datetime.now(UTC))),
                           etag=found[0].etag)
    assert updated.status in (201, 204), updated.text
    everything = radicale.query(calendar, datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
    assert len(everything) == 1  # replaced, not added
    stored = parsed(everything[0].data.encode()).walk("VEVENT")[0]
    assert (str(stored["UID"]), stored["SEQUENCE"]) == (first.uid, 1)
    assert times_icalendar(everything[0].data.encode()) == [(new_utc_start, new_utc_end)]
    assert radicale.query(calendar, utc_start, utc_end) == []  # gone from the old time
    assert len(radicale.query(calendar, new_utc_start, new_utc_start + timedelta(minutes=1))) == 1

    # 3. the cancel: a client applying METHOD:CANCEL keeps the event marked cancelled ...
    cancel = event(new_start, new_end, uid=first.uid, sequence=2, cancelled=True)
    applied = radicale.put(href, as_caldav_resource(calendar_bytes([cancel], method="CANCEL",
                                                                   stamp=datetime.now(UTC))),
                           etag=everything[0].etag)
    assert applied.status in (201, 204), applied.text
    (kept,) = radicale.query(calendar, new_utc_start, new_utc_end)
    vevent = parsed(kept.data.encode()).walk("VEVENT")[0]
    assert (str(vevent["STATUS"]), vevent["SEQUENCE"]) == ("CANCELLED", 2)
    assert str(vevent["SUMMARY"]).startswith("Cancelled: ")
    # ... or removes it: then no client sees it at all
    assert radicale.delete(href, etag=kept.etag).status in (200, 204)
    assert radicale.get(href).status == 404
    assert radicale.query(calendar, datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)) == []


@needs_radicale
@pytest.mark.parametrize("case", ["winter (GMT)", "summer (BST)", "across the October change"])
def test_radicale_files_the_invite_at_the_right_utc_time(radicale, case):  # noqa: F811 (fixture)
    """Radicale reads the object with vobject in its own process: its time-range index agrees with us."""
    start, end, utc_start, utc_end = TIMES[case]
    calendar = radicale.make_calendar()
    data = event(start, end)
    response = radicale.put(f"{calendar}m.ics", calendar_bytes([data], method="REQUEST", stamp=datetime.now(UTC)))
    assert response.status == 201, response.text  # the raw iMIP object, METHOD and all, is accepted too
    assert len(radicale.query(calendar, utc_start, utc_start + timedelta(minutes=1))) == 1
    assert len(radicale.query(calendar, utc_end - timedelta(minutes=1), utc_end)) == 1
    assert radicale.query(calendar, utc_end, utc_end + timedelta(hours=1)) == []
    assert radicale.query(calendar, utc_start - timedelta(hours=1), utc_start) == []
