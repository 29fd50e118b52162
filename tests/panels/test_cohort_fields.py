"""The cohort interchange format's field rules (docs/cohort-format.md), shared by import, dry run and API."""

from __future__ import annotations

from datetime import date

import pytest

from panels.cohort import (
    FIELDS,
    FIELDS_BY_NAME,
    FieldError,
    consistency_errors,
    parse_record,
    parse_value,
    record_to_row,
)


def value(name, raw, json_mode=False):
    return parse_value(FIELDS_BY_NAME[name], raw, json_mode=json_mode)


@pytest.mark.parametrize("raw", ["true", "TRUE", "yes", "Yes", "1"])
def test_true_spellings(raw):
    assert value("looked_after", raw) is True


@pytest.mark.parametrize("raw", ["false", "No", "0"])
def test_false_spellings(raw):
    assert value("ehcp", raw) is False


@pytest.mark.parametrize(("name", "raw"), [("victims", ""), ("victims", "  "), ("release_date", ""),
                                           ("rosh", None)])
def test_empty_means_unknown(name, raw):
    assert value(name, raw) is None


def test_json_booleans_numbers_and_numeric_mappa_enums():
    assert value("school_age", True, json_mode=True) is True
    assert value("sentence_length_months", 12, json_mode=True) == 12
    assert value("sentence_length_months", "12", json_mode=True) == 12
    assert value("mappa_level", 2, json_mode=True) == "2"
    with pytest.raises(FieldError):
        value("mappa_level", 4, json_mode=True)
    with pytest.raises(FieldError):
        value("sentence_length_months", True, json_mode=True)
    with pytest.raises(FieldError):
        value("sentence_length_months", 1.5, json_mode=True)
    with pytest.raises(FieldError):
        value("school_age", 1, json_mode=True)


@pytest.mark.parametrize(("name", "raw", "fragment"), [
    ("date_of_birth", "2009-13-01", "not a real date"),
    ("date_of_birth", "10/05/2009", "YYYY-MM-DD"),
    ("date_of_birth", "2009-05-10T00:00", "YYYY-MM-DD"),
    ("legal_status", "Sentenced", "not one of"),
    ("sentence_length_months", "0", "outside 1–600"),
    ("sentence_length_months", "601", "outside 1–600"),
    ("sentence_length_months", "twelve", "not a whole number"),
    ("looked_after", "maybe", "yes/no"),
    ("case_manager_email", "not-an-email", "not an email"),
    ("reference", "x" * 41, "at most 40"),
])
def test_bad_values_name_the_problem(name, raw, fragment):
    with pytest.raises(FieldError) as exc:
        value(name, raw)
    assert exc.value.field == name and fragment in exc.value.message


def test_required_fields_depend_on_the_mode():
    _, import_errors = parse_record({"reference": "YJ-1", "date_of_birth": "2009-01-01", "legal_status": "remand"},
                                    mode="import", json_mode=False)
    assert {e.field for e in import_errors} == {"given_name", "family_name"}
    _, dry_errors = parse_record({"reference": "YJ-1", "date_of_birth": "2009-01-01", "legal_status": "remand"},
                                 mode="dryrun", json_mode=True)
    assert dry_errors == []


def test_unknown_fields_are_errors_unless_ignored():
    raw = {"reference": "YJ-1", "date_of_birth": "2009-01-01", "legal_status": "remand", "team": "North"}
    _, errors = parse_record(raw, mode="dryrun", json_mode=True)
    assert [e.field for e in errors] == ["team"]
    _, errors = parse_record(raw, mode="dryrun", json_mode=True, ignore_columns=["team"])
    assert errors == []


TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(("changes", "field"), [
    ({"date_of_birth": date(2027, 1, 1)}, "date_of_birth"),
    ({"date_of_birth": date(2020, 1, 1)}, "date_of_birth"),  # aged 6
    ({"date_of_birth": date(1990, 1, 1)}, "date_of_birth"),  # aged 36
    ({"sentence_date": date(2005, 1, 1)}, "sentence_date"),
    ({"release_date": date(2026, 1, 1)}, "release_date"),
    ({"actual_release_date": date(2026, 1, 1)}, "actual_release_date"),
    ({"order_end_date": date(2026, 1, 1)}, "order_end_date"),
    ({"sentence_date": None}, "sentence_date"),
    ({"legal_status": "remand"}, "remand_date"),
])
def test_consistency_checks(changes, field):
    record = {spec.name: None for spec in FIELDS}
    record.update({"reference": "YJ-1", "date_of_birth": date(2009, 5, 10), "legal_status": "sentenced",
                   "sentence_date": date(2026, 9, 15), "release_date": date(2027, 1, 15)})
    assert consistency_errors(record, today=TODAY) == []
    record.update(changes)
    assert field in {e.field for e in consistency_errors(record, today=TODAY)}


def test_rows_round_trip():
    raw = {"reference": "YJ-1", "given_name": "A", "family_name": "B", "date_of_birth": "2009-05-10",
           "legal_status": "sentenced", "looked_after": "yes", "sentence_length_months": "08", "mappa_level": "2"}
    record, errors = parse_record(raw, mode="import", json_mode=False)
    assert errors == []
    row = record_to_row(record)
    assert (row["looked_after"], row["sentence_length_months"], row["ehcp"]) == ("true", "8", "")
    again, _ = parse_record(row, mode="import", json_mode=False)
    assert again == record


# --- version 2 of the format: ten fields added -------------------------------------------------------
V2_DATES = ("ipm_held_on", "remand_planning_held_on", "first_planning_held_on", "penultimate_held_on",
            "final_review_held_on", "post_release_review_held_on", "transition_meeting_held_on", "ete_interview_on")


def test_version_2_adds_ten_fields_after_the_version_1_fields():
    names = [spec.name for spec in FIELDS]
    assert names[-10:] == [*V2_DATES, "release_address_status", "ethnicity"]
    assert len(names) == 40
    assert all(FIELDS_BY_NAME[name].type == "date" for name in V2_DATES)
    assert FIELDS_BY_NAME["release_address_status"].choices == ("none", "proposed", "assessed", "confirmed")
    assert FIELDS_BY_NAME["ethnicity"].choices == ("asian", "black", "mixed", "white", "other", "not_stated")
    assert not any(FIELDS_BY_NAME[name].required_import or FIELDS_BY_NAME[name].required_dryrun
                   for name in names[-10:])


@pytest.mark.parametrize(("name", "raw", "fragment"), [
    ("ipm_held_on", "2026-02-30", "not a real date"),
    ("ete_interview_on", "30/11/2026", "YYYY-MM-DD"),
    ("release_address_status", "Confirmed", "not one of"),
    ("release_address_status", "unknown", "not one of"),
    ("ethnicity", "White", "not one of"),
])
def test_bad_version_2_values_name_the_problem(name, raw, fragment):
    with pytest.raises(FieldError) as exc:
        value(name, raw)
    assert exc.value.field == name and fragment in exc.value.message


@pytest.mark.parametrize("field", V2_DATES)
def test_a_held_on_date_before_the_date_of_birth_is_an_error(field):
    record = {spec.name: None for spec in FIELDS}
    record.update({"reference": "YJ-1", "date_of_birth": date(2009, 5, 10), "legal_status": "community",
                   field: date(2009, 5, 10)})
    assert consistency_errors(record, today=TODAY) == []
    record[field] = date(2009, 5, 9)
    assert [(e.field, e.message) for e in consistency_errors(record, today=TODAY)] == [
        (field, "2009-05-09 is before the date of birth 2009-05-10")]


def test_version_2_fields_round_trip():
    raw = {"reference": "YJ-1", "given_name": "A", "family_name": "B", "date_of_birth": "2009-05-10",
           "legal_status": "sentenced", "ipm_held_on": "2026-09-25", "release_address_status": "assessed",
           "ethnicity": "not_stated", "ete_interview_on": ""}
    record, errors = parse_record(raw, mode="import", json_mode=False)
    assert errors == []
    assert (record["ipm_held_on"], record["release_address_status"], record["ete_interview_on"]) == (
        date(2026, 9, 25), "assessed", None)
    again, _ = parse_record(record_to_row(record), mode="import", json_mode=False)
    assert again == record
