"""Agenda pages, packs and API for every persona: partners see only published items they are entitled to."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agendas import services
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db
OK, MISSING, LOGIN = 200, 404, 302
VIEWERS = {"coordinator", "chair", "invited_partner", "invited_yoi", "invited_stc"}
MANAGERS = {"coordinator", "chair"}
# which children each viewer sees on the published agenda
SEES = {"coordinator": {"YJ-0001", "YJ-0002"}, "chair": {"YJ-0001", "YJ-0002"},
        "invited_partner": {"YJ-0001", "YJ-0002"}, "invited_yoi": {"YJ-0001"}, "invited_stc": {"YJ-0002"}}


@pytest.fixture
def published(world):
    chair = world.users["chair"]
    for child in (world.child, world.other_child):
        services.agenda_child_add(meeting=world.meeting, child=child, reason="Risk review", actor=chair)
    services.agenda_publish(meeting=world.meeting, actor=chair)
    return world


def status_for(persona: str, allowed: set[str]) -> int:
    if persona == "anonymous":
        return LOGIN
    return OK if persona in allowed else MISSING


@pytest.mark.parametrize("persona", PERSONAS)
def test_agenda_page(published, login, persona):
    response = login(published, persona).get(reverse("meeting_agenda", args=[published.meeting.pk]))
    assert response.status_code == status_for(persona, VIEWERS)
    if response.status_code == OK:
        body = response.content.decode()
        for ref in ("YJ-0001", "YJ-0002"):
            assert (ref in body) == (ref in SEES[persona]), ref


@pytest.mark.parametrize("persona", ["invited_partner", "invited_yoi"])
def test_partners_see_nothing_before_publication(world, login, persona):
    services.agenda_child_add(meeting=world.meeting, child=world.child, reason="Risk", actor=world.users["chair"])
    body = login(world, persona).get(reverse("meeting_agenda", args=[world.meeting.pk])).content.decode()
    assert "not been published" in body and "YJ-0001" not in body
    pack = login(world, persona).get(reverse("agenda_pack", args=[world.meeting.pk, "html"]))
    assert pack.status_code == MISSING


@pytest.mark.parametrize("persona", PERSONAS)
def test_agenda_pack_holds_only_the_audiences_items(published, login, persona):
    client = login(published, persona)
    html = client.get(reverse("agenda_pack", args=[published.meeting.pk, "html"]))
    assert html.status_code == status_for(persona, VIEWERS)
    if html.status_code == OK:
        body = html.content.decode()
        for ref in ("YJ-0001", "YJ-0002"):
            assert (ref in body) == (ref in SEES[persona]), ref


@pytest.mark.parametrize("persona", ["invited_yoi", "coordinator", "outsider"])
def test_agenda_pack_pdf(published, login, persona):
    from io import BytesIO

    from pypdf import PdfReader

    response = login(published, persona).get(reverse("agenda_pack", args=[published.meeting.pk, "pdf"]))
    assert response.status_code == status_for(persona, VIEWERS)
    if response.status_code == OK:
        assert response["Content-Type"] == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
        for ref in ("YJ-0001", "YJ-0002"):
            assert (ref in text) == (ref in SEES[persona]), ref


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", ["agenda_rebuild", "agenda_assign_slots", "agenda_publish"])
def test_chair_tools_are_for_panel_managers_only(published, login, persona, action):
    response = login(published, persona).post(reverse(action, args=[published.meeting.pk]))
    expected = LOGIN if persona == "anonymous" else (302 if persona in MANAGERS else MISSING)
    assert response.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_item_tools_are_for_panel_managers_only(published, login, persona):
    item = published.meeting.agenda_items.get(child=published.child)
    client = login(published, persona)
    expected = LOGIN if persona == "anonymous" else (302 if persona in MANAGERS else MISSING)
    slot = client.post(reverse("agenda_slot", args=[published.meeting.pk, item.pk]),
                       {"slot_start": "10:20", "slot_minutes": "15", "version": item.version})
    assert slot.status_code == expected
    add = client.post(reverse("agenda_add", args=[published.meeting.pk]), {"reference": "YJ-0002", "reason": "x"})
    assert add.status_code == expected
    remove = client.post(reverse("agenda_remove", args=[published.meeting.pk, item.pk]), {"reason": "x"})
    assert remove.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_panel_agenda_pages(world, login, persona):
    client = login(world, persona)
    for name in ("panel_forward_look", "panel_rule_settings", "panel_referrals"):
        response = client.get(reverse(name, args=[world.panel.pk]))
        assert response.status_code == status_for(persona, MANAGERS), name


@pytest.mark.parametrize("persona", PERSONAS)
def test_referral_form_needs_the_childs_record(world, login, persona):
    response = login(world, persona).get(reverse("child_refer", args=[world.child.pk]))
    assert response.status_code == status_for(persona, {"coordinator", "case_manager"})


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_agenda(published, login, persona):
    response = login(published, persona).get(f"/api/meetings/{published.meeting.pk}/agenda/")
    if persona == "anonymous":
        assert response.status_code == 403
        return
    assert response.status_code == (OK if persona in VIEWERS else MISSING)
    if response.status_code == OK:
        assert {i["reference"] for i in response.json()["items"]} == SEES[persona]


def test_api_slot_conflict_is_409(published, login):
    client = login(published, "chair")
    item = published.meeting.agenda_items.get(child=published.child)
    url = f"/api/agenda-items/{item.pk}/slot/"
    ok = client.patch(url, {"version": item.version, "slot_start": "10:20", "slot_minutes": 15},
                      content_type="application/json")
    assert ok.status_code == 200
    stale = client.patch(url, {"version": item.version, "slot_start": "10:40", "slot_minutes": 15},
                         content_type="application/json")
    assert stale.status_code == 409 and stale.json()["version"] == item.version + 1
    bad = client.patch(url, {"version": item.version + 1, "slot_start": "25:99", "slot_minutes": 15},
                       content_type="application/json")
    assert bad.status_code == 400 and "slot_start" in bad.json()
    outsider = login(published, "invited_partner").patch(url, {"version": 1}, content_type="application/json")
    assert outsider.status_code == 404


def test_api_referrals(world, login):
    client = login(world, "case_manager")
    created = client.post("/api/referrals/", {"panel": world.panel.pk, "child": world.child.pk,
                                              "reason": "New concerns"}, content_type="application/json")
    assert created.status_code == 201
    hidden = client.post("/api/referrals/", {"panel": world.panel.pk, "child": world.other_child.pk,
                                             "reason": "x"}, content_type="application/json")
    assert hidden.status_code == 422 and "child" in hidden.json()
    rid = created.json()["id"]
    assert login(world, "invited_partner").get(f"/api/referrals/{rid}/").status_code == 404
    decided = login(world, "chair").post(f"/api/referrals/{rid}/decide/", {"accept": True},
                                          content_type="application/json")
    assert decided.status_code == 200 and decided.json()["status"] == "accepted"


@pytest.mark.parametrize("persona", PERSONAS)
def test_child_agendas_page(published, login, persona):
    response = login(published, persona).get(reverse("child_agendas", args=[published.child.pk]))
    assert response.status_code == status_for(persona, {"coordinator", "case_manager"})
    if response.status_code == OK:
        assert "Added by the chair" in response.content.decode()  # listed by the chair's decision


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_versions(published, login, persona):
    response = login(published, persona).get(f"/api/meetings/{published.meeting.pk}/agenda/versions/")
    if persona == "anonymous":
        assert response.status_code == 403
        return
    assert response.status_code == (OK if persona in VIEWERS else MISSING)
    if response.status_code == OK:
        versions = response.json()
        assert [v["number"] for v in versions] == [1]
        assert bool(versions[0]["changes"]) == (persona in MANAGERS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_publish(world, login, persona):
    services.agenda_child_add(meeting=world.meeting, child=world.child, reason="Risk", actor=world.users["chair"])
    response = login(world, persona).post(f"/api/meetings/{world.meeting.pk}/agenda/publish/", {"note": "v1"},
                                          content_type="application/json")
    expected = 403 if persona == "anonymous" else (201 if persona in MANAGERS else MISSING)
    assert response.status_code == expected


def test_rule_settings_are_validated_saved_and_audited(world, login):
    from panels.models import AuditEntry

    client = login(world, "coordinator")
    url = reverse("panel_rule_settings", args=[world.panel.pk])
    page = client.get(url).content.decode()
    assert "hr_pre_release_weeks" in page
    bad = client.post(url, {"hr_pre_release_weeks": "-1"})
    assert bad.status_code == 200 and "There is a problem" in bad.content.decode()
    world.panel.refresh_from_db()
    assert world.panel.rule_settings == {}
    form = {name: value for name, value in services.RuleSettings().to_dict().items() if name != "disabled_rules"}
    form.update({"hr_pre_release_weeks": 8, "disabled_rules": ["HR_ROSH"]})
    assert client.post(url, form).status_code == 302
    world.panel.refresh_from_db()
    assert world.panel.rule_settings == {"hr_pre_release_weeks": 8, "disabled_rules": ["HR_ROSH"]}
    assert AuditEntry.objects.filter(action="panel.rule_settings_changed", panel=world.panel).exists()


@pytest.mark.parametrize("persona", ["chair", "invited_yoi"])
def test_agenda_page_costs_the_same_whatever_its_length(published, client, persona):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ChildFactory, EpisodeFactory

    client.force_login(published.users[persona])
    url = reverse("meeting_agenda", args=[published.meeting.pk])
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == OK
        return len(ctx.captured_queries)

    small = count()
    for n in range(8):
        child = ChildFactory(service=published.service, reference=f"YJ-05{n:02d}")
        EpisodeFactory(child=child, establishment=published.yoi)
        services.agenda_child_add(meeting=published.meeting, child=child, reason="More", actor=published.users["chair"])
    services.agenda_publish(meeting=published.meeting, actor=published.users["chair"])
    assert count() == small
