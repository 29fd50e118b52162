"""One vocabulary for where an action stands, everywhere it is shown (issue 15, point 8): the agenda and its pack,
the meeting cockpit, My actions, My children, the action register, a child's timeline and the action's page.

Pure: plain values in, plain values out; "today" is passed in. Overdue means the due date has passed and the
action is still open, on the day the page is read, never "before some meeting".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

OPEN_STATUSES = frozenset({"open", "in_progress", "blocked"})  # minutes.models.Action.OPEN_STATUSES
CLOSED_LABELS = {"done": "Done", "verified": "Verified by the panel", "cancelled": "Cancelled"}
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class Standing:
    rag: str  # red | amber | green | grey
    label: str  # Overdue | Due soon | On track | Done | Verified by the panel | Cancelled
    colour: str  # the GOV.UK tag colour
    days_overdue: int = 0


def action_standing(*, status: str, due: date | str, today: date, due_soon_days: int = DUE_SOON_DAYS) -> Standing:
    """Where an action with this status and due date stands on ``today``."""
    if isinstance(due, str):
        due = date.fromisoformat(due)
    if status not in OPEN_STATUSES:
        return Standing("grey", CLOSED_LABELS.get(status, status.replace("_", " ").capitalize()), "grey")
    if due < today:
        return Standing("red", "Overdue", "red", (today - due).days)
    if (due - today).days <= due_soon_days:
        return Standing("amber", "Due soon", "yellow")
    return Standing("green", "On track", "green")
