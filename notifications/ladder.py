"""The reminder and escalation ladders: pure dates in, steps out (no ORM, no clock).

One mechanism, two ladders. Each is a frozen dataclass of a panel's settings whose ``schedule(due)``
gives the steps in order as (step, day); ``steps_due`` works on either; ``from_dict`` checks a panel's
settings for either, naming the field at fault.

For an action due on D, with a panel's ``Ladder``:

    reminder         D - remind_before_days      → the owner
    due              D (if remind_on_due)        → the owner
    overdue_owner    D + owner_after_days        → the owner
    overdue_manager  D + manager_after_days      → the owner's line manager, else the agency's contact
    overdue_chair    D + chair_after_days        → the panel's chair(s)

Days are calendar days. A step is due on its date and stays due until it has been recorded; when a
run finds several steps due for one action (the job did not run for a while, or a due date was moved
back), every one is recorded but only the highest is sent: nobody is reminded of what is already
overdue. The chair may then escalate by hand to the panel's strategic lead.

For a statutory requirement of a child due on D and still not met (issue 17 point 5; the release address
a month before release is one of them, issue 16 point 4), with a panel's ``StatutoryLadder``:

    case_manager     D + case_manager_after_days    → the child's case manager
    line_manager     D + line_manager_after_days    → the case manager's line manager
    strategic_lead   D + strategic_lead_after_days  → the panel's strategic lead

Each step can be switched off; the whole ladder too (``enabled``). A requirement met (or no longer due)
climbs no further. See docs/escalation.md.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any, Protocol

STEPS = ("reminder", "due", "overdue_owner", "overdue_manager", "overdue_chair")
STEP_LABELS = {
    "reminder": "Reminder before the due date",
    "due": "Due today",
    "overdue_owner": "Overdue: owner told",
    "overdue_manager": "Overdue: escalated to the owner's manager",
    "overdue_chair": "Overdue: escalated to the panel chair",
    "strategic_lead": "Escalated by the chair to the strategic lead",
}


class Schedule(Protocol):
    def schedule(self, due: date) -> list[tuple[str, date]]: ...


def _parse(cls: type, data: dict[str, Any], *, what: str) -> tuple[Any, list[str]]:
    """Values for ``cls`` from a panel's settings: booleans stay booleans, days are 0 to 90."""
    errors: list[str] = []
    values: dict[str, Any] = {}
    known = {f.name: f for f in fields(cls)}
    for key, value in data.items():
        if key not in known:
            errors.append(f"{key}: is not {what} setting")
        elif isinstance(getattr(cls, key), bool):
            if not isinstance(value, bool):
                errors.append(f"{key}: must be true or false")
            else:
                values[key] = value
        elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 90:
            errors.append(f"{key}: must be a whole number of days from 0 to 90, not {value!r}")
        else:
            values[key] = value
    return (None, errors) if errors else (cls(**values), [])


@dataclass(frozen=True)
class Ladder:
    remind_before_days: int = 3
    remind_on_due: bool = True
    owner_after_days: int = 1
    manager_after_days: int = 5
    chair_after_days: int = 10

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> tuple[Ladder | None, list[str]]:
        """A ladder from a panel's settings, or the problems with them (each naming its field)."""
        ladder, errors = _parse(cls, data, what="a reminder")
        if ladder is None:
            return None, errors
        if not ladder.owner_after_days < ladder.manager_after_days < ladder.chair_after_days:
            errors.append("owner_after_days < manager_after_days < chair_after_days: each escalation comes later")
        if ladder.owner_after_days < 1:
            errors.append("owner_after_days: an action is overdue from the day after it is due (1 or more)")
        return (None, errors) if errors else (ladder, [])

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def earliest_before(self) -> int:
        """How many days before the due date the first step can fall."""
        return self.remind_before_days

    @property
    def latest_after(self) -> int:
        """How many days after the due date the last step falls."""
        return self.chair_after_days

    def schedule(self, due: date) -> list[tuple[str, date]]:
        plan = [("reminder", due - timedelta(days=self.remind_before_days))] if self.remind_before_days else []
        if self.remind_on_due:
            plan.append(("due", due))
        plan += [("overdue_owner", due + timedelta(days=self.owner_after_days)),
                 ("overdue_manager", due + timedelta(days=self.manager_after_days)),
                 ("overdue_chair", due + timedelta(days=self.chair_after_days))]
        return plan


STATUTORY_STEPS = ("case_manager", "line_manager", "strategic_lead")
STATUTORY_STEP_LABELS = {
    "case_manager": "Case manager told",
    "line_manager": "Escalated to the case manager's line manager",
    "strategic_lead": "Escalated to the panel's strategic lead",
}
STATUTORY_RECIPIENTS = {
    "case_manager": "the case manager",
    "line_manager": "the case manager's line manager",
    "strategic_lead": "the panel's strategic lead",
}


@dataclass(frozen=True)
class StatutoryLadder:
    """A panel's escalation of missed statutory timescales: days after the due date for each step, each on
    or off. A requirement is missed from the day after it was due, so every step is 1 day or more."""

    enabled: bool = True
    tell_case_manager: bool = True
    case_manager_after_days: int = 1
    tell_line_manager: bool = True
    line_manager_after_days: int = 5
    tell_strategic_lead: bool = True
    strategic_lead_after_days: int = 10

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> tuple[StatutoryLadder | None, list[str]]:
        ladder, errors = _parse(cls, data, what="an escalation")
        if ladder is None:
            return None, errors
        days = [(step, getattr(ladder, f"{step}_after_days")) for step in STATUTORY_STEPS
                if getattr(ladder, f"tell_{step}")]
        errors += [f"{step}_after_days: a timescale is missed from the day after it is due (1 or more)"
                   for step, n in days if n < 1]
        if any(a[1] >= b[1] for a, b in zip(days, days[1:], strict=False)):
            errors.append(" < ".join(f"{step}_after_days" for step, _ in days)
                          + ": each escalation comes later")
        return (None, errors) if errors else (ladder, [])

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def latest_after(self) -> int:
        return max((d for _, d in self._days()), default=0)

    def _days(self) -> list[tuple[str, int]]:
        if not self.enabled:
            return []
        return [(step, getattr(self, f"{step}_after_days")) for step in STATUTORY_STEPS
                if getattr(self, f"tell_{step}")]

    def schedule(self, due: date) -> list[tuple[str, date]]:
        return [(step, due + timedelta(days=n)) for step, n in self._days()]


def steps_due(due: date, today: date, ladder: Schedule, done: set[str] | frozenset[str] = frozenset()
              ) -> list[str]:
    """The steps due by ``today`` and not yet ``done``, lowest first."""
    return [step for step, on in ladder.schedule(due) if on <= today and step not in done]


def days_overdue(due: date, today: date) -> int:
    return max(0, (today - due).days)
