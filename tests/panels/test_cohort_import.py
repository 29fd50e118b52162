"""Cohort import: strict, all-or-nothing, updates by reference, and exports round-trip equal."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from panels.cohort_import import (
    FIELD_NAMES,
    cohort_export_csv,
    cohort_import_create,
    cohort_import_process,
)
from panels.models import Child, CohortImport, LegalEpisode
from panels.selectors import children_with_episodes

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 22)


def make_csv(*rows: dict, columns=None) -> str:
    columns = columns or FIELD_NAMES
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return out.getvalue()


def sentenced(ref="YJ-0101", **extra) -> dict:
    return {
        "reference": ref, "given_name": "Zane", "family_name": "Merriwick", "date_of_birth": "2009-05-10",
        "gender": "male", "legal_status": "sentenced", "sentence_type": "dto", "sentence_date": "2026-09-15",
        "sentence_length_months": "8", "release_date": "2027-01-15", "order_end_date": "2027-05-14",
        "establishment": "HMYOI Larkhollow", "establishment_type": "yoi", "rosh": "high", **extra,
    }


def run(world, text, *, dry_run=False, ignore=()):
    job = cohort_import_create(service=world.service, actor=world.users["coordinator"], text=text,
                               filename="cohort.csv", dry_run=dry_run, ignore_columns=ignore)
    return cohort_import_process(job=job, today=TODAY)


def test_a_valid_file_creates_children_and_episodes(world):
    job = run(world, make_csv(sentenced(), {
        "reference": "YJ-0102", "given_name": "Ruby", "family_name": "Okonkwo-Dane", "date_of_birth": "2011-01-09",
        "legal_status": "remand", "remand_date": "2026-11-02", "sentence_type": "remand_yda",
        "establishment": "larkhollow", "looked_after": "Yes",
    }))
    assert job.status == CohortImport.Status.APPLIED, job.problems
    assert (job.created_count, job.updated_count) == (2, 0)
    zane = Child.objects.get(reference="YJ-0101")
    episode = zane.episodes.get(is_current=True)
    assert (episode.kind, episode.release_date, episode.establishment) == ("sentence", date(2027, 1, 15), world.yoi)
    ruby = Child.objects.get(reference="YJ-0102")
    assert ruby.looked_after is True
    assert ruby.episodes.get().sentence_type == "remand_yda"


def test_every_problem_is_reported_with_row_reference_and_field_and_nothing_changes(world):
    text = make_csv(
        sentenced("YJ-0201"),
        sentenced("YJ-0202", date_of_birth="2009-02-30"),
        sentenced("YJ-0203", legal_status="Sentenced"),
        sentenced("YJ-0201"),
        sentenced("YJ-0204", release_date="2026-09-01"),
        sentenced("YJ-0205", establishment="HMP Nowhere"),
        sentenced("YJ-0206", case_manager_email="nobody@people.example"),
    )
    job = run(world, text)
    assert job.status == CohortImport.Status.REJECTED
    found = {(p["row"], p["reference"], p["field"]) for p in job.problems}
    assert (3, "YJ-0202", "date_of_birth") in found
    assert (4, "YJ-0203", "legal_status") in found
    assert (5, "YJ-0201", "reference") in found
    assert any(p["row"] == 6 and p["reference"] == "YJ-0204" and "release_date" in p["field"] for p in job.problems)
    assert (7, "YJ-0205", "establishment") in found
    assert (8, "YJ-0206", "case_manager_email") in found
    assert not Child.objects.filter(reference__startswith="YJ-02").exists()


def test_unknown_columns_are_refused_unless_ignored(world):
    columns = [*FIELD_NAMES, "worker_team"]
    text = make_csv({**sentenced(), "worker_team": "North"}, columns=columns)
    rejected = run(world, text)
    assert rejected.status == CohortImport.Status.REJECTED
    assert rejected.problems[0]["field"] == "worker_team"
    assert run(world, text, ignore=["worker_team"]).status == CohortImport.Status.APPLIED


def test_missing_required_column_is_named(world):
    columns = [c for c in FIELD_NAMES if c != "date_of_birth"]
    job = run(world, make_csv(sentenced(), columns=columns))
    assert job.status == CohortImport.Status.REJECTED
    assert [p["field"] for p in job.problems] == ["date_of_birth"]


@pytest.mark.parametrize("text", ["", "\n\n", ",".join(FIELD_NAMES) + "\n"])
def test_empty_files_are_refused_clearly(world, text):
    job = run(world, text)
    assert job.status == CohortImport.Status.REJECTED
    assert job.problems and job.problems[0]["message"]


def test_dry_run_reports_and_changes_nothing(world):
    job = run(world, make_csv(sentenced(), sentenced("YJ-0001")), dry_run=True)
    assert job.status == CohortImport.Status.VALIDATED
    assert (job.created_count, job.updated_count) == (1, 1)
    assert not Child.objects.filter(reference="YJ-0101").exists()


def test_reimport_updates_by_reference_and_keeps_history(world):
    run(world, make_csv(sentenced()))
    again = run(world, make_csv(sentenced()))
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 1)
    # a new sentence replaces the old one, which is kept as history
    changed = run(world, make_csv(sentenced(sentence_date="2026-10-01", release_date="2027-02-01",
                                            order_end_date="2027-06-01", early_release_date="2027-01-01")))
    assert changed.updated_count == 1
    child = Child.objects.get(reference="YJ-0101")
    assert child.episodes.filter(is_current=True).get().start_date == date(2026, 10, 1)
    assert child.episodes.filter(is_current=False).get().start_date == date(2026, 9, 15)
    assert Child.objects.filter(reference="YJ-0101").count() == 1


def test_export_round_trips_equal(world):
    text = make_csv(
        sentenced(case_manager_email=world.users["case_manager"].email, victims="true", mappa_category="2",
                  mappa_level="2", early_release_date="2026-12-15", licence_end_date="2027-05-14"),
        {"reference": "YJ-0102", "given_name": "Ruby", "family_name": "Okonkwo-Dane", "preferred_name": "Rubes",
         "date_of_birth": "2011-01-09", "legal_status": "remand", "remand_date": "2026-11-02",
         "sentence_type": "remand_la", "looked_after": "true", "school_age": "false"},
        {"reference": "YJ-0103", "given_name": "Kai", "family_name": "Ashcombe", "date_of_birth": "2008-12-01",
         "legal_status": "released", "remand_date": "2026-03-02", "sentence_date": "2026-05-07",
         "custody_entry_date": "2026-03-02", "sentence_type": "dto", "release_date": "2026-11-07",
         "actual_release_date": "2026-11-06", "establishment": "Fenmoor Secure Training Centre",
         "establishment_type": "stc", "transfer_decision": "transfer", "transfer_date": "2026-12-01"},
    )
    assert run(world, text).status == CohortImport.Status.APPLIED
    children = children_with_episodes(Child.objects.filter(reference__in=["YJ-0101", "YJ-0102", "YJ-0103"]))
    exported = cohort_export_csv(children.order_by("reference"))
    assert exported == text
    # and importing the export changes nothing
    assert run(world, exported).unchanged_count == 3


def test_import_cohort_command(world, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(make_csv(sentenced()), encoding="utf-8")
    call_command("import_cohort", str(good), "--dry-run", "--user", "coordinator",
                 "--service", world.service.name)
    assert "would add 1" in capsys.readouterr().out
    assert not Child.objects.filter(reference="YJ-0101").exists()
    call_command("import_cohort", str(good), "--user", "coordinator", "--service", world.service.name)
    assert Child.objects.filter(reference="YJ-0101").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text(make_csv(sentenced("YJ-0300", gender="robot")), encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_cohort", str(bad), "--user", "coordinator", "--service", world.service.name)
    assert "row 2, YJ-0300, gender" in capsys.readouterr().err
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_cohort", str(tmp_path / "missing.csv"), "--service", world.service.name)


def test_web_upload_reports_problems_and_applies_good_files(world, client):
    client.force_login(world.users["coordinator"])
    bad = io.BytesIO(make_csv(sentenced(date_of_birth="tomorrow")).encode())
    bad.name = "bad.csv"
    response = client.post(reverse("cohort_import_list"), {"file": bad}, follow=True)
    body = response.content.decode()
    assert "date_of_birth" in body and "Nothing was changed" in body
    good = io.BytesIO(make_csv(sentenced()).encode())
    good.name = "good.csv"
    response = client.post(reverse("cohort_import_list"), {"file": good}, follow=True)
    assert "Cohort imported" in response.content.decode()
    assert LegalEpisode.objects.filter(child__reference="YJ-0101").exists()


def test_web_upload_refuses_non_utf8(world, client):
    client.force_login(world.users["coordinator"])
    upload = io.BytesIO("reference\nYJ-1\n".encode("utf-16"))
    upload.name = "cohort.csv"
    response = client.post(reverse("cohort_import_list"), {"file": upload})
    assert response.status_code == 200
    assert "not UTF-8" in response.content.decode()
    assert not CohortImport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_large_files_import_in_the_background_with_progress(world, client):
    import time

    from panels.cohort_import import INLINE_ROW_LIMIT

    rows = [sentenced(f"YJ-{5000 + n}") for n in range(INLINE_ROW_LIMIT + 50)]
    client.force_login(world.users["coordinator"])
    upload = io.BytesIO(make_csv(*rows).encode())
    upload.name = "big.csv"
    response = client.post(reverse("cohort_import_list"), {"file": upload})
    job_url = response["Location"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        fragment = client.get(job_url, HTTP_HX_REQUEST="true").content.decode()
        if "Cohort imported" in fragment:
            break
        assert "rows" in fragment or "Waiting" in fragment
        time.sleep(0.2)
    else:
        pytest.fail("the background import did not finish")
    assert Child.objects.filter(reference__startswith="YJ-5").count() == INLINE_ROW_LIMIT + 50
    job = CohortImport.objects.get()
    assert (job.status, job.total_rows, job.processed_rows, job.percent) == ("applied", 550, 550, 100)


# --- version 2 of the format ----------------------------------------------------------------------
V2_FIELDS = ("ipm_held_on", "remand_planning_held_on", "first_planning_held_on", "penultimate_held_on",
             "final_review_held_on", "post_release_review_held_on", "transition_meeting_held_on",
             "ete_interview_on", "release_address_status", "ethnicity")
V1_COLUMNS = [c for c in FIELD_NAMES if c not in V2_FIELDS]


def test_version_2_fields_import_export_and_round_trip_equal(world):
    text = make_csv(
        sentenced(ipm_held_on="2026-09-25", first_planning_held_on="2026-10-09", penultimate_held_on="2026-12-10",
                  release_address_status="proposed", ethnicity="mixed"),
        {"reference": "YJ-0103", "given_name": "Kai", "family_name": "Ashcombe", "date_of_birth": "2008-12-01",
         "legal_status": "released", "sentence_date": "2026-05-07", "sentence_type": "dto",
         "release_date": "2026-11-07", "actual_release_date": "2026-11-06", "remand_planning_held_on": "2026-03-10",
         "final_review_held_on": "2026-10-20", "post_release_review_held_on": "2026-11-20",
         "transition_meeting_held_on": "2026-07-01", "ete_interview_on": "2026-11-10",
         "release_address_status": "confirmed", "ethnicity": "not_stated"},
    )
    job = run(world, text)
    assert job.status == CohortImport.Status.APPLIED, job.problems
    kai = Child.objects.get(reference="YJ-0103")
    assert (kai.ete_interview_on, kai.release_address_status, kai.ethnicity) == (
        date(2026, 11, 10), "confirmed", "not_stated")
    children = children_with_episodes(Child.objects.filter(reference__in=["YJ-0101", "YJ-0103"]))
    exported = cohort_export_csv(children.order_by("reference"))
    assert exported == text
    assert run(world, exported).unchanged_count == 2


def test_bad_version_2_values_are_named_by_row_reference_and_field(world):
    job = run(world, make_csv(
        sentenced("YJ-0401", release_address_status="yes"),
        sentenced("YJ-0402", ethnicity="british"),
        sentenced("YJ-0403", penultimate_held_on="2008-01-01"),
        sentenced("YJ-0404", ete_interview_on="soon"),
    ))
    assert job.status == CohortImport.Status.REJECTED
    assert {(p["row"], p["reference"], p["field"]) for p in job.problems} == {
        (2, "YJ-0401", "release_address_status"), (3, "YJ-0402", "ethnicity"),
        (4, "YJ-0403", "penultimate_held_on"), (5, "YJ-0404", "ete_interview_on")}
    assert not Child.objects.filter(reference__startswith="YJ-04").exists()


def test_a_version_1_file_still_imports_and_leaves_the_version_2_fields_unknown(world):
    job = run(world, make_csv(sentenced(), columns=V1_COLUMNS))
    assert job.status == CohortImport.Status.APPLIED, job.problems
    zane = Child.objects.get(reference="YJ-0101")
    assert all(getattr(zane, name) is None for name in V2_FIELDS)


def test_the_first_version_1_file_says_the_meeting_codes_show_until_the_meetings_are_recorded(world):
    first = run(world, make_csv(sentenced(), columns=V1_COLUMNS))
    assert len(first.notices) == 1
    assert "until the meetings are recorded as held" in first.notices[0]
    assert run(world, make_csv(sentenced(), columns=V1_COLUMNS)).notices == []  # said once, for the service


def test_a_version_2_file_has_no_version_1_notice_and_a_dry_run_does_not_use_it_up(world):
    assert run(world, make_csv(sentenced())).notices == []
    checked = run(world, make_csv(sentenced(), columns=V1_COLUMNS), dry_run=True)
    assert checked.status == CohortImport.Status.VALIDATED and len(checked.notices) == 1
    assert len(run(world, make_csv(sentenced(), columns=V1_COLUMNS)).notices) == 1


def test_the_import_page_and_command_show_the_version_1_notice(world, client, tmp_path, capsys):
    path = tmp_path / "v1.csv"
    path.write_text(make_csv(sentenced(), columns=V1_COLUMNS), encoding="utf-8")
    call_command("import_cohort", str(path), "--dry-run", "--user", "coordinator", "--service", world.service.name)
    assert "until the meetings are recorded as held" in capsys.readouterr().out
    job = run(world, make_csv(sentenced(), columns=V1_COLUMNS))
    client.force_login(world.users["coordinator"])
    body = client.get(reverse("cohort_import_detail", args=[job.pk])).content.decode()
    assert "until the meetings are recorded as held" in body


def test_the_rest_api_and_its_schema_carry_the_version_2_fields(world, client, tmp_path):
    world.child.ipm_held_on, world.child.release_address_status = date(2026, 9, 25), "assessed"
    world.child.save()
    client.force_login(world.users["coordinator"])
    body = client.get(f"/api/children/{world.child.pk}/").json()
    assert (body["ipm_held_on"], body["release_address_status"]) == ("2026-09-25", "assessed")
    assert set(V2_FIELDS) <= set(body)
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(out))
    schema = out.read_text()
    for name in V2_FIELDS:
        assert f"        {name}:" in schema
    assert "- confirmed" in schema and "- not_stated" in schema
