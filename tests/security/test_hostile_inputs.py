"""The hostile inputs of the issue-14 security test, as tests: formula-leading cells, odd numbers, huge and deep
bodies, huge free text, huge bad cohort files, and responses that must not be cached."""

from __future__ import annotations

import csv
import io
import json

import pytest

from agendas import services as agenda_services
from panels.cohort_import import PROBLEM_CAP, cohort_export_csv, cohort_import_create, cohort_import_process
from panels.enums import MeetingStatus
from panels.models import AuditEntry, Child
from panels.selectors import children_with_episodes
from panels.spreadsheets import csv_safe
from tests.panels.test_cohort_import import TODAY, make_csv, sentenced

pytestmark = pytest.mark.django_db

HOSTILE_NAMES = ['=HYPERLINK("http://evil.example","x")', "@SUM(1+1)", "+1+2", "-3+4", "\tTab"]


# --- formulas -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", HOSTILE_NAMES)
def test_the_formula_guard_quotes_every_formula_leading_value(value):
    assert csv_safe(value).startswith("'")


def test_the_cohort_export_neutralises_formula_names_and_reimports_them_unchanged(world):
    Child.objects.filter(pk=world.child.pk).update(given_name=HOSTILE_NAMES[0], family_name=HOSTILE_NAMES[1])
    exported = cohort_export_csv(children_with_episodes(Child.objects.filter(service=world.service)))
    rows = list(csv.DictReader(io.StringIO(exported)))
    row = next(r for r in rows if r["reference"] == world.child.reference)
    assert row["given_name"].startswith("'=") and row["family_name"].startswith("'@")
    job = cohort_import_create(service=world.service, actor=world.users["coordinator"], text=exported,
                               filename="again.csv")
    job = cohort_import_process(job=job, today=TODAY)
    assert job.status == "applied", job.problems
    assert Child.objects.get(pk=world.child.pk).given_name == HOSTILE_NAMES[0]


def test_the_subject_access_export_neutralises_formula_cells(world, client):
    client.force_login(world.users["coordinator"])
    from panels.audit import audit_record

    audit_record(actor=world.users["coordinator"], action="=cmd|' /C calc'!A0", child=world.child)
    body = client.get("/audit/subject-access.csv", {"child": world.child.reference}).content.decode()
    assert "'=cmd" in body and ",=cmd" not in body


# --- numbers ------------------------------------------------------------------------------------------------
@pytest.fixture
def on_agenda(world):
    chair = world.users["chair"]
    agenda_services.agenda_child_add(meeting=world.meeting, child=world.child, reason="Risk", actor=chair)
    agenda_services.agenda_publish(meeting=world.meeting, actor=chair)
    return world


ODD_NUMBERS = ["²", "٣", "99999999999999999999", "-1", "1e3", " 1"]


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_an_odd_event_id_is_a_400(on_agenda, client, value):
    client.force_login(on_agenda.users["coordinator"])
    assert client.get(f"/api/meetings/{on_agenda.meeting.pk}/events/", {"after": value}).status_code == 400


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_an_odd_revision_number_is_a_400(on_agenda, client, value):
    client.force_login(on_agenda.users["coordinator"])
    response = client.get(f"/api/meetings/{on_agenda.meeting.pk}/minutes/approved/", {"revision": value})
    assert response.status_code in (400, 404)


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_an_odd_number_in_a_filter_or_form_is_never_a_500(on_agenda, client, value):
    client.force_login(on_agenda.users["coordinator"])
    assert client.get("/api/meetings/", {"panel": value}).status_code in (200, 400)
    assert client.get("/api/referrals/", {"panel": value}).status_code in (200, 400)
    item = on_agenda.meeting.agenda_items.get()
    response = client.post(f"/meetings/{on_agenda.meeting.pk}/agenda/items/{item.pk}/invite/",
                           {"name": "Pat", "email": "pat@health.example", "agency": value})
    assert response.status_code == 400  # the form again: "Choose the agency from the list." (issue 15.7)


def test_a_twenty_digit_id_in_a_path_is_a_404(world, client):
    client.force_login(world.users["coordinator"])
    for path in ("/meetings/99999999999999999999/", "/children/99999999999999999999/",
                 "/api/meetings/99999999999999999999/", "/actions/99999999999999999999/"):
        assert client.get(path).status_code == 404, path


def test_a_cohort_cell_with_a_superscript_number_is_a_problem_not_a_crash(world):
    job = cohort_import_create(service=world.service, actor=world.users["coordinator"],
                               text=make_csv(sentenced(sentence_length_months="²")), filename="c.csv")
    job = cohort_import_process(job=job, today=TODAY)
    assert job.status == "rejected" and "sentence_length_months" in {p["field"] for p in job.problems}


# --- bodies and free text -----------------------------------------------------------------------------------
def _referral(client, world, reason="Please discuss", raw=None):
    body = raw if raw is not None else json.dumps({"panel": world.panel.pk, "child": world.child.pk,
                                                   "reason": reason})
    return client.post("/api/referrals/", body, content_type="application/json")


def test_a_deeply_nested_json_body_is_a_400(world, client):
    client.force_login(world.users["coordinator"])
    assert _referral(client, world, raw="[" * 100_000 + "]" * 100_000).status_code == 400
    assert _referral(client, world, raw='{"a": ' + "[" * 40 + "1" + "]" * 40 + "}").status_code == 400


def test_a_body_over_the_limit_is_a_413(world, client, settings):
    settings.API_MAX_BODY_BYTES = 1024
    client.force_login(world.users["coordinator"])
    assert _referral(client, world, reason="x" * 2000).status_code == 413


def test_a_referral_reason_of_a_megabyte_is_refused_and_not_copied_to_the_log(world, client):
    client.force_login(world.users["coordinator"])
    assert _referral(client, world, reason="x" * 1_000_000).status_code in (400, 413)
    assert not AuditEntry.objects.filter(action="referral.created").exists()
    from agendas.services import REFERRAL_REASON_MAX, referral_create

    with pytest.raises(Exception, match="under"):
        referral_create(panel=world.panel, child=world.child, reason="x" * (REFERRAL_REASON_MAX + 1),
                        actor=world.users["coordinator"])


# --- the cohort problem report ------------------------------------------------------------------------------
def test_a_huge_bad_cohort_file_reports_the_first_thousand_problems_and_counts_the_rest(world, client):
    rows = [sentenced(ref=f"YJ-{n:05d}", date_of_birth="not a date", given_name="")
            for n in range(PROBLEM_CAP)]
    job = cohort_import_create(service=world.service, actor=world.users["coordinator"], text=make_csv(*rows),
                               filename="bad.csv")
    job = cohort_import_process(job=job, today=TODAY)
    assert job.status == "rejected"
    assert len(job.problems) == PROBLEM_CAP + 1 and job.problems[-1]["summary"]
    assert job.problem_total == 2 * PROBLEM_CAP
    assert job.problems[-1]["by_kind"]["date_of_birth"] == PROBLEM_CAP
    client.force_login(world.users["coordinator"])
    page = client.get(f"/cohort/imports/{job.pk}/")
    assert page.status_code == 200 and f"{2 * PROBLEM_CAP} problems" in page.content.decode()
    assert len(page.content) < 2_000_000


def test_a_problem_quoting_a_huge_cell_is_cut_short(world):
    job = cohort_import_create(service=world.service, actor=world.users["coordinator"],
                               text=make_csv(sentenced(rosh="z" * 100_000)), filename="c.csv")
    job = cohort_import_process(job=job, today=TODAY)
    assert job.status == "rejected" and max(len(p["message"]) for p in job.problems) <= 300


# --- caching ------------------------------------------------------------------------------------------------
def test_pages_api_answers_and_downloads_with_child_data_are_no_store(on_agenda, client):
    client.force_login(on_agenda.users["coordinator"])
    on_agenda.meeting.status = MeetingStatus.SCHEDULED
    for path in (f"/children/{on_agenda.child.pk}/", "/api/children/", f"/meetings/{on_agenda.meeting.pk}/agenda/",
                 f"/meetings/{on_agenda.meeting.pk}/agenda/pack.html", "/cohort/export.csv", "/audit/export.csv"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
