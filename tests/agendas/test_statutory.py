"""The statutory requirements of a child (agendas/statutory.py): due dates from the agenda's own timescales,
met dates from the record. Pure: plain dataclasses, no database."""

from __future__ import annotations

from datetime import date

import pytest

from agendas.rules import ChildFacts, RuleSettings, reasons_for_child, timescale
from agendas.statutory import (
    MET_LATE,
    MET_ON_TIME,
    NOT_YET_DUE,
    OVERDUE,
    REQUIREMENT_CODES,
    Requirement,
    StatutoryFacts,
    custodial_sentence,
    statutory_requirements,
)
from agendas.workdays import WorkingCalendar

CAL = WorkingCalendar.england(2020, 2030)
D = date.fromisoformat
TEXT = ("legal_status", "sentence_type", "release_address_status", "rosh", "mappa_level", "transfer_decision")


def child(ref="YJ-1", dob="2009-05-10", status="sentenced", **values) -> ChildFacts:
    parsed = {k: (D(v) if isinstance(v, str) and k not in TEXT else v) for k, v in values.items()}
    return ChildFacts(reference=ref, date_of_birth=D(dob), legal_status=status, **parsed)


def reqs(c: ChildFacts, address_confirmed_on: date | None = None, settings=None) -> dict[str, Requirement]:
    facts = StatutoryFacts(c, address_confirmed_on=address_confirmed_on)
    return {r.code: r for r in statutory_requirements(facts, calendar=CAL, settings=settings)}


def sentenced(**extra) -> ChildFacts:
    # Sentenced Tue 15 Sep 2026 to 12 months, release Fri 15 Jan 2027, turns 18 on 10 May 2027 (order ends after).
    values = {"sentence_date": "2026-09-15", "custody_entry_date": "2026-09-15", "release_date": "2027-01-15",
              "sentence_length_months": 12, "order_end_date": "2027-09-15", "sentence_type": "dto"}
    return child(**{**values, **extra})


# --- due dates ------------------------------------------------------------------------------------
def test_initial_planning_is_due_ten_working_days_after_sentence():
    assert reqs(sentenced())["RS_INITIAL_PLANNING"].due == D("2026-09-29")


def test_remand_planning_is_due_ten_working_days_after_remand():
    c = child(status="remand", remand_date="2026-12-21", custody_entry_date="2026-12-21")
    assert reqs(c)["RS_REMAND_PLANNING"].due == D("2027-01-07")  # over Christmas and New Year bank holidays


def test_first_planning_is_due_twenty_working_days_after_custody_entry():
    assert reqs(sentenced())["RS_FIRST_PLANNING"].due == D("2026-10-13")


def test_penultimate_is_due_a_month_before_release():
    assert reqs(sentenced())["RS_PENULTIMATE"].due == D("2026-12-15")


def test_final_review_is_due_ten_working_days_before_release():
    assert reqs(sentenced())["RS_FINAL_REVIEW"].due == D("2026-12-31")  # 1 Jan is a bank holiday


def test_post_release_review_is_due_twenty_working_days_after_actual_release():
    c = sentenced(status="released", actual_release_date="2027-01-15")
    assert reqs(c)["RS_POST_RELEASE"].due == D("2027-02-12")


def test_ete_interview_is_due_ten_working_days_after_actual_release():
    c = sentenced(status="released", actual_release_date="2027-01-15")
    assert reqs(c)["ED_RELEASE_ETE"].due == D("2027-01-29")


def test_mappa_referral_is_due_six_months_before_release_moved_off_a_weekend():
    c = sentenced(release_date="2027-07-17", sentence_length_months=24)  # R − 6 months = Sun 17 Jan 2027
    assert reqs(c)["MAPPA_REFERRAL"].due == D("2027-01-15")


def test_transition_meeting_is_due_at_seventeen_years_nine_months():
    assert reqs(sentenced())["Y2A_TRANSITION_MEETING"].due == D("2027-02-10")


def test_address_is_due_confirmed_a_month_before_release():
    assert reqs(sentenced())["RS_ACCOMMODATION"].due == D("2026-12-15")


@pytest.mark.parametrize("code", ["RS_INITIAL_PLANNING", "RS_FIRST_PLANNING", "RS_PENULTIMATE",
                                  "RS_FINAL_REVIEW", "MAPPA_REFERRAL", "RS_ACCOMMODATION"])
def test_due_dates_are_the_agendas_due_dates(code):
    c = sentenced()
    kind = "mappa" if code == "MAPPA_REFERRAL" else "resettlement"
    agenda = {r.code: r.due for r in reasons_for_child(c, kind=kind, settings=RuleSettings(), calendar=CAL)}
    assert reqs(c)[code].due == agenda[code]


def test_a_panel_setting_changes_the_due_date():
    settings = {"resettlement": RuleSettings(rs_initial_planning_wd=5)}
    assert reqs(sentenced(), settings=settings)["RS_INITIAL_PLANNING"].due == D("2026-09-22")


def test_a_disabled_rule_is_still_a_statutory_requirement():
    settings = {"resettlement": RuleSettings(disabled_rules=("RS_INITIAL_PLANNING",))}
    assert "RS_INITIAL_PLANNING" in reqs(sentenced(), settings=settings)


def test_timescale_is_none_when_its_date_is_unknown():
    assert timescale("RS_POST_RELEASE", sentenced(), settings=RuleSettings(), calendar=CAL) is None


# --- met dates ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("code", "field"), [
    ("RS_INITIAL_PLANNING", "ipm_held_on"), ("RS_FIRST_PLANNING", "first_planning_held_on"),
    ("RS_PENULTIMATE", "penultimate_held_on"), ("RS_FINAL_REVIEW", "final_review_held_on"),
    ("MAPPA_REFERRAL", "mappa_referred_on"), ("Y2A_TRANSITION_MEETING", "transition_meeting_held_on"),
])
def test_met_on_is_read_from_the_record(code, field):
    assert reqs(sentenced(**{field: "2026-10-01"}))[code].met_on == D("2026-10-01")


def test_post_release_met_dates_are_read_from_the_record():
    c = sentenced(status="released", actual_release_date="2027-01-15", post_release_review_held_on="2027-02-01",
                  ete_interview_on="2027-01-20")
    got = reqs(c)
    assert (got["RS_POST_RELEASE"].met_on, got["ED_RELEASE_ETE"].met_on) == (D("2027-02-01"), D("2027-01-20"))


def test_address_met_on_is_the_confirmation_date_given():
    assert reqs(sentenced(), address_confirmed_on=D("2026-12-01"))["RS_ACCOMMODATION"].met_on == D("2026-12-01")


def test_a_met_requirement_stays_listed():
    assert reqs(sentenced(ipm_held_on="2026-09-20"))["RS_INITIAL_PLANNING"].met_on is not None


# --- status and lateness --------------------------------------------------------------------------
def test_met_on_the_due_date_is_on_time():
    assert Requirement("RS_INITIAL_PLANNING", D("2026-09-29"), D("2026-09-29")).status(D("2027-01-01")) == MET_ON_TIME


def test_met_after_the_due_date_is_late():
    assert Requirement("RS_INITIAL_PLANNING", D("2026-09-29"), D("2026-10-02")).status(D("2027-01-01")) == MET_LATE


def test_days_late_of_a_late_meeting():
    assert Requirement("RS_INITIAL_PLANNING", D("2026-09-29"), D("2026-10-02")).days_late(D("2027-01-01")) == 3


def test_unmet_past_due_is_overdue():
    assert Requirement("RS_INITIAL_PLANNING", D("2026-09-29"), None).status(D("2026-09-30")) == OVERDUE


def test_unmet_before_due_is_not_yet_due():
    assert Requirement("RS_INITIAL_PLANNING", D("2026-09-29"), None).status(D("2026-09-29")) == NOT_YET_DUE


def test_an_on_time_requirement_has_no_days_late():
    assert Requirement("RS_INITIAL_PLANNING", D("2026-09-29"), D("2026-09-01")).days_late(D("2027-01-01")) is None


# --- which requirements apply ---------------------------------------------------------------------
def test_a_released_child_keeps_its_sentence_requirements():
    c = sentenced(status="released", actual_release_date="2027-01-15")
    assert {"RS_INITIAL_PLANNING", "RS_PENULTIMATE", "RS_FINAL_REVIEW"} <= set(reqs(c))


def test_a_community_order_has_no_custody_requirements():
    c = child(status="community", sentence_date="2026-09-15", sentence_type="yro", order_end_date="2027-09-15")
    assert not {"RS_INITIAL_PLANNING", "RS_PENULTIMATE", "RS_FIRST_PLANNING"} & set(reqs(c))


def test_a_closed_case_after_custody_keeps_its_history():
    assert custodial_sentence(sentenced(status="closed")) is True


def test_a_short_sentence_has_no_mappa_referral():
    assert "MAPPA_REFERRAL" not in reqs(sentenced(sentence_length_months=6))


def test_no_transition_meeting_when_the_order_ends_before_eighteen():
    assert "Y2A_TRANSITION_MEETING" not in reqs(sentenced(order_end_date="2027-03-01"))


def test_no_release_requirements_without_a_release():
    assert not {"RS_POST_RELEASE", "ED_RELEASE_ETE"} & set(reqs(sentenced()))


def test_requirements_come_in_report_order():
    c = sentenced(status="released", actual_release_date="2027-01-15", remand_date="2026-09-01")
    codes = [r.code for r in statutory_requirements(StatutoryFacts(c), calendar=CAL)]
    assert codes == [code for code in REQUIREMENT_CODES if code in codes]
