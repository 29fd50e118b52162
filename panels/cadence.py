"""Panel cadences as iCalendar RRULEs (pure: no ORM, no clock).

A cadence such as ``FREQ=MONTHLY;BYDAY=+1TH`` ("first Thursday monthly") is stored on the panel and
expanded into local meeting dates; times are attached in Europe/London by the caller.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import holidays
from dateutil.rrule import MONTHLY, WEEKLY, YEARLY, rrule, rrulestr

ALLOWED_FREQUENCIES = {WEEKLY, MONTHLY, YEARLY}
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


def england_bank_holidays(first_year: int, last_year: int) -> frozenset[date]:
    """England & Wales bank holidays from the pinned ``holidays`` package: the one source for the app."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1)))


def avoid_bank_holidays(days: list[date]) -> list[date]:
    """Cadence dates, with any that fall on a weekend or bank holiday moved to the working day before."""
    if not days:
        return []
    closed = england_bank_holidays(min(days).year - 1, max(days).year)
    moved = []
    for day in days:
        while day.weekday() >= 5 or day in closed:
            day = day - timedelta(days=1)
        moved.append(day)
    return moved


class CadenceError(ValueError):
    """The cadence text is not a usable RRULE."""


def parse_cadence(text: str) -> rrule:
    text = text.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text:
        raise CadenceError("The cadence is empty.")
    upper = text.upper()
    for forbidden in ("DTSTART", "UNTIL", "COUNT"):
        if forbidden in upper:
            raise CadenceError(f"Leave {forbidden} out of the cadence: Convene generates meetings ahead itself.")
    try:
        rule = rrulestr(text, dtstart=datetime(2000, 1, 1))  # noqa: DTZ001 - a naive anchor for dates only
    except (ValueError, TypeError) as exc:
        raise CadenceError(f"{text!r} is not a valid iCalendar RRULE ({exc}).") from None
    if not isinstance(rule, rrule) or rule._freq not in ALLOWED_FREQUENCIES:
        raise CadenceError("Use a weekly, monthly or yearly cadence (FREQ=WEEKLY, MONTHLY or YEARLY).")
    return rule


def cadence_dates(text: str, *, start: date, end: date) -> list[date]:
    """Every date of the cadence from ``start`` to ``end`` inclusive."""
    rule = parse_cadence(text).replace(dtstart=datetime.combine(start, datetime.min.time()))
    return [
        occurrence.date()
        for occurrence in rule.between(
            datetime.combine(start, datetime.min.time()), datetime.combine(end, datetime.max.time()), inc=True
        )
    ]


def describe_cadence(text: str) -> str:
    """A plain-English reading of common cadences, e.g. "First Thursday of each month"."""
    try:
        rule = parse_cadence(text)
    except CadenceError:
        return text
    interval = rule._interval
    if rule._freq == MONTHLY and rule._bynweekday and len(rule._bynweekday) == 1:
        weekday, nth = rule._bynweekday[0]
        every = "each month" if interval == 1 else f"every {interval} months"
        return f"{_ORDINALS.get(nth, f'{nth}th').capitalize()} {_WEEKDAYS[weekday]} of {every}"
    if rule._freq == WEEKLY and rule._byweekday:
        days = ", ".join(_WEEKDAYS[d] for d in sorted(rule._byweekday))
        every = "Every" if interval == 1 else f"Every {interval} weeks on"
        return f"{every} {days}"
    if rule._freq == MONTHLY and rule._bymonthday:
        days = ", ".join(str(d) for d in sorted(rule._bymonthday))
        return f"Day {days} of each month"
    return text
