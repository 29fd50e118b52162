"""The worked scenarios of domain.md §8 that the default rules cover (docs/agenda-rules.md decides)."""

from __future__ import annotations

from datetime import date

import pytest

from agendas.rules import ChildFacts, RuleSettings, place_for_panel, reasons_for_child, school_leaving_date
from agendas.workdays import WorkingCalendar

CAL = WorkingCalendar.england(2020, 2030)
DEFAULTS = RuleSettings()
D = date.fromisoformat
HRP = [D(x) for x in ("2026-06-04", "2026-07-02", "2026-08-06", "2026-09-03", "2026-10-01", "2026-11-05",
                      "2026-12-03", "2027-01-07", "2027-02-04", "2027-03-04", "2027-04-01", "2027-05-06")]


def child(ref="YJ-1", dob="2009-05-10", status="sentenced", **dates) -> ChildFacts:
    values = {k: (D(v) if isinstance(v, str) and k not in ("rosh", "mappa_level", "transfer_decision") else v)
              for k, v in dates.items()}
    return ChildFacts(reference=ref, date_of_birth=D(dob), legal_status=status, **values)


def due(c: ChildFacts, kind: str, code: str, settings=DEFAULTS) -> date:
    found = {r.code: r for r in reasons_for_child(c, kind=kind, settings=settings, calendar=CAL)}
    return found[code].due


def placed(c: ChildFacts, kind: str, meetings, settings=DEFAULTS) -> dict[date, dict[str, bool]]:
    """{meeting date: {code: late}} for one child."""
    out = {}
    for result in place_for_panel([c], kind=kind, meeting_dates=meetings, settings=settings, calendar=CAL):
        for item in result.items:
            out[result.date] = {r.code: r.late for r in item.reasons}
    return out


def test_zane_hrp_due_4_dec_goes_on_3_dec_not_january():
    zane = child(sentence_date="2026-09-15", release_date="2027-01-15", order_end_date="2027-05-14",
                 sentence_length_months=8)
    assert due(zane, "high_risk", "HR_PRE_RELEASE") == D("2026-12-04")
    assert placed(zane, "high_risk", HRP) == {D("2026-12-03"): {"HR_PRE_RELEASE": False}}


def test_zane_with_early_release_goes_on_1_oct_or_late_on_3_dec():
    zane = child(sentence_date="2026-09-15", release_date="2027-01-15", early_release_date="2026-12-15")
    assert due(zane, "high_risk", "HR_PRE_RELEASE") == D("2026-11-03")
    assert placed(zane, "high_risk", HRP) == {D("2026-10-01"): {"HR_PRE_RELEASE": False}}
    assert placed(zane, "high_risk", HRP[6:]) == {D("2026-12-03"): {"HR_PRE_RELEASE": True}}


def test_zane_is_past_school_age_and_below_the_mappa_threshold():
    zane = child(sentence_date="2026-09-15", release_date="2027-01-15", sentence_length_months=8,
                 custody_entry_date="2026-09-15")
    assert school_leaving_date(D("2009-05-10")) == D("2025-06-27")
    assert "ED_SCHOOL_AGE" not in {c for m in placed(zane, "education", HRP).values() for c in m}
    assert placed(zane, "mappa", HRP) == {}
    refer_all = RuleSettings(mappa_min_sentence_months=0)
    assert placed(zane, "mappa", HRP, refer_all) == {D("2026-10-01"): {"MAPPA_REFERRAL": True}}


def test_amara_school_age_in_custody_at_every_education_panel_and_ete_on_8_dec():
    amara = child(dob="2011-02-03", sentence_date="2026-11-02", release_date="2027-02-02")
    education = [D("2026-11-10"), D("2026-12-08"), D("2027-01-12"), D("2027-02-09")]
    assert placed(amara, "education", education) == {
        D("2026-11-10"): {"ED_SCHOOL_AGE": False},
        D("2026-12-08"): {"ED_ETE_PLAN": False, "ED_SCHOOL_AGE": False},
        D("2027-01-12"): {"ED_SCHOOL_AGE": False},
        D("2027-02-09"): {"ED_SCHOOL_AGE": False},  # still recorded as sentenced: a snapshot, projected (§6)
    }
    assert placed(amara, "high_risk", HRP) == {D("2026-12-03"): {"HR_PRE_RELEASE": False}}


def test_tobi_penultimate_final_review_and_post_release_dates():
    tobi = child(sentence_date="2026-06-08", release_date="2026-12-08", sentence_length_months=12)
    assert due(tobi, "mappa", "MAPPA_REFERRAL") == D("2026-06-08")
    assert due(tobi, "resettlement", "RS_FIRST_PLANNING") == D("2026-07-06")
    assert due(tobi, "resettlement", "RS_PENULTIMATE") == D("2026-11-06")  # Sunday 8 Nov moves back
    assert due(tobi, "resettlement", "RS_FINAL_REVIEW") == D("2026-11-24")
    assert due(tobi, "high_risk", "HR_PRE_RELEASE") == D("2026-10-27")
    released = child(status="released", sentence_date="2026-06-08", release_date="2026-12-08",
                     actual_release_date="2026-12-08")
    assert due(released, "resettlement", "RS_POST_RELEASE") == D("2027-01-08")  # skips 25, 28 Dec and 1 Jan


def test_lewis_mappa_due_moves_off_sunday_and_hrp_due_on_the_meeting_day_counts():
    lewis = child(dob="2009-03-14", sentence_date="2026-01-12", release_date="2027-01-12", sentence_length_months=24,
                  order_end_date="2028-01-12")
    assert due(lewis, "mappa", "MAPPA_REFERRAL") == D("2026-07-10")
    assert placed(lewis, "high_risk", HRP) == {D("2026-11-05"): {"HR_PRE_RELEASE": False}}
    early = child(dob="2009-03-14", sentence_date="2026-01-12", release_date="2027-01-12",
                  early_release_date="2026-11-12", sentence_length_months=24)
    assert due(early, "mappa", "MAPPA_REFERRAL") == D("2026-05-12")
    assert placed(early, "high_risk", HRP) == {D("2026-10-01"): {"HR_PRE_RELEASE": False}}
    assert due(lewis, "y2a", "Y2A_PLANNING_START") == D("2026-09-14")
    assert due(lewis, "y2a", "Y2A_TRANSITION_MEETING") == D("2026-12-14")


def test_ruby_remand_planning_skips_christmas_and_new_year():
    ruby = child(dob="2011-01-09", status="remand", remand_date="2026-12-18")
    assert due(ruby, "resettlement", "RS_REMAND_PLANNING") == D("2027-01-06")
    assert due(ruby, "resettlement", "RS_FIRST_PLANNING") == D("2027-01-20")


def test_marcus_first_planning_skips_easter_2027():
    marcus = child(sentence_date="2027-03-25", release_date="2027-09-25")
    assert due(marcus, "resettlement", "RS_FIRST_PLANNING") == D("2027-04-26")


def test_sami_final_review_skips_the_late_may_bank_holiday():
    sami = child(sentence_date="2026-12-04", release_date="2027-06-04")
    assert placed(sami, "high_risk", HRP) == {D("2027-04-01"): {"HR_PRE_RELEASE": False}}
    assert due(sami, "resettlement", "RS_PENULTIMATE") == D("2027-05-04")
    assert due(sami, "resettlement", "RS_FINAL_REVIEW") == D("2027-05-20")


def test_connor_post_release_review_skips_the_august_bank_holiday():
    connor = child(status="released", sentence_date="2026-04-20", actual_release_date="2026-08-20")
    assert due(connor, "resettlement", "RS_POST_RELEASE") == D("2026-09-18")


def test_elijah_milestones_on_weekends_move_back():
    elijah = child(dob="2008-11-30", sentence_date="2026-02-16", release_date="2028-02-16",
                   order_end_date="2030-02-16")
    assert due(elijah, "y2a", "Y2A_PLANNING_START") == D("2026-05-29")  # 17½ is Saturday 30 May
    assert due(elijah, "y2a", "Y2A_TRANSITION_MEETING") == D("2026-08-28")  # Sun 30 Aug, Mon 31 is a bank holiday


def test_nadia_transition_meeting_is_late_at_sentence_and_hrp_is_1_oct():
    nadia = child(dob="2008-10-20", sentence_date="2026-08-03", release_date="2026-12-03",
                  order_end_date="2027-04-03")
    y2a = [D("2026-08-19"), D("2026-09-16"), D("2026-10-21")]
    result = placed(nadia, "y2a", y2a)
    assert result[D("2026-08-19")]["Y2A_TRANSITION_MEETING"] is True
    assert result[D("2026-08-19")]["Y2A_IN_ORDER"] is False
    assert "Y2A_IN_ORDER" not in result.get(D("2026-10-21"), {})  # 18 on 20 Oct
    assert placed(nadia, "high_risk", HRP) == {D("2026-10-01"): {"HR_PRE_RELEASE": False}}


def test_owen_mappa_referral_due_on_remand_is_late_at_sentence():
    owen = child(remand_date="2026-03-02", sentence_date="2026-09-07", release_date="2026-11-16",
                 sentence_length_months=12)
    assert due(owen, "mappa", "MAPPA_REFERRAL") == D("2026-05-15")  # Saturday 16 May moves back
    mappa = [D("2026-05-29"), D("2026-06-26"), D("2026-09-25"), D("2026-10-30")]
    assert placed(owen, "mappa", mappa) == {D("2026-09-25"): {"MAPPA_REFERRAL": True}}
    assert placed(owen, "high_risk", HRP) == {D("2026-10-01"): {"HR_PRE_RELEASE": False}}
    assert due(owen, "resettlement", "RS_REMAND_PLANNING") == D("2026-03-16")
    assert due(owen, "resettlement", "RS_FIRST_PLANNING") == D("2026-03-30")
    assert due(owen, "resettlement", "RS_PENULTIMATE") == D("2026-10-16")
    assert due(owen, "resettlement", "RS_FINAL_REVIEW") == D("2026-11-02")


@pytest.mark.parametrize("status", ["closed"])
def test_closed_cases_yield_nothing(status):
    closed = child(status=status, sentence_date="2026-09-15", release_date="2027-01-15", rosh="very_high")
    for kind in ("high_risk", "education", "y2a", "resettlement", "mappa"):
        assert placed(closed, kind, HRP) == {}


def test_a_29_february_birthday_reaches_18_on_28_february():
    leap = child(dob="2008-02-29", order_end_date="2027-01-01")
    assert due(leap, "y2a", "Y2A_TRANSFER") == D("2026-02-27")  # 28 Feb 2026 is a Saturday
    assert ChildFacts(reference="x", date_of_birth=D("2008-02-29"), legal_status="community").eighteenth_birthday \
        == D("2026-02-28")


def test_retain_decision_drops_the_transfer_and_only_transfer_gives_a_review():
    base = {"dob": "2009-03-14", "order_end_date": "2028-01-12"}
    retained = child(**base, transfer_decision="retain")
    codes = {r.code for r in reasons_for_child(retained, kind="y2a", settings=DEFAULTS, calendar=CAL)}
    assert "Y2A_TRANSFER" not in codes and "Y2A_POST_TRANSFER" not in codes
    unknown = {r.code for r in reasons_for_child(child(**base), kind="y2a", settings=DEFAULTS, calendar=CAL)}
    assert "Y2A_TRANSFER" in unknown and "Y2A_POST_TRANSFER" not in unknown
    transferred = child(**base, transfer_decision="transfer")
    review = {r.code: r for r in reasons_for_child(transferred, kind="y2a", settings=DEFAULTS, calendar=CAL)}
    assert (review["Y2A_POST_TRANSFER"].eligible, review["Y2A_POST_TRANSFER"].due) == (D("2027-04-11"), D("2027-04-23"))


def test_disabled_rules_and_settings_change_the_result():
    zane = child(sentence_date="2026-09-15", release_date="2027-01-15")
    assert placed(zane, "high_risk", HRP, RuleSettings(disabled_rules=("HR_PRE_RELEASE",))) == {}
    eight_weeks = RuleSettings(hr_pre_release_weeks=8)
    assert placed(zane, "high_risk", HRP, eight_weeks) == {D("2026-11-05"): {"HR_PRE_RELEASE": False}}


def test_rule_settings_validation_names_the_key():
    _, errors = RuleSettings.from_dict({"hr_pre_release_weeks": "six", "nope": 1, "disabled_rules": ["XX"]})
    assert errors == ["hr_pre_release_weeks: must be a whole number, not 'six'", "nope: is not a rule setting",
                      "disabled_rules: unknown rule code(s) XX"]
    settings, errors = RuleSettings.from_dict({"mappa_min_sentence_months": 0})
    assert errors == [] and settings.mappa_min_sentence_months == 0


def test_custody_and_school_age_windows_at_their_edges():
    """v2 §3: the release also brings ED_RELEASE_ETE (on 2 Feb), so the window is read from ED_SCHOOL_AGE alone."""
    held = child(dob="2011-02-03", status="sentenced", sentence_date="2026-11-02", actual_release_date="2027-02-02")
    education = [D("2026-11-01"), D("2026-11-02"), D("2027-02-01"), D("2027-02-02")]
    school_age = [day for day, codes in placed(held, "education", education).items() if "ED_SCHOOL_AGE" in codes]
    assert school_age == [D("2026-11-02"), D("2027-02-01")]
    # a snapshot, projected: a child recorded as released is in custody at no meeting, even before release
    released = child(dob="2011-02-03", status="released", sentence_date="2026-11-02",
                     actual_release_date="2027-02-02")
    assert "ED_SCHOOL_AGE" not in {c for codes in placed(released, "education", education).values() for c in codes}
    # the school_age field overrides the derivation both ways
    older = child(dob="2009-05-10", status="remand", remand_date="2026-11-01", school_age=True)
    assert placed(older, "education", [D("2026-12-08")]) == {D("2026-12-08"): {"ED_SCHOOL_AGE": False}}
    younger = child(dob="2012-05-10", status="remand", remand_date="2026-11-01", school_age=False)
    assert placed(younger, "education", [D("2026-12-08")]) == {}
    # school age ends on the last Friday of June of the school year in which the child turns 16
    leaver = child(dob="2010-08-31", status="remand", remand_date="2026-01-05")
    assert list(placed(leaver, "education", [D("2026-06-25"), D("2026-06-26")])) == [D("2026-06-25")]
