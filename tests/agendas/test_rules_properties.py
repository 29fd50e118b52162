"""Placement invariants of docs/agenda-rules.md §2, checked on generated cohorts and meeting calendars."""

from __future__ import annotations

import random
from bisect import bisect_left
from dataclasses import fields, replace
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agendas.rules import (
    FACTS_READ_BY_KIND,
    ChildFacts,
    RuleSettings,
    place_for_panel,
    reasons_for_child,
    recurring_codes_on,
)
from agendas.workdays import WorkingCalendar

CAL = WorkingCalendar.england(2018, 2033)
DEFAULTS = RuleSettings()
KINDS = ["high_risk", "education", "y2a", "resettlement", "mappa"]
BASE = date(2026, 1, 1)
HELD_ON_FIELDS = ("ipm_held_on", "remand_planning_held_on", "first_planning_held_on", "penultimate_held_on",
                  "final_review_held_on", "post_release_review_held_on", "transition_meeting_held_on",
                  "ete_interview_on")

days = st.integers(min_value=-400, max_value=700).map(lambda n: BASE + timedelta(days=n))
maybe_day = st.one_of(st.none(), days)


@st.composite
def children(draw, index: int = 0):
    return ChildFacts(
        reference=f"YJ-{draw(st.integers(0, 10_000))}-{index}",
        date_of_birth=BASE - timedelta(days=draw(st.integers(12 * 365, 19 * 365))),
        legal_status=draw(st.sampled_from(["remand", "sentenced", "community", "released", "closed"])),
        remand_date=draw(maybe_day), sentence_date=draw(maybe_day), custody_entry_date=draw(maybe_day),
        sentence_length_months=draw(st.one_of(st.none(), st.integers(1, 48))),
        release_date=draw(maybe_day), early_release_date=draw(maybe_day), actual_release_date=draw(maybe_day),
        order_end_date=draw(maybe_day), licence_end_date=draw(maybe_day),
        school_age=draw(st.one_of(st.none(), st.booleans())),
        rosh=draw(st.sampled_from([None, "low", "medium", "high", "very_high"])),
        mappa_level=draw(st.sampled_from([None, "1", "2", "3"])), mappa_referred_on=draw(maybe_day),
        transfer_decision=draw(st.sampled_from([None, "transfer", "retain", "undecided"])),
        transfer_date=draw(maybe_day),
        sentence_type=draw(st.sampled_from([None, "dto", "referral_order", "remand_yda", "remand_la", "yro"])),
        release_address_status=draw(st.sampled_from([None, "none", "proposed", "assessed", "confirmed"])),
        **{name: draw(st.one_of(st.none(), st.none(), days)) for name in HELD_ON_FIELDS},
    )


cohorts = st.lists(children(), min_size=1, max_size=6, unique_by=lambda c: c.reference)
meeting_sets = st.lists(days, min_size=1, max_size=12, unique=True)
common = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def placements(cohort, kind, meetings):
    """{(reference, code): [(meeting date, late)]} for every reason placed."""
    found: dict[tuple[str, str], list[tuple[date, bool]]] = {}
    for result in place_for_panel(cohort, kind=kind, meeting_dates=meetings, settings=DEFAULTS, calendar=CAL):
        references = [item.child for item in result.items]
        assert len(references) == len(set(references)), "a child appears at most once per meeting"
        for item in result.items:
            assert item.late == any(r.late for r in item.reasons)
            assert [r.code for r in item.reasons] == sorted(r.code for r in item.reasons)
            for reason in item.reasons:
                found.setdefault((item.child, reason.code), []).append((result.date, reason.late))
    return found


@common
@given(cohort=cohorts, meetings=meeting_sets, kind=st.sampled_from(KINDS))
def test_dated_reasons_sit_on_exactly_one_meeting_and_are_late_only_without_a_fitting_one(cohort, meetings, kind):
    """v2 §2: only ``before`` and ``after`` reasons sit on one meeting; ``watch`` reasons have their own test."""
    found = placements(cohort, kind, meetings)
    ordered = sorted(meetings)
    for child in cohort:
        for reason in reasons_for_child(child, kind=kind, settings=DEFAULTS, calendar=CAL):
            if reason.kind == "watch":
                continue
            where = found.get((child.reference, reason.code), [])
            reachable = [d for d in ordered if d >= reason.eligible]
            if not reachable:
                assert where == []
                continue
            assert len(where) == 1, "a before/after reason is placed on exactly one meeting"
            day, late = where[0]
            if reason.kind == "before":
                window = [d for d in ordered if reason.eligible <= d <= reason.due]
                assert late == (not window)
                assert day == (window[-1] if window else next(d for d in reachable if d > reason.due))
            else:
                assert day == reachable[0]
                assert late == (day > reason.due)


@common
@given(cohort=cohorts, meetings=meeting_sets, kind=st.sampled_from(KINDS))
def test_watch_reasons_sit_on_every_meeting_from_eligible_and_are_late_only_after_due(cohort, meetings, kind):
    found = placements(cohort, kind, meetings)
    for child in cohort:
        for reason in reasons_for_child(child, kind=kind, settings=DEFAULTS, calendar=CAL):
            if reason.kind != "watch":
                continue
            expected = [(day, day > reason.due) for day in sorted(meetings) if day >= reason.eligible]
            assert sorted(found.get((child.reference, reason.code), [])) == expected


MEETING_CODE_FIELDS = {"RS_INITIAL_PLANNING": "ipm_held_on", "RS_REMAND_PLANNING": "remand_planning_held_on",
                       "RS_FIRST_PLANNING": "first_planning_held_on", "RS_PENULTIMATE": "penultimate_held_on",
                       "RS_FINAL_REVIEW": "final_review_held_on", "RS_POST_RELEASE": "post_release_review_held_on",
                       "Y2A_TRANSITION_MEETING": "transition_meeting_held_on", "ED_RELEASE_ETE": "ete_interview_on"}


@common
@given(cohort=cohorts, meetings=meeting_sets, kind=st.sampled_from(KINDS))
def test_a_held_on_date_keeps_its_code_off_every_meeting(cohort, meetings, kind):
    for (reference, code), _ in placements(cohort, kind, meetings).items():
        child = next(c for c in cohort if c.reference == reference)
        field = MEETING_CODE_FIELDS.get(code)
        assert field is None or getattr(child, field) is None
        if code in ("RS_IN_CUSTODY", "ED_SCHOOL_AGE"):
            assert child.sentence_type != "remand_la", "v2 §1: local-authority remand is not custody"
        if code == "RS_ACCOMMODATION":
            assert child.release_address_status != "confirmed"
        if code == "Y2A_TRANSFER":
            assert child.sentence_type != "referral_order"


@common
@given(cohort=cohorts, meetings=meeting_sets, kind=st.sampled_from(KINDS))
def test_recurring_reasons_appear_exactly_where_their_condition_holds(cohort, meetings, kind):
    found = placements(cohort, kind, meetings)
    for child in cohort:
        for day in meetings:
            expected = set(recurring_codes_on(child, kind=kind, on=day, settings=DEFAULTS))
            placed = {code for (ref, code), where in found.items() if ref == child.reference
                      and any(d == day for d, _ in where) and code in {"HR_ROSH", "ED_SCHOOL_AGE", "Y2A_IN_ORDER",
                                                                       "RS_IN_CUSTODY", "MAPPA_MANAGED"}}
            assert placed == expected


@common
@given(cohort=cohorts, meetings=meeting_sets, kind=st.sampled_from(KINDS), seed=st.integers(0, 1000))
def test_results_do_not_depend_on_input_order(cohort, meetings, kind, seed):
    first = place_for_panel(cohort, kind=kind, meeting_dates=meetings, settings=DEFAULTS, calendar=CAL)
    rng = random.Random(seed)
    shuffled_children, shuffled_meetings = cohort[:], meetings[:]
    rng.shuffle(shuffled_children)
    rng.shuffle(shuffled_meetings)
    assert place_for_panel(shuffled_children, kind=kind, meeting_dates=shuffled_meetings, settings=DEFAULTS,
                           calendar=CAL) == first


@common
@given(cohort=cohorts, meetings=meeting_sets, kind=st.sampled_from(KINDS))
def test_items_are_ordered_late_first_then_by_due_then_reference(cohort, meetings, kind):
    for result in place_for_panel(cohort, kind=kind, meeting_dates=meetings, settings=DEFAULTS, calendar=CAL):
        keys = []
        for item in result.items:
            dues = [r.due for r in item.reasons if r.due]
            keys.append((not item.late, not dues, min(dues) if dues else date.max, item.child))
        assert keys == sorted(keys)


@common
@given(day=st.integers(-2000, 2000).map(lambda n: BASE + timedelta(days=n)), n=st.integers(0, 60))
def test_working_day_arithmetic_never_lands_on_a_non_working_day(day, n):
    forward, back = CAL.add_working_days(day, n), CAL.sub_working_days(day, n)
    if n:
        assert CAL.is_working_day(forward) and CAL.is_working_day(back)
        assert forward > day > back
        ordinals = [d for d in range(back.toordinal(), forward.toordinal() + 1)
                    if CAL.is_working_day(date.fromordinal(d))]
        assert bisect_left(ordinals, day.toordinal() + 1) + n - 1 == ordinals.index(forward.toordinal())
    assert CAL.is_working_day(CAL.previous_working_day_or_same(day))


@common
@given(cohort=cohorts, meetings=meeting_sets, kind=st.sampled_from(KINDS), pick=st.integers(0, 11))
def test_asking_for_one_meeting_gives_that_meetings_agenda_from_the_full_run(cohort, meetings, kind, pick):
    day = sorted(meetings)[pick % len(meetings)]
    full = {r.date: r for r in place_for_panel(cohort, kind=kind, meeting_dates=meetings, settings=DEFAULTS,
                                               calendar=CAL)}
    only = place_for_panel(cohort, kind=kind, meeting_dates=meetings, settings=DEFAULTS, calendar=CAL, only={day})
    assert only == [full[day]]


def _agendas(cohort, kind, meetings):
    """Every meeting's items with each reason in full: code, kind, due, late and the words."""
    return [(result.date, [(item.child, item.late, [(r.code, r.kind, r.due, r.late, r.explanation)
                                                    for r in item.reasons]) for item in result.items])
            for result in place_for_panel(cohort, kind=kind, meeting_dates=meetings, settings=DEFAULTS,
                                          calendar=CAL)]


@common
@given(cohort=cohorts, meetings=meeting_sets, kind=st.sampled_from([*KINDS, "custom"]))
def test_a_kind_reads_only_the_facts_it_declares(cohort, meetings, kind):
    """The live builder reads only ``FACTS_READ_BY_KIND[kind]`` from the database: the others left empty, every
    agenda is the same, words included."""
    read = FACTS_READ_BY_KIND[kind]
    blanked = [replace(child, **{f.name: None for f in fields(ChildFacts) if f.name not in read})
               for child in cohort]
    assert _agendas(blanked, kind, meetings) == _agendas(cohort, kind, meetings)
