"""A child's key dates from a cohort record (pure: no ORM; "today" passed in)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta


def add_months(day: date, months: int) -> date:
    """Same day of the month, clamped to a shorter month's end, in one step (docs/agenda-rules.md §1)."""
    return day + relativedelta(months=months)


@dataclass(frozen=True)
class KeyDate:
    label: str
    on: date

    def is_past(self, today: date) -> bool:
        return self.on < today


def key_dates(record: dict[str, Any]) -> list[KeyDate]:
    """Every known key date of a child, in date order."""
    dob = record["date_of_birth"]
    candidates = [
        ("Remanded", record.get("remand_date")),
        ("Sentenced", record.get("sentence_date")),
        # a remand to local-authority accommodation is not custody (agenda rules v2 §1)
        ("Placed in local-authority accommodation" if record.get("sentence_type") == "remand_la"
         else "Entered custody", record.get("custody_entry_date")),
        ("Standard release", record.get("release_date")),
        ("Early release", record.get("early_release_date")),
        ("Released", record.get("actual_release_date")),
        ("Order ends", record.get("order_end_date")),
        ("Licence ends", record.get("licence_end_date")),
        ("Referred to MAPPA", record.get("mappa_referred_on")),
        ("Transfer to probation", record.get("transfer_date")),
        ("Initial planning meeting held", record.get("ipm_held_on")),
        ("Remand planning meeting held", record.get("remand_planning_held_on")),
        ("First resettlement planning meeting held", record.get("first_planning_held_on")),
        ("Penultimate resettlement meeting held", record.get("penultimate_held_on")),
        ("Final release review held", record.get("final_review_held_on")),
        ("Post-release review held", record.get("post_release_review_held_on")),
        ("Transition meeting held", record.get("transition_meeting_held_on")),
        ("Education, training or employment interview", record.get("ete_interview_on")),
        ("Turns 17", add_months(dob, 17 * 12)),
        ("Turns 17½", add_months(dob, 17 * 12 + 6)),
        ("17 years 9 months", add_months(dob, 17 * 12 + 9)),
        ("Turns 18", add_months(dob, 18 * 12)),
    ]
    return sorted((KeyDate(label, on) for label, on in candidates if on), key=lambda k: (k.on, k.label))


def upcoming_key_dates(record: dict[str, Any], *, today: date, limit: int = 3) -> list[KeyDate]:
    return [k for k in key_dates(record) if k.on >= today][:limit]
