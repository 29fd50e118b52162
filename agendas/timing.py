"""Do the children's slots fit the meeting? (issue 15, point 5). Pure: times in, a verdict out.

The room for children is the meeting's time less the opening and closing items (as ``agenda_assign_slots`` uses
it). When the last slot ends after the closing items should start, the chair is warned with what would fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

MIN_SLOT_MINUTES = 5
OPENING_MINUTES, CLOSING_MINUTES = 15, 10  # the standing items before and after the children


@dataclass(frozen=True)
class Overrun:
    runs_to: time  # when the last child's slot ends
    closing_at: time  # when the closing items should start
    ends_at: time  # when the meeting ends
    over_minutes: int  # how far the last slot runs past the closing items
    listed: int  # children with a slot
    fit: int  # of those, how many end by the closing items at their current slots
    minutes_each: int | None  # a slot length (minutes) that would fit every child, None if even 5 minutes will not
    most_at_minimum: int  # how many children fit at the shortest slot


def slot_overrun(*, slots: list[tuple[time, int]], starts_at: datetime, ends_at: datetime,
                 opening_minutes: int, closing_minutes: int) -> Overrun | None:
    """``slots``: (start, minutes) of each listed child's slot; ``starts_at``/``ends_at`` in local time."""
    if not slots:
        return None
    day: date = starts_at.date()
    closing = ends_at - timedelta(minutes=closing_minutes)
    ends = sorted(datetime.combine(day, start, tzinfo=starts_at.tzinfo) + timedelta(minutes=minutes or 0)
                  for start, minutes in slots)
    if ends[-1] <= closing:
        return None
    room = max(0, int((closing - (starts_at + timedelta(minutes=opening_minutes))).total_seconds() // 60))
    each = room // len(slots)
    return Overrun(
        runs_to=ends[-1].time(), closing_at=closing.time(), ends_at=ends_at.time(),
        over_minutes=int((ends[-1] - closing).total_seconds() // 60), listed=len(slots),
        fit=sum(1 for end in ends if end <= closing),
        minutes_each=each if each >= MIN_SLOT_MINUTES else None, most_at_minimum=room // MIN_SLOT_MINUTES,
    )
