"""Working days and calendar arithmetic for England (pure: no ORM, no clock).

A working day is Monday to Friday and not an England & Wales bank holiday (from the pinned
``holidays`` package). ``D + N WD`` is the Nth working day after D, D itself not counted.

Any date works (docs/agenda-rules.md v2 §7): the calendar starts with the years it is asked for and grows,
a few years at a time, to cover whatever date a rule computes (an 18th birthday in 2118 included).
Beyond the years the ``holidays`` package knows, only weekends are non-working days.
"""

from __future__ import annotations

import calendar
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from datetime import date

from panels.cadence import england_bank_holidays

_GROW_YEARS = 10  # each growth covers at least this many more years, so growth is rare


def add_months(day: date, months: int) -> date:
    """Same day of the month ``months`` later (or earlier), clamped to a shorter month's last day.

    One step: "17 years 6 months" is ``add_months(dob, 210)``, clamped once.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    if day.day <= 28:  # every month has the day: no month length to look up (most calls: a rule per child)
        return date(year, month, day.day)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class WorkingCalendar:
    """England & Wales working days for any year, precomputed for the years covered so far.

    The covered years and their working days are one immutable snapshot, replaced whole when the
    calendar grows, so readers never see a half-built calendar and one calendar can be shared.
    """

    def __init__(self, bank_holidays_for: Callable[[int, int], frozenset[date]], first_year: int,
                 last_year: int) -> None:
        self._bank_holidays_for = bank_holidays_for
        self._lock = threading.Lock()
        self._state: tuple[int, int, tuple[int, ...], frozenset[date]] = (1, 0, (), frozenset())
        self._cover(first_year, last_year)

    @classmethod
    def england(cls, first_year: int = 2020, last_year: int = 2035) -> WorkingCalendar:
        return cls(england_bank_holidays, first_year, last_year)

    # --- coverage ----------------------------------------------------------------------------------
    @property
    def first(self) -> date:
        return date.fromordinal(self._state[0])

    @property
    def last(self) -> date:
        return date.fromordinal(self._state[1])

    @property
    def bank_holidays(self) -> frozenset[date]:
        """The bank holidays of the years covered so far."""
        return self._state[3]

    def _cover(self, first_year: int, last_year: int) -> None:
        """Make the calendar cover ``first_year``..``last_year`` (and the years already covered)."""
        with self._lock:
            first, last, _, _ = self._state
            if first <= last:
                first_year = min(first_year, date.fromordinal(first).year)
                last_year = max(last_year, date.fromordinal(last).year)
            first_year, last_year = max(first_year, 1), min(last_year, 9999)
            start, end = date(first_year, 1, 1), date(last_year, 12, 31)
            if (start.toordinal(), end.toordinal()) == (first, last):
                return
            closed = self._bank_holidays_for(first_year, last_year)
            ordinals = tuple(o for o in range(start.toordinal(), end.toordinal() + 1)
                             if (o - 1) % 7 < 5 and date.fromordinal(o) not in closed)
            self._state = (start.toordinal(), end.toordinal(), ordinals, frozenset(closed))

    def _grow_to(self, day: date | int, *, later: bool) -> None:
        """Cover ``day`` (a date or an ordinal) and some years beyond; only dates cannot go past 9999."""
        before = self._state[:2]
        ordinal = min(max(day if isinstance(day, int) else day.toordinal(), 1), date.max.toordinal())
        year, first, last = date.fromordinal(ordinal).year, self.first.year, self.last.year
        if later:
            self._cover(min(first, year), max(year, last + _GROW_YEARS))
        else:
            self._cover(min(year, first - _GROW_YEARS), max(last, year))
        if self._state[:2] == before:
            raise ValueError("working days beyond the years 1 to 9999 cannot be counted")

    # --- arithmetic --------------------------------------------------------------------------------
    def is_working_day(self, day: date) -> bool:
        ordinal = day.toordinal()
        while True:
            first, last, ordinals, _ = self._state
            if first <= ordinal <= last:
                index = bisect_left(ordinals, ordinal)
                return index < len(ordinals) and ordinals[index] == ordinal
            self._grow_to(ordinal, later=ordinal > last)

    def add_working_days(self, day: date, n: int) -> date:
        """The Nth working day after ``day`` (``day`` itself not counted)."""
        if n < 0:
            return self.sub_working_days(day, -n)
        if n == 0:
            return day
        ordinal = day.toordinal()
        while True:
            first, last, ordinals, _ = self._state
            if first <= ordinal:
                index = bisect_right(ordinals, ordinal) + n - 1
                if index < len(ordinals):
                    return date.fromordinal(ordinals[index])
                self._grow_to(max(ordinal, last) + 2 * n, later=True)
            else:
                self._grow_to(ordinal, later=False)

    def sub_working_days(self, day: date, n: int) -> date:
        """The Nth working day before ``day``, counting back (``day`` itself not counted)."""
        if n < 0:
            return self.add_working_days(day, -n)
        if n == 0:
            return day
        ordinal = day.toordinal()
        while True:
            first, last, ordinals, _ = self._state
            if ordinal <= last:
                index = bisect_left(ordinals, ordinal) - n
                if index >= 0:
                    return date.fromordinal(ordinals[index])
                self._grow_to(min(ordinal, first) - 2 * n, later=False)
            else:
                self._grow_to(ordinal, later=True)

    def previous_working_day_or_same(self, day: date) -> date:
        """Move a due date that lands on a weekend or bank holiday back to the working day before."""
        ordinal = day.toordinal()
        while True:
            first, last, ordinals, _ = self._state
            if ordinal <= last:
                index = bisect_right(ordinals, ordinal) - 1
                if index >= 0:
                    return date.fromordinal(ordinals[index])
                self._grow_to(min(ordinal, first) - 14, later=False)
            else:
                self._grow_to(ordinal, later=True)
