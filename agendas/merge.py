"""The live agenda's merge, pure: what one meeting lists once the rules have placed their reasons.

The rules (``agendas.rules``) place each child's reasons on the panel's meetings. The live builder then merges, for
one meeting: the rules' reasons less those already satisfied by a discussion at a held meeting; the dated live
reasons placed on this meeting (``REVIEW_DUE``); the accepted referrals (at the first meeting still to be held);
the reasons other apps provide (``OPEN_ACTIONS``); and the chair's decisions (added, or removed with a reason).
Plain dataclasses in, plain dataclasses out: no ORM, no clock. ``agendas.services.agendas_compute`` feeds it from
the selectors; tests/agendas/test_merge.py tests it without a database.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

STORED_FIELDS = ("code", "kind", "due", "late", "explanation")


@dataclass(frozen=True)
class Reason:
    """Why a child is listed: a code, its kind, the date it is due by (None: no date), whether the meeting is late
    for it, and the sentence the agenda shows."""

    code: str
    kind: str
    due: date | None
    late: bool
    explanation: str
    # what a provider adds for the page (OPEN_ACTIONS: the actions themselves), kept as given
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def stored(self) -> dict[str, Any]:
        """The form kept on an agenda item (JSON: the date as ISO text)."""
        return {"code": self.code, "kind": self.kind, "due": self.due.isoformat() if self.due else None,
                "late": bool(self.late), "explanation": self.explanation, **self.extra}

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> Reason:
        due = data.get("due")
        return cls(code=data["code"], kind=data["kind"], due=date.fromisoformat(due) if due else None,
                   late=bool(data.get("late")), explanation=data.get("explanation", ""),
                   extra={k: v for k, v in data.items() if k not in STORED_FIELDS})


# (child id, code, due date): a reason a discussion at a held meeting already satisfied
Satisfied = tuple[int, str, date | None]


@dataclass(frozen=True)
class ReferralIn:
    child_id: int
    explanation: str


@dataclass(frozen=True)
class DecisionIn:
    """The chair's decision for one child at this meeting: added (with a reason) or removed (with a reason)."""

    child_id: int
    add: bool
    explanation: str


@dataclass(frozen=True)
class MeetingInputs:
    """What the selectors found for one meeting (child id → reasons)."""

    placed: Mapping[int, tuple[Reason, ...]] = field(default_factory=dict)  # the rules'
    dated: Mapping[int, tuple[Reason, ...]] = field(default_factory=dict)  # live dated reasons placed here
    referrals: tuple[ReferralIn, ...] = ()  # only for the first meeting still to be held
    provided: Mapping[int, tuple[Reason, ...]] = field(default_factory=dict)  # other apps' finished reasons
    decisions: tuple[DecisionIn, ...] = ()

    def child_ids(self) -> set[int]:
        """Every child something here is about."""
        return {*self.placed, *self.dated, *(r.child_id for r in self.referrals), *self.provided,
                *(d.child_id for d in self.decisions)}


@dataclass
class MergedItem:
    child_id: int
    reasons: list[Reason] = field(default_factory=list)
    removed_reason: str = ""


def _open(items: dict[int, MergedItem], child_id: int) -> MergedItem:
    if child_id not in items:
        items[child_id] = MergedItem(child_id)
    return items[child_id]


def merge_meeting(inputs: MeetingInputs, *, children: Collection[int],
                  satisfied: Iterable[Satisfied] = ()) -> dict[int, MergedItem]:
    """The items of one meeting, each with its reasons in code order. ``children``: the children the computation
    covers (the service's open cohort, or the few asked for); anything about another child is left out."""
    done = set(satisfied)

    def live(child_id: int, reasons: Iterable[Reason]) -> list[Reason]:
        if not done:  # the panel has discussed nothing yet: nothing to check
            return list(reasons)
        return [r for r in reasons if (child_id, r.code, r.due) not in done]

    items: dict[int, MergedItem] = {}
    for child_id, reasons in inputs.placed.items():
        if child_id in children and (kept := live(child_id, reasons)):
            _open(items, child_id).reasons = kept
    for child_id, reasons in inputs.dated.items():
        if child_id in children and (kept := live(child_id, reasons)):
            _open(items, child_id).reasons.extend(kept)
    for referral in inputs.referrals:
        if referral.child_id in children:
            _open(items, referral.child_id).reasons.append(
                Reason("REFERRAL", "referral", None, False, referral.explanation))
    for child_id, reasons in inputs.provided.items():
        if child_id in children:
            _open(items, child_id).reasons.extend(reasons)
    for decision in inputs.decisions:
        if decision.child_id not in children:
            continue
        if decision.add:
            _open(items, decision.child_id).reasons.append(
                Reason("MANUAL", "manual", None, False, decision.explanation))
        elif decision.child_id in items:
            items[decision.child_id].removed_reason = decision.explanation
    for item in items.values():
        item.reasons.sort(key=lambda r: r.code)
    return items
