"""Working days and calendar arithmetic for England (pure: no ORM, no clock).

A working day is Monday to Friday and not an England & Wales bank holiday (from the pinned
``holidays`` package). ``D + N WD`` is the Nth working day after D, D itself not counted.
"""

from __future__ import annotations

import calendar
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta

from panels.cadence import england_bank_holidays


def add_months(day: date, months: int) -> date:
    """Same day of the month ``months`` later (or earlier), clamped to a shorter month's last day.

    One step: "17 years 6 months" is ``add_months(dob, 210)``, clamped once.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class WorkingCalendar:
    """England & Wales working days between ``first`` and ``last`` (inclusive), precomputed for speed."""

    bank_holidays: frozenset[date]
    first: date
    last: date
    _ordinals: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        days = []
        current = self.first
        while current <= self.last:
            if current.weekday() < 5 and current not in self.bank_holidays:
                days.append(current.toordinal())
            current += timedelta(days=1)
        object.__setattr__(self, "_ordinals", tuple(days))

    @classmethod
    def england(cls, first_year: int, last_year: int) -> WorkingCalendar:
        return cls(england_bank_holidays(first_year, last_year), date(first_year, 1, 1), date(last_year, 12, 31))

    def _covers(self, day: date, margin_days: int = 0) -> None:
        if not (self.first + timedelta(days=margin_days) <= day <= self.last - timedelta(days=margin_days)):
            raise ValueError(f"{day} is outside the working calendar {self.first}..{self.last}")

    def is_working_day(self, day: date) -> bool:
        self._covers(day)
        index = bisect_left(self._ordinals, day.toordinal())
        return index < len(self._ordinals) and self._ordinals[index] == day.toordinal()

    def add_working_days(self, day: date, n: int) -> date:
        """The Nth working day after ``day`` (``day`` itself not counted)."""
        if n < 0:
            return self.sub_working_days(day, -n)
        if n == 0:
            return day
        index = bisect_right(self._ordinals, day.toordinal()) + n - 1
        if not (self.first <= day) or index >= len(self._ordinals):
            raise ValueError(f"{day} + {n} working days is outside the working calendar")
        return date.fromordinal(self._ordinals[index])

    def sub_working_days(self, day: date, n: int) -> date:
        """The Nth working day before ``day``, counting back (``day`` itself not counted)."""
        if n < 0:
            return self.add_working_days(day, -n)
        if n == 0:
            return day
        index = bisect_left(self._ordinals, day.toordinal()) - n
        if index < 0 or day > self.last + timedelta(days=1):
            raise ValueError(f"{day} - {n} working days is outside the working calendar")
        return date.fromordinal(self._ordinals[index])

    def previous_working_day_or_same(self, day: date) -> date:
        """Move a due date that lands on a weekend or bank holiday back to the working day before."""
        index = bisect_right(self._ordinals, day.toordinal()) - 1
        if index < 0 or day > self.last:
            raise ValueError(f"{day} is outside the working calendar")
        return date.fromordinal(self._ordinals[index])
