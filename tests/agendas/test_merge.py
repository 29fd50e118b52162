"""The live agenda's merge (agendas/merge.py), without a database."""

from __future__ import annotations

from datetime import date

from agendas.merge import DecisionIn, MeetingInputs, Reason, ReferralIn, merge_meeting

DUE = date(2026, 12, 1)
RELEASE = Reason("RELEASE_PLANNING", "before", DUE, False, "Release on 15 Jan 2027")
REVIEW = Reason("REVIEW_DUE", "before", date(2026, 12, 8), True, "Review set by the panel")
ACTIONS = Reason("OPEN_ACTIONS", "live", None, False, "2 open actions")
CHILDREN = {1, 2}


def _merge(**inputs):
    satisfied = inputs.pop("satisfied", ())
    children = inputs.pop("children", CHILDREN)
    return merge_meeting(MeetingInputs(**inputs), children=children, satisfied=satisfied)


def test_a_placed_reason_lists_the_child():
    assert _merge(placed={1: (RELEASE,)})[1].reasons == [RELEASE]


def test_a_reason_already_discussed_is_not_listed_again():
    assert _merge(placed={1: (RELEASE,)}, satisfied={(1, "RELEASE_PLANNING", DUE)}) == {}


def test_a_discussion_satisfies_only_the_same_due_date():
    items = _merge(placed={1: (RELEASE,)}, satisfied={(1, "RELEASE_PLANNING", date(2026, 6, 1))})
    assert items[1].reasons == [RELEASE]


def test_a_dated_live_reason_joins_the_rules_reasons():
    assert _merge(placed={1: (RELEASE,)}, dated={1: (REVIEW,)})[1].reasons == [RELEASE, REVIEW]


def test_a_satisfied_dated_reason_is_left_out():
    assert _merge(dated={1: (REVIEW,)}, satisfied={(1, "REVIEW_DUE", REVIEW.due)}) == {}


def test_an_accepted_referral_lists_the_child_with_who_referred_them():
    reasons = _merge(referrals=(ReferralIn(2, "Referred by Sam on 1 Dec 2026: release soon"),))[2].reasons
    assert reasons == [Reason("REFERRAL", "referral", None, False, "Referred by Sam on 1 Dec 2026: release soon")]


def test_a_provided_reason_lists_the_child():
    assert _merge(provided={2: (ACTIONS,)})[2].reasons == [ACTIONS]


def test_the_chair_can_add_a_child():
    reasons = _merge(decisions=(DecisionIn(2, True, "Added by Chair: risk"),))[2].reasons
    assert [r.code for r in reasons] == ["MANUAL"]


def test_the_chair_removes_a_listed_child_with_a_reason():
    items = _merge(placed={1: (RELEASE,)}, decisions=(DecisionIn(1, False, "Removed by Chair: seen last week"),))
    assert items[1].removed_reason == "Removed by Chair: seen last week"


def test_removing_a_child_who_is_not_listed_lists_nothing():
    assert _merge(decisions=(DecisionIn(1, False, "Removed by Chair: no"),)) == {}


def test_nothing_about_a_child_outside_the_computation_is_listed():
    items = _merge(placed={3: (RELEASE,)}, dated={3: (REVIEW,)}, provided={3: (ACTIONS,)},
                   referrals=(ReferralIn(3, "r"),), decisions=(DecisionIn(3, True, "a"),))
    assert items == {}


def test_reasons_come_in_code_order():
    items = _merge(placed={1: (RELEASE,)}, dated={1: (REVIEW,)}, provided={1: (ACTIONS,)},
                   decisions=(DecisionIn(1, True, "Added"),))
    assert [r.code for r in items[1].reasons] == ["MANUAL", "OPEN_ACTIONS", "RELEASE_PLANNING", "REVIEW_DUE"]


def test_a_reason_is_stored_with_its_date_as_iso_text():
    assert RELEASE.stored()["due"] == "2026-12-01"


def test_a_stored_reason_reads_back_equal():
    assert Reason.from_stored(REVIEW.stored()) == REVIEW


def test_what_a_provider_adds_is_kept():
    given = {**ACTIONS.stored(), "actions": [{"description": "Book a visit"}]}
    assert Reason.from_stored(given).stored() == given
