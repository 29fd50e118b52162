"""The builder's short way for a child whom no live input touches (agendas.services.agendas_compute): the rules'
reasons are stored straight from the placed reasons, which must give what the merge gives. Without a database."""

from __future__ import annotations

from datetime import date

from agendas.merge import DecisionIn, MeetingInputs, Reason, ReferralIn, merge_meeting
from agendas.rules import PlacedReason
from agendas.rules import Reason as DatedReason
from agendas.services import ComputedItem, _stored

DATED = DatedReason("RS_FINAL_REVIEW", "before", date(2026, 9, 1), date(2026, 12, 1),
                    "Release on {release}: final release review due by {due}", {"release": date(2026, 12, 15)})


def _placed() -> tuple[PlacedReason, ...]:
    return (PlacedReason("RS_FINAL_REVIEW", "before", date(2026, 12, 1), True, DATED),
            PlacedReason("RS_IN_CUSTODY", "recurring", None, False, "In custody since 1 Mar 2026"))


def test_a_placed_reason_is_stored_as_the_merge_stores_it():
    merged = merge_meeting(MeetingInputs(placed={1: tuple(Reason(r.code, r.kind, r.due, r.late, r.explanation)
                                                          for r in _placed())}), children={1})
    assert [_stored(r) for r in _placed()] == [r.stored() for r in merged[1].reasons]


def test_the_words_name_the_reasons_dates():
    assert _stored(_placed()[0])["explanation"] == "Release on 15 Dec 2026: final release review due by 1 Dec 2026"


def test_the_inputs_name_every_child_they_touch():
    inputs = MeetingInputs(placed={1: ()}, dated={2: ()}, referrals=(ReferralIn(3, "r"),), provided={4: ()},
                           decisions=(DecisionIn(5, True, "d"),))
    assert inputs.child_ids() == {1, 2, 3, 4, 5}


def test_a_computed_item_is_late_and_due_by_its_earliest_reason():
    item = ComputedItem(1, "YJ-1", [{"code": "A", "due": "2026-12-09", "late": False},
                                    {"code": "B", "due": "2026-12-02", "late": True},
                                    {"code": "C", "due": None, "late": False}])
    assert (item.late, item.earliest_due) == (True, date(2026, 12, 2))


def test_a_recurring_only_item_has_no_due_date_and_is_not_late():
    item = ComputedItem(1, "YJ-1", [{"code": "HR_ROSH", "due": None, "late": False}])
    assert (item.late, item.earliest_due) == (False, None)
