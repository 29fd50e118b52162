"""The reminder and escalation ladder of an action: pure dates in, steps out (no ORM, no clock).

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
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

STEPS = ("reminder", "due", "overdue_owner", "overdue_manager", "overdue_chair")
STEP_LABELS = {
    "reminder": "Reminder before the due date",
    "due": "Due today",
    "overdue_owner": "Overdue: owner told",
    "overdue_manager": "Overdue: escalated to the owner's manager",
    "overdue_chair": "Overdue: escalated to the panel chair",
    "strategic_lead": "Escalated by the chair to the strategic lead",
}


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
        errors: list[str] = []
        values: dict[str, Any] = {}
        known = {f.name: f for f in fields(cls)}
        for key, value in data.items():
            if key not in known:
                errors.append(f"{key}: is not a reminder setting")
            elif key == "remind_on_due":
                if not isinstance(value, bool):
                    errors.append(f"{key}: must be true or false")
                else:
                    values[key] = value
            elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 90:
                errors.append(f"{key}: must be a whole number of days from 0 to 90, not {value!r}")
            else:
                values[key] = value
        if errors:
            return None, errors
        ladder = cls(**values)
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


def steps_due(due: date, today: date, ladder: Ladder, done: set[str] | frozenset[str] = frozenset()
              ) -> list[str]:
    """The steps due by ``today`` and not yet ``done``, lowest first."""
    return [step for step, on in ladder.schedule(due) if on <= today and step not in done]


def days_overdue(due: date, today: date) -> int:
    return max(0, (today - due).days)
