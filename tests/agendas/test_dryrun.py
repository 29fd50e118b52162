"""agenda_dryrun: the contract of docs/agenda-rules.md §5–6 (function and command)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agendas.dryrun import run_dryrun

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = {
    "panels": [{"name": "Enfield HRP", "kind": "high_risk", "meetings": ["2026-10-01", "2026-11-05", "2026-12-03"],
                "settings": {"mappa_min_sentence_months": 12}}],
    "children": [{"reference": "YJ-0001", "date_of_birth": "2009-05-10", "legal_status": "sentenced",
                  "sentence_date": "2026-09-15", "release_date": "2027-01-15"}],
}


def test_the_documented_example_gives_the_documented_output():
    output, errors = run_dryrun(json.dumps(EXAMPLE))
    assert errors == []
    assert output == {"meetings": [
        {"panel": "Enfield HRP", "kind": "high_risk", "date": "2026-10-01", "items": []},
        {"panel": "Enfield HRP", "kind": "high_risk", "date": "2026-11-05", "items": []},
        {"panel": "Enfield HRP", "kind": "high_risk", "date": "2026-12-03", "items": [
            {"child": "YJ-0001", "late": False, "reasons": [{"code": "HR_PRE_RELEASE", "due": "2026-12-04",
                                                             "late": False}]}]},
    ]}


def test_meetings_keep_panel_input_order_then_date_order_and_recurring_due_is_null():
    data = {
        "panels": [
            {"name": "Z MAPPA", "kind": "mappa", "meetings": ["2026-12-18", "2026-11-27"]},
            {"name": "A Resettlement", "kind": "resettlement", "meetings": ["2026-12-01"]},
        ],
        "children": [
            {"reference": "YJ-9", "date_of_birth": "2009-01-01", "legal_status": "sentenced", "mappa_level": 2,
             "sentence_date": "2026-10-01", "release_date": "2027-03-01", "sentence_length_months": "10",
             "looked_after": "yes"},
            {"reference": "YJ-10", "date_of_birth": "2009-01-01", "legal_status": "remand",
             "remand_date": "2026-11-20"},
        ],
    }
    output, errors = run_dryrun(json.dumps(data))
    assert errors == []
    assert [(m["panel"], m["date"]) for m in output["meetings"]] == [
        ("Z MAPPA", "2026-11-27"), ("Z MAPPA", "2026-12-18"), ("A Resettlement", "2026-12-01")]
    assert output["meetings"][0]["items"][0]["reasons"] == [{"code": "MAPPA_MANAGED", "due": None, "late": False}]
    resettlement = output["meetings"][2]["items"]
    # YJ-9's first planning meeting was due on 29 Oct: late items come first
    assert [(i["child"], i["late"]) for i in resettlement] == [("YJ-9", True), ("YJ-10", False)]


def test_references_order_by_code_point_when_due_dates_tie():
    twins = [{"reference": ref, "date_of_birth": "2009-01-01", "legal_status": "community", "rosh": "high"}
             for ref in ("YJ-9", "YJ-10", "yj-1")]
    output, _ = run_dryrun(json.dumps({"panels": [{"name": "H", "kind": "high_risk", "meetings": ["2026-12-03"]}],
                                       "children": twins}))
    assert [i["child"] for i in output["meetings"][0]["items"]] == ["YJ-10", "YJ-9", "yj-1"]


@pytest.mark.parametrize(("data", "expected"), [
    ({"panels": [], "children": [], "extra": 1}, "extra: is not a top-level field"),
    ({"children": []}, "panels: is required"),
    ({"panels": [{"name": "P", "kind": "weekly", "meetings": []}]}, "panel \"P\": kind:"),
    ({"panels": [{"name": "P", "kind": "mappa", "meetings": ["2026-02-30"]}]}, "panel \"P\": meetings:"),
    ({"panels": [{"name": "P", "kind": "mappa", "meetings": ["2026-12-01", "2026-12-01"]}]}, "appears twice"),
    ({"panels": [{"name": "P", "kind": "mappa", "meetings": [], "settings": {"typo": 1}}]},
     "panel \"P\": settings.typo: is not a rule setting"),
    ({"panels": [{"name": "P", "kind": "mappa", "meetings": []}, {"name": "P", "kind": "mappa", "meetings": []}]},
     "panel \"P\": name: appears more than once"),
    ({"panels": [], "children": [{"date_of_birth": "2009-01-01", "legal_status": "remand"}]},
     "child #1: reference: is required"),
    ({"panels": [], "children": [{"reference": "YJ-1", "date_of_birth": "2009-1-1", "legal_status": "remand"}]},
     "child YJ-1: date_of_birth:"),
    ({"panels": [], "children": [{"reference": "YJ-1", "date_of_birth": "2009-01-01", "legal_status": "Remand"}]},
     "child YJ-1: legal_status:"),
    ({"panels": [], "children": [{"reference": "YJ-1", "date_of_birth": "2009-01-01", "legal_status": "remand",
                                  "nickname": "x"}]}, "child YJ-1: nickname: is not a field"),
    ({"panels": [], "children": [{"reference": "YJ-1", "date_of_birth": "2009-01-01", "legal_status": "remand"},
                                 {"reference": "YJ-1", "date_of_birth": "2009-01-01", "legal_status": "remand"}]},
     "child YJ-1: reference: appears more than once"),
])
def test_invalid_input_is_reported_per_field(data, expected):
    output, errors = run_dryrun(json.dumps(data))
    assert output is None
    assert any(expected in line for line in errors), errors


def test_repeated_keys_and_broken_json_are_refused():
    output, errors = run_dryrun('{"panels": [], "panels": []}')
    assert output is None and "'panels' appears twice" in errors[0]
    output, errors = run_dryrun('{"panels": [')
    assert output is None and "not valid JSON" in errors[0]


def _command(*args, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "agenda_dryrun", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_command_prints_json_and_exits_0(tmp_path):
    path = tmp_path / "input.json"
    path.write_text(json.dumps(EXAMPLE))
    result = _command(str(path))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["meetings"][2]["items"][0]["child"] == "YJ-0001"


def test_command_exits_2_with_errors_on_stderr_and_nothing_on_stdout():
    bad = {"panels": [], "children": [{"reference": "YJ-7", "date_of_birth": "soon", "legal_status": "remand"}]}
    result = _command("-", stdin=json.dumps(bad))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == ["child YJ-7: date_of_birth: 'soon' is not a date in the form "
                                                  "YYYY-MM-DD"]
    missing = _command("/no/such/file.json")
    assert missing.returncode == 2 and "cannot read" in missing.stderr


# --- version 2 ---------------------------------------------------------------------------------------
def _resettlement(children, meetings=("2026-11-05", "2026-12-03", "2027-01-07"), settings=None) -> dict:
    panel = {"name": "RSP", "kind": "resettlement", "meetings": list(meetings)}
    if settings is not None:
        panel["settings"] = settings
    return {"panels": [panel], "children": children}


def test_a_child_born_in_2014_no_longer_fails_the_dry_run():
    """v2 §7: v1 exited 2 with "2030-01-31 is outside the working calendar"."""
    data = {"panels": [{"name": "Y2A", "kind": "y2a", "meetings": ["2026-12-03"]}],
            "children": [{"reference": "YJ-14", "date_of_birth": "2014-01-31", "legal_status": "community",
                          "order_end_date": "2033-01-01"}]}
    output, errors = run_dryrun(json.dumps(data))
    assert errors == []
    assert output["meetings"][0]["items"] == []


def test_meetings_and_dates_far_from_today_work():
    data = {"panels": [{"name": "Y2A", "kind": "y2a", "meetings": ["1990-01-04", "2100-12-16"]}],
            "children": [{"reference": "YJ-1", "date_of_birth": "2100-03-01", "legal_status": "community",
                          "order_end_date": "2120-01-01"}]}
    output, errors = run_dryrun(json.dumps(data))
    assert errors == []
    assert [m["items"] for m in output["meetings"]] == [[], []]


def test_the_accommodation_watch_is_on_every_meeting_from_three_months_before_release():
    child = {"reference": "YJ-1", "date_of_birth": "2009-05-10", "legal_status": "sentenced",
             "release_date": "2027-01-15", "release_address_status": "proposed"}
    output, errors = run_dryrun(json.dumps(_resettlement([child])))
    assert errors == []
    def item(late):
        return [{"child": "YJ-1", "late": late,
                 "reasons": [{"code": "RS_ACCOMMODATION", "due": "2026-12-15", "late": late}]}]

    assert [m["items"] for m in output["meetings"]] == [item(False), item(False), item(True)]


def test_version_2_fields_are_read_and_a_held_on_date_ends_the_meeting_code():
    child = {"reference": "YJ-1", "date_of_birth": "2009-05-10", "legal_status": "remand",
             "remand_date": "2026-11-02", "sentence_type": "remand_la", "ethnicity": "white"}
    output, _ = run_dryrun(json.dumps(_resettlement([child])))
    assert [r["code"] for r in output["meetings"][0]["items"][0]["reasons"]] == [
        "RS_FIRST_PLANNING", "RS_REMAND_PLANNING"]  # remanded to local-authority accommodation: not RS_IN_CUSTODY
    held = {**child, "remand_planning_held_on": "2026-11-10", "first_planning_held_on": None}
    output, _ = run_dryrun(json.dumps(_resettlement([held])))
    assert [r["code"] for r in output["meetings"][0]["items"][0]["reasons"]] == ["RS_FIRST_PLANNING"]


def test_version_2_settings_are_panel_settings():
    child = {"reference": "YJ-1", "date_of_birth": "2009-05-10", "legal_status": "sentenced",
             "release_date": "2027-03-15"}
    settings = {"rs_accommodation_from_months": 6, "rs_accommodation_by_months": 2, "rs_initial_planning_wd": 5,
                "ed_release_ete_wd": 15}
    output, errors = run_dryrun(json.dumps(_resettlement([child], settings=settings)))
    assert errors == []
    assert output["meetings"][0]["items"][0]["reasons"] == [
        {"code": "RS_ACCOMMODATION", "due": "2027-01-15", "late": False}]


@pytest.mark.parametrize(("change", "expected"), [
    ({"release_address_status": "Confirmed"}, "child YJ-1: release_address_status: 'Confirmed' is not one of"),
    ({"ethnicity": "british"}, "child YJ-1: ethnicity: 'british' is not one of"),
    ({"ipm_held_on": "2026-13-01"}, "child YJ-1: ipm_held_on: '2026-13-01' is not a real date"),
    ({"ete_interview_on": 20261201}, "child YJ-1: ete_interview_on:"),
])
def test_bad_version_2_values_are_named(change, expected):
    child = {"reference": "YJ-1", "date_of_birth": "2009-05-10", "legal_status": "sentenced", **change}
    output, errors = run_dryrun(json.dumps(_resettlement([child])))
    assert output is None
    assert any(line.startswith(expected) for line in errors), errors


def test_accommodation_settings_must_keep_by_within_from():
    output, errors = run_dryrun(json.dumps(_resettlement([], settings={"rs_accommodation_by_months": 4})))
    assert output is None
    assert errors == ['panel "RSP": settings.rs_accommodation_by_months: must not be larger than '
                      "rs_accommodation_from_months"]
