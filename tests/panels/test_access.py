"""Who sees what: every page built on panels, for every persona. Outsiders get 404, never a hint."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panels.models import CohortImport
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

OK, MISSING, LOGIN = 200, 404, 302

# persona → expected status, per page
PANEL_DETAIL = {"coordinator": OK, "chair": OK, "anonymous": LOGIN}
MEETING_DETAIL = {"coordinator": OK, "chair": OK, "invited_partner": OK, "invited_yoi": OK, "invited_stc": OK,
                  "anonymous": LOGIN}
DRAFT_MEETING = {"coordinator": OK, "chair": OK, "anonymous": LOGIN}
CHILD_DETAIL = {"coordinator": OK, "case_manager": OK, "anonymous": LOGIN}
CHILD_LIST = {"coordinator": OK, "chair": OK, "case_manager": OK, "other_case_manager": OK, "outsider": OK,
              "anonymous": LOGIN}
COHORT = {"coordinator": OK, "outsider": OK, "anonymous": LOGIN}  # the outsider manages their own service


def expected(table: dict, persona: str) -> int:
    return table.get(persona, MISSING)


@pytest.mark.parametrize("persona", PERSONAS)
def test_panel_detail(world, login, persona):
    response = login(world, persona).get(reverse("panel_detail", args=[world.panel.pk]))
    assert response.status_code == expected(PANEL_DETAIL, persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_meeting_detail(world, login, persona):
    response = login(world, persona).get(reverse("meeting_detail", args=[world.meeting.pk]))
    assert response.status_code == expected(MEETING_DETAIL, persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_draft_meeting_is_hidden_from_partners(world, login, persona):
    response = login(world, persona).get(reverse("meeting_detail", args=[world.draft_meeting.pk]))
    assert response.status_code == expected(DRAFT_MEETING, persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_child_detail(world, login, persona):
    response = login(world, persona).get(reverse("child_detail", args=[world.child.pk]))
    assert response.status_code == expected(CHILD_DETAIL, persona)


@pytest.mark.parametrize("persona", PERSONAS)
def test_child_list_shows_only_visible_children(world, login, persona):
    response = login(world, persona).get(reverse("child_list"))
    assert response.status_code == expected(CHILD_LIST, persona)
    if response.status_code == OK:
        body = response.content.decode()
        assert ("YJ-0001" in body) == (persona in {"coordinator", "case_manager"})
        assert ("YJ-0002" in body) == (persona in {"coordinator", "other_case_manager"})


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_name_only_what_the_persona_may_see(world, login, persona):
    client = login(world, persona)
    panels = client.get(reverse("panel_list"))
    meetings = client.get(reverse("meeting_list"))
    if persona == "anonymous":
        assert panels.status_code == meetings.status_code == LOGIN
        return
    assert ("High Risk Panel" in panels.content.decode()) == (persona in PANEL_DETAIL)
    meeting_link = reverse("meeting_detail", args=[world.meeting.pk])
    draft_link = reverse("meeting_detail", args=[world.draft_meeting.pk])
    assert (meeting_link in meetings.content.decode()) == (persona in MEETING_DETAIL)
    assert (draft_link in meetings.content.decode()) == (persona in DRAFT_MEETING)


@pytest.mark.parametrize("persona", PERSONAS)
def test_home_and_agencies_need_sign_in_only(world, login, persona):
    client = login(world, persona)
    for name, args in (("home", []), ("agency_list", []), ("agency_detail", [world.yoi.pk])):
        response = client.get(reverse(name, args=args))
        assert response.status_code == (LOGIN if persona == "anonymous" else OK), name


@pytest.mark.parametrize("persona", PERSONAS)
def test_cohort_pages(world, login, persona):
    client = login(world, persona)
    assert client.get(reverse("cohort_import_list")).status_code == expected(COHORT, persona)
    export = client.get(reverse("cohort_export"))
    assert export.status_code == expected(COHORT, persona)
    if export.status_code == OK:
        assert ("YJ-0001" in export.content.decode()) == (persona == "coordinator")


@pytest.mark.parametrize("persona", PERSONAS)
def test_import_report_belongs_to_its_service(world, login, persona):
    job = CohortImport.objects.create(service=world.service, uploaded_by=world.users["coordinator"],
                                      filename="x.csv", source="reference\n")
    response = login(world, persona).get(reverse("cohort_import_detail", args=[job.pk]))
    assert response.status_code == {"coordinator": OK, "anonymous": LOGIN}.get(persona, MISSING)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_panel_managers_change_meeting_status(world, login, persona):
    response = login(world, persona).post(reverse("meeting_status", args=[world.meeting.pk, "start"]),
                                          {"confirm": "yes"})  # opened before its start: confirmed
    allowed = persona in {"coordinator", "chair"}
    assert response.status_code == (LOGIN if persona == "anonymous" else 302 if allowed else MISSING)
    world.meeting.refresh_from_db()
    assert (world.meeting.status == "in_progress") == allowed


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_lists_and_details_follow_the_same_rules(world, login, persona):
    client = login(world, persona)
    if persona == "anonymous":
        assert client.get("/api/meetings/").status_code == 403
        return
    meeting_ids = {m["id"] for m in client.get("/api/meetings/").json()["results"]}
    assert (world.meeting.pk in meeting_ids) == (persona in MEETING_DETAIL)
    assert (world.draft_meeting.pk in meeting_ids) == (persona in DRAFT_MEETING)
    detail = client.get(f"/api/meetings/{world.meeting.pk}/")
    assert detail.status_code == expected(MEETING_DETAIL, persona)
    invitees = client.get(f"/api/meetings/{world.meeting.pk}/invitees/")
    assert invitees.status_code == expected(MEETING_DETAIL, persona)
    child = client.get(f"/api/children/{world.child.pk}/")
    assert child.status_code == expected(CHILD_DETAIL, persona)
    panel = client.get(f"/api/panels/{world.panel.pk}/")
    assert panel.status_code == expected(PANEL_DETAIL, persona)
