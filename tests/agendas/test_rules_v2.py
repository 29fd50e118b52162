"""What version 2 of docs/agenda-rules.md adds or changes, one behaviour per test (pure: no database)."""

from __future__ import annotations

from datetime import date

import pytest

from agendas.rules import (
    MEETING_CODES,
    SATISFIED_BY_DISCUSSION,
    ChildFacts,
    RuleSettings,
    place_for_panel,
    reasons_for_child,
)
from agendas.workdays import WorkingCalendar

CAL = WorkingCalendar.england(2020, 2030)
DEFAULTS = RuleSettings()
D = date.fromisoformat
TEXT = ("legal_status", "sentence_type", "release_address_status", "rosh", "mappa_level", "transfer_decision")
MONTHLY = [D(x) for x in ("2026-10-01", "2026-11-05", "2026-12-03", "2027-01-07", "2027-02-04")]


def child(ref="YJ-1", dob="2009-05-10", status="sentenced", **values) -> ChildFacts:
    parsed = {k: (D(v) if isinstance(v, str) and k not in TEXT else v) for k, v in values.items()}
    return ChildFacts(reference=ref, date_of_birth=D(dob), legal_status=status, **parsed)


def reasons(c: ChildFacts, kind: str, settings=DEFAULTS) -> dict:
    return {r.code: r for r in reasons_for_child(c, kind=kind, settings=settings, calendar=CAL)}


def placed(c: ChildFacts, kind: str, meetings, settings=DEFAULTS, calendar=CAL) -> dict[date, dict[str, bool]]:
    """{meeting date: {code: late}} for one child."""
    out = {}
    for result in place_for_panel([c], kind=kind, meeting_dates=meetings, settings=settings, calendar=calendar):
        for item in result.items:
            out[result.date] = {r.code: r.late for r in item.reasons}
    return out


def codes_anywhere(c: ChildFacts, kind: str, meetings=MONTHLY) -> set[str]:
    return {code for codes in placed(c, kind, meetings).values() for code in codes}


# --- RS_ACCOMMODATION: the new `watch` kind (§2, §3 resettlement) ---------------------------------
def zane(**extra) -> ChildFacts:
    return child(sentence_date="2026-09-15", release_date="2027-01-15", **extra)


def test_accommodation_is_a_watch_from_three_months_before_release_due_one_month_before():
    found = reasons(zane(), "resettlement")["RS_ACCOMMODATION"]
    assert (found.kind, found.eligible, found.due) == ("watch", D("2026-10-15"), D("2026-12-15"))


def test_a_watch_sits_on_every_meeting_from_eligible_late_only_after_due_even_after_release():
    result = placed(zane(), "resettlement", MONTHLY)
    assert {day: codes.get("RS_ACCOMMODATION") for day, codes in result.items()} == {
        D("2026-10-01"): None,  # in custody, but before the watch starts
        D("2026-11-05"): False, D("2026-12-03"): False, D("2027-01-07"): True,
        D("2027-02-04"): True,  # the expected release has passed: still watched, still late (no end date)
    }


@pytest.mark.parametrize("status", [None, "none", "proposed", "assessed"])
def test_accommodation_stays_until_the_release_address_is_confirmed(status):
    assert "RS_ACCOMMODATION" in reasons(zane(release_address_status=status), "resettlement")


def test_a_confirmed_release_address_ends_the_accommodation_watch_at_every_meeting():
    assert "RS_ACCOMMODATION" not in codes_anywhere(zane(release_address_status="confirmed"), "resettlement")


def test_an_actual_release_ends_the_accommodation_watch():
    released = child(status="released", sentence_date="2026-09-15", release_date="2027-01-15",
                     actual_release_date="2027-01-15")
    assert "RS_ACCOMMODATION" not in reasons(released, "resettlement")
    still_sentenced = zane(actual_release_date="2027-01-15")
    assert "RS_ACCOMMODATION" not in reasons(still_sentenced, "resettlement")


def test_accommodation_needs_no_sentence_date():
    found = reasons(child(release_date="2027-01-15"), "resettlement")
    assert found["RS_ACCOMMODATION"].eligible == D("2026-10-15")


def test_accommodation_applies_only_while_sentenced():
    on_remand = child(status="remand", remand_date="2026-09-15", release_date="2027-01-15")
    assert "RS_ACCOMMODATION" not in reasons(on_remand, "resettlement")


def test_the_accommodation_due_date_moves_back_off_a_sunday_but_eligible_never_moves():
    found = reasons(child(release_date="2027-03-28"), "resettlement")["RS_ACCOMMODATION"]
    assert found.due == D("2027-02-26")  # 28 Feb 2027 is a Sunday
    assert found.eligible == D("2026-12-28")  # Boxing Day observed: eligible dates never move


def test_a_watch_orders_by_its_due_date_like_dated_reasons():
    early = child("YJ-2", release_date="2027-01-15", release_address_status="none")
    later = child("YJ-1", release_date="2027-02-15", release_address_status="none")
    result = place_for_panel([later, early], kind="resettlement", meeting_dates=[D("2026-12-03")],
                             settings=DEFAULTS, calendar=CAL)
    assert [item.child for item in result[0].items] == ["YJ-2", "YJ-1"]


def test_accommodation_months_are_panel_settings():
    settings, errors = RuleSettings.from_dict({"rs_accommodation_from_months": 4, "rs_accommodation_by_months": 2})
    assert errors == []
    found = reasons(zane(), "resettlement", settings)["RS_ACCOMMODATION"]
    assert (found.eligible, found.due) == (D("2026-09-15"), D("2026-11-13"))  # 15 Nov 2026 is a Sunday


def test_accommodation_by_months_may_not_exceed_from_months():
    settings, errors = RuleSettings.from_dict({"rs_accommodation_from_months": 1, "rs_accommodation_by_months": 2})
    assert settings is None
    assert errors == ["rs_accommodation_by_months: must not be larger than rs_accommodation_from_months"]


# --- RS_INITIAL_PLANNING and ED_RELEASE_ETE ---------------------------------------------------------
def test_initial_planning_is_due_ten_working_days_after_sentence():
    found = reasons(child(sentence_date="2026-12-18", release_date="2027-06-18"), "resettlement")
    ipm = found["RS_INITIAL_PLANNING"]
    assert (ipm.kind, ipm.eligible, ipm.due) == ("after", D("2026-12-18"), D("2027-01-06"))  # Christmas, New Year


def test_initial_planning_applies_only_while_sentenced():
    released = child(status="released", sentence_date="2026-06-08", actual_release_date="2026-12-08")
    assert "RS_INITIAL_PLANNING" not in reasons(released, "resettlement")


def test_initial_planning_working_days_are_a_panel_setting():
    settings, _ = RuleSettings.from_dict({"rs_initial_planning_wd": 5})
    found = reasons(child(sentence_date="2026-12-18"), "resettlement", settings)
    assert found["RS_INITIAL_PLANNING"].due == D("2026-12-29")


def test_release_ete_interview_is_due_ten_working_days_after_actual_release():
    found = reasons(child(status="released", actual_release_date="2026-12-08"), "education")["ED_RELEASE_ETE"]
    assert (found.kind, found.eligible, found.due) == ("after", D("2026-12-08"), D("2026-12-22"))


@pytest.mark.parametrize("status", ["remand", "sentenced", "community", "released"])
def test_release_ete_applies_to_every_status_but_closed(status):
    assert "ED_RELEASE_ETE" in reasons(child(status=status, actual_release_date="2026-12-08"), "education")


def test_release_ete_working_days_are_a_panel_setting():
    settings, _ = RuleSettings.from_dict({"ed_release_ete_wd": 1})
    found = reasons(child(status="released", actual_release_date="2026-12-24"), "education", settings)
    assert found["ED_RELEASE_ETE"].due == D("2026-12-29")


# --- the *_held_on fields end the meeting codes (§3, §7) ---------------------------------------------
def in_custody(**extra) -> ChildFacts:
    """Remanded, then sentenced; 17 years 9 months at release, in an order that runs past 18."""
    return child(dob="2008-10-20", remand_date="2026-03-02", sentence_date="2026-05-07", release_date="2026-11-07",
                 order_end_date="2027-05-07", **extra)


def released(**extra) -> ChildFacts:
    return child(status="released", sentence_date="2026-05-07", actual_release_date="2026-11-06", **extra)


HELD_ON = [
    ("RS_INITIAL_PLANNING", "ipm_held_on", "resettlement", in_custody),
    ("RS_REMAND_PLANNING", "remand_planning_held_on", "resettlement", in_custody),
    ("RS_FIRST_PLANNING", "first_planning_held_on", "resettlement", in_custody),
    ("RS_PENULTIMATE", "penultimate_held_on", "resettlement", in_custody),
    ("RS_FINAL_REVIEW", "final_review_held_on", "resettlement", in_custody),
    ("Y2A_TRANSITION_MEETING", "transition_meeting_held_on", "y2a", in_custody),
    ("RS_POST_RELEASE", "post_release_review_held_on", "resettlement", released),
    ("ED_RELEASE_ETE", "ete_interview_on", "education", released),
]


@pytest.mark.parametrize(("code", "field", "kind", "make"), HELD_ON)
def test_the_matching_held_on_date_ends_a_meeting_code(code, field, kind, make):
    assert code in reasons(make(), kind)
    assert code not in reasons(make(**{field: "2026-11-30"}), kind)


@pytest.mark.parametrize(("code", "field", "kind", "make"), HELD_ON)
def test_a_held_on_date_removes_the_code_from_meetings_before_that_date_too(code, field, kind, make):
    meetings = [D("2026-03-05"), D("2026-06-04"), D("2026-11-12"), D("2027-01-07")]
    assert code in codes_anywhere(make(), kind, meetings)
    assert code not in codes_anywhere(make(**{field: "2027-01-06"}), kind, meetings)


def test_the_meeting_codes_are_the_seven_of_section_7_and_none_is_satisfied_by_discussion():
    assert sorted(MEETING_CODES) == ["RS_FINAL_REVIEW", "RS_FIRST_PLANNING", "RS_INITIAL_PLANNING", "RS_PENULTIMATE",
                                     "RS_POST_RELEASE", "RS_REMAND_PLANNING", "Y2A_TRANSITION_MEETING"]
    assert sorted(SATISFIED_BY_DISCUSSION) == ["ED_ETE_PLAN", "HR_PRE_RELEASE", "REVIEW_DUE", "Y2A_PLANNING_START",
                                               "Y2A_POST_TRANSFER", "Y2A_TRANSFER"]
    assert not MEETING_CODES & SATISFIED_BY_DISCUSSION


# --- remand to local-authority accommodation is not custody (§1) ---------------------------------------
def remanded_to_la(**extra) -> ChildFacts:
    return child(dob="2011-02-03", status="remand", remand_date="2026-11-02", sentence_type="remand_la", **extra)


def test_a_child_remanded_to_local_authority_accommodation_is_not_in_custody():
    assert "RS_IN_CUSTODY" not in codes_anywhere(remanded_to_la(), "resettlement")


def test_a_school_age_child_remanded_to_local_authority_accommodation_is_not_an_education_custody_case():
    assert "ED_SCHOOL_AGE" not in codes_anywhere(remanded_to_la(), "education")


def test_local_authority_remand_still_gets_remand_and_first_planning_meetings():
    found = reasons(remanded_to_la(), "resettlement")
    assert {"RS_REMAND_PLANNING", "RS_FIRST_PLANNING"} <= set(found)


def test_remand_to_youth_detention_accommodation_is_still_custody():
    yda = child(dob="2011-02-03", status="remand", remand_date="2026-11-02", sentence_type="remand_yda")
    assert "RS_IN_CUSTODY" in codes_anywhere(yda, "resettlement")


# --- referral orders and the presumption of transfer (§3 y2a) ---------------------------------------
def test_a_referral_order_drops_only_the_transfer_reason():
    on_referral_order = child(dob="2009-03-14", status="community", order_end_date="2028-01-12",
                              sentence_type="referral_order")
    found = set(reasons(on_referral_order, "y2a"))
    assert "Y2A_TRANSFER" not in found
    assert {"Y2A_PLANNING_START", "Y2A_TRANSITION_MEETING"} <= found
    assert "Y2A_IN_ORDER" in codes_anywhere(on_referral_order, "y2a", [D("2026-06-04")])


# --- any date works (§7) ------------------------------------------------------------------------------
def test_a_child_born_in_2014_turns_18_beyond_the_old_calendar_range():
    young = child(dob="2014-01-31", status="community", order_end_date="2033-01-01")
    small = WorkingCalendar.england(2026, 2026)
    found = {r.code: r for r in reasons_for_child(young, kind="y2a", settings=DEFAULTS, calendar=small)}
    assert found["Y2A_TRANSFER"].due == D("2032-01-30")  # 31 Jan 2032 is a Saturday
    assert placed(young, "y2a", [D("2031-09-04")], calendar=small) == {
        D("2031-09-04"): {"Y2A_IN_ORDER": False, "Y2A_PLANNING_START": True, "Y2A_TRANSITION_MEETING": False}}


def test_computed_dates_in_2118_work():
    born_2100 = child(dob="2100-03-01", status="sentenced", sentence_date="2115-01-04", release_date="2118-12-24",
                      order_end_date="2120-01-01")
    for kind in ("high_risk", "education", "y2a", "resettlement", "mappa"):
        reasons_for_child(born_2100, kind=kind, settings=DEFAULTS, calendar=CAL)
    assert reasons(born_2100, "y2a")["Y2A_TRANSFER"].due == D("2118-03-01")


def test_every_code_has_a_title_in_plain_words():
    from agendas.context import LIVE_TITLES, reason_title
    from agendas.rules import ALL_CODES

    for code in [*ALL_CODES, "REVIEW_DUE", "OPEN_ACTIONS", "REFERRAL", "MANUAL"]:
        title = reason_title(code)
        assert title != "Other reason" and "_" not in title, code
    assert LIVE_TITLES["REVIEW_DUE"] == "Review date set by the panel"
