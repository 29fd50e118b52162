"""The child's resettlement record (issue 16, points 3, 5, 6): network, plan by pathway, own words, Y2A."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agendas import services as agenda_services
from agendas.models import AgendaItem, ItemInvitation
from panels import record_services, resettlement
from panels.enums import NetworkRole, PanelKind, PlanSetting, SentenceType, TransferDecision
from panels.models import AuditEntry, ChildResettlement, MeetingInvitee, NetworkMember, Pathway
from panels.resettlement import PlanRowFact, network_suggestions, pathways_without_owner, y2a_flags

# --- pure rules ------------------------------------------------------------------------------------------------


def test_presets_are_the_sources_lists():
    assert len(resettlement.ENFIELD_9) == 9 and len(resettlement.CAMDEN_7) == 7
    assert resettlement.CAMDEN_7[0] == "Case management and transitions"
    assert {"Not offending", "Lifestyle"} <= set(resettlement.ENFIELD_9)
    assert [q for _, q in resettlement.FOUR_QUESTIONS][0] == "Who are you?"


@pytest.mark.parametrize(("panel_kind", "meeting_kind", "looked_after", "ehcp", "roles"), [
    (PanelKind.HIGH_RISK, None, False, False, {"social_worker"}),
    (PanelKind.Y2A, None, False, False, {"probation_officer"}),
    (PanelKind.RESETTLEMENT, None, True, False, {"social_worker"}),
    (PanelKind.RESETTLEMENT, None, False, False, set()),
    (None, resettlement.MeetingKind.POST_RELEASE_REVIEW, True, False, {"iro"}),
    (None, resettlement.MeetingKind.POST_RELEASE_REVIEW, False, False, set()),
    (None, resettlement.MeetingKind.INITIAL_PLANNING, False, True, {"sen_case_manager"}),
    (None, resettlement.MeetingKind.INITIAL_PLANNING, False, None, set()),
])
def test_network_suggestions_follow_the_attendance_expectations(panel_kind, meeting_kind, looked_after, ehcp,
                                                                 roles):
    members = [(i, role) for i, role in enumerate(NetworkRole.values)]
    found = network_suggestions(members, looked_after=looked_after, ehcp=ehcp, panel_kind=panel_kind,
                                meeting_kind=meeting_kind)
    assert {NetworkRole.values[s.member_id] for s in found} == roles
    assert all(s.reason for s in found)


def test_a_pathway_needs_someone_responsible_before_release():
    pathways = [(1, "Accommodation"), (2, "Health"), (3, "Lifestyle"), (4, "Finances")]
    release = date(2027, 3, 1)
    rows = [
        PlanRowFact(1, PlanSetting.CUSTODY, True, None),  # custody work: before release
        PlanRowFact(2, PlanSetting.COMMUNITY, True, date(2027, 4, 1)),  # after release only
        PlanRowFact(3, PlanSetting.COMMUNITY, True, date(2027, 2, 1)),  # community-side, due before release
        PlanRowFact(4, PlanSetting.CUSTODY, False, date(2027, 1, 1)),  # nobody named
    ]
    assert pathways_without_owner(pathways, rows, release_date=release, released=False) == ["Health", "Finances"]
    assert pathways_without_owner(pathways, rows, release_date=release, released=True) == []


def _record(**kw):
    base = {"date_of_birth": date(2009, 5, 10), "order_end_date": date(2027, 6, 1), "transfer_decision": None,
            "sentence_type": SentenceType.DTO}
    return {**base, **kw}


def test_y2a_flags():
    today = date(2027, 3, 1)  # 17y9m was 2027-02-10
    codes = {f.code for f in y2a_flags(_record(), transfer_reason="", has_probation_officer=False, today=today)}
    assert codes == {"turns_18_late_in_order", "no_probation_officer"}  # 18 on 2027-05-10, order ends 06-01
    assert {f.code for f in y2a_flags(_record(transfer_decision=TransferDecision.RETAIN), transfer_reason=" ",
                                      has_probation_officer=False, today=today)} == {
        "turns_18_late_in_order", "retain_without_reason"}
    assert not y2a_flags(_record(order_end_date=date(2027, 12, 1), transfer_decision=TransferDecision.TRANSFER),
                         transfer_reason="", has_probation_officer=True, today=today)
    assert {f.code for f in y2a_flags(_record(sentence_type=SentenceType.REFERRAL_ORDER), transfer_reason="",
                                      has_probation_officer=True, today=date(2026, 1, 1))} == {
        "referral_order", "turns_18_late_in_order"}
    # the order ends before 18: not in the protocol at all
    assert not y2a_flags(_record(order_end_date=date(2027, 1, 1)), transfer_reason="", has_probation_officer=False,
                         today=today)


# --- pages, services, API ------------------------------------------------------------------------------------------


def _member(world, role=NetworkRole.PARENT_CARER, **kw):
    actor = world.users["coordinator"]
    return record_services.network_member_add(child=world.child, actor=actor, role=role, **kw)


@pytest.mark.django_db
def test_network_a_user_by_email_or_a_contact_without_a_login(world):
    officer = _member(world, NetworkRole.PROBATION_OFFICER, email=world.users["invited_partner"].email)
    assert officer.user == world.users["invited_partner"] and officer.contact_agency == world.probation
    parent = _member(world, name="Fictional Parent", email="parent@example.org")
    assert parent.user is None and parent.contact_email == "parent@example.org" and parent.is_family
    with pytest.raises(ValidationError):
        _member(world, name="")
    assert AuditEntry.objects.filter(action="child.network_added", child=world.child).count() == 2


@pytest.mark.django_db
def test_child_pages_show_the_record_and_audit_the_read(world, client):
    _member(world, name="Fictional Parent", email="parent@example.org")
    record_services.pathways_apply_preset(service=world.service, preset="camden_7", actor=world.users["coordinator"])
    client.force_login(world.users["case_manager"])
    for name, action in (("child_network", "child.network_viewed"), ("child_plan", "child.plan_viewed")):
        response = client.get(reverse(name, args=[world.child.pk]))
        assert response.status_code == 200 and "Fictional Parent" in response.content.decode()
        assert AuditEntry.objects.filter(action=action, child=world.child, actor=world.users["case_manager"]).exists()
    body = client.get(reverse("child_detail", args=[world.child.pk])).content.decode()
    assert "Fictional Parent" in body and "Nobody is responsible before release for" in body


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["outsider", "other_case_manager", "invited_partner", "invited_yoi"])
def test_outsiders_get_404_on_the_record_pages_and_api(world, client, persona):
    member = _member(world, name="Fictional Parent")
    client.force_login(world.users[persona])
    for url in (reverse("child_network", args=[world.child.pk]), reverse("child_plan", args=[world.child.pk]),
                f"/api/children/{world.child.pk}/network/", f"/api/children/{world.child.pk}/plan/"):
        assert client.get(url).status_code == 404, url
    for url, data in ((reverse("child_network", args=[world.child.pk]), {"role": "mentor", "name": "X"}),
                      (reverse("child_network_remove", args=[world.child.pk, member.pk]), {}),
                      (reverse("child_transfer_decision", args=[world.child.pk]), {"decision": "transfer"})):
        assert client.post(url, data).status_code == 404, url
    assert NetworkMember.objects.filter(child=world.child).count() == 1


@pytest.mark.django_db
def test_plan_rows_by_pathway_and_the_unowned_flag(world, client):
    coordinator = world.users["coordinator"]
    pathways = record_services.pathways_apply_preset(service=world.service, preset="enfield_9", actor=coordinator)
    parent = _member(world, name="Fictional Parent")
    client.force_login(coordinator)
    url = reverse("child_plan", args=[world.child.pk])
    for pathway in pathways:
        response = client.post(url, {"pathway": pathway.pk, "setting": "custody", "goal": "A goal",
                                     "who_member": parent.pk})
        assert response.status_code == 302
    assert "Nobody responsible before release" not in client.get(url).content.decode()
    # another service's pathway is refused
    foreign = Pathway.objects.create(service=world.other_service, name="Elsewhere")
    assert client.post(url, {"pathway": foreign.pk, "setting": "custody", "goal": "x"}).status_code == 400
    row = world.child.plan_rows.first()
    client.post(reverse("child_plan_row_remove", args=[world.child.pk, row.pk]))
    body = client.get(url).content.decode()
    assert f"Nobody is responsible before release for: {pathways[0].name}" in body
    # switching to Camden's 7 retires Enfield's others but keeps them on the plan that uses them
    record_services.pathways_apply_preset(service=world.service, preset="camden_7", actor=coordinator)
    assert Pathway.objects.filter(service=world.service, is_active=True).count() == 7


@pytest.mark.django_db
def test_the_childs_own_words(world, client):
    client.force_login(world.users["case_manager"])
    response = client.post(reverse("child_words", args=[world.child.pk]),
                           {"who_are_you": "Someone who likes football", "how_will_you_get_there": "College"})
    assert response.status_code == 302
    record = ChildResettlement.objects.get(child=world.child)
    assert record.who_are_you == "Someone who likes football" and record.how_will_you_get_there == "College"


@pytest.mark.django_db
def test_a_refused_decision_says_error_first_in_the_page_title(world, client):
    client.force_login(world.users["coordinator"])
    response = client.post(reverse("child_transfer_decision", args=[world.child.pk]),
                           {"decision": "retain", "reason": ""})
    assert "<title>Error: Resettlement plan of" in response.content.decode()


@pytest.mark.django_db
def test_retaining_needs_a_reason(world, client):
    client.force_login(world.users["coordinator"])
    url = reverse("child_transfer_decision", args=[world.child.pk])
    assert client.post(url, {"decision": "retain", "reason": ""}).status_code == 400
    world.child.refresh_from_db()
    assert world.child.transfer_decision is None
    assert client.post(url, {"decision": "retain", "reason": "Turns 18 in the last 2 months"}).status_code == 302
    world.child.refresh_from_db()
    assert world.child.transfer_decision == "retain"
    assert ChildResettlement.objects.get(child=world.child).transfer_reason == "Turns 18 in the last 2 months"
    with pytest.raises(ValidationError):
        record_services.transfer_decision_set(child=world.child, actor=world.users["coordinator"],
                                              decision="retain", reason=" ")


@pytest.mark.django_db
def test_api_network_and_plan(world, client):
    _member(world, NetworkRole.PROBATION_OFFICER, email=world.users["invited_partner"].email)
    record_services.pathways_apply_preset(service=world.service, preset="camden_7", actor=world.users["coordinator"])
    client.force_login(world.users["coordinator"])
    network = client.get(f"/api/children/{world.child.pk}/network/").json()
    assert network[0]["role"] == "probation_officer" and network[0]["user"] == world.users["invited_partner"].pk
    plan = client.get(f"/api/children/{world.child.pk}/plan/").json()
    assert len(plan["pathways"]) == 7 and plan["probation_officer"]
    assert all(p["nobody_responsible_before_release"] for p in plan["pathways"])
    assert AuditEntry.objects.filter(child=world.child, action="child.plan_viewed", detail__via="api").exists()


@pytest.mark.django_db
def test_record_pages_use_a_constant_number_of_queries(world, client):
    coordinator = world.users["coordinator"]
    pathways = record_services.pathways_apply_preset(service=world.service, preset="camden_7", actor=coordinator)
    client.force_login(coordinator)
    urls = [reverse(n, args=[world.child.pk]) for n in ("child_network", "child_plan", "child_detail")]
    urls += [f"/api/children/{world.child.pk}/network/", f"/api/children/{world.child.pk}/plan/"]

    def counts():
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            found.append(len(ctx.captured_queries))
        return found

    counts()
    small = counts()
    for i in range(4):
        member = _member(world, NetworkRole.MENTOR, name=f"Fictional Mentor {i}")
        _member(world, NetworkRole.SOCIAL_WORKER, email=world.users["chair"].email if i == 0 else "",
                name=f"Fictional Worker {i}")
        for pathway in pathways:
            record_services.plan_row_save(child=world.child, actor=coordinator, pathway=pathway,
                                          setting="community", goal="Goal", who_member=member,
                                          who_user=world.users["chair"], who_agency=world.probation)
    assert counts() == small


@pytest.mark.django_db
def test_network_members_are_suggested_on_the_slot_invite_form(world, client):
    """At the High Risk Panel the social worker is suggested for the child's slot; a contact without a login is
    invited by email only (a slot invitee with no user)."""
    coordinator = world.users["coordinator"]
    worker = _member(world, NetworkRole.SOCIAL_WORKER, name="Fictional Social Worker",
                     email="worker@example.org")
    _member(world, NetworkRole.MENTOR, name="Fictional Mentor", email="mentor@example.org")  # not suggested
    world.panel.kind = PanelKind.HIGH_RISK
    world.panel.save()
    agenda_services.agenda_child_add(meeting=world.meeting, child=world.child, reason="Risk", actor=coordinator)
    client.force_login(coordinator)
    body = client.get(reverse("meeting_agenda", args=[world.meeting.pk])).content.decode()
    assert "Suggested from YJ-0001" in body and "Fictional Social Worker" in body and "Fictional Mentor" not in body
    item = AgendaItem.objects.get(meeting=world.meeting, child=world.child)
    response = client.post(reverse("agenda_slot_invite", args=[world.meeting.pk, item.pk]),
                           {"name": worker.display_name, "email": worker.contact_email})
    assert response.status_code == 302
    invitee = MeetingInvitee.objects.get(meeting=world.meeting, email="worker@example.org")
    assert invitee.user is None and ItemInvitation.objects.filter(item=item, invitee=invitee).exists()
    body = client.get(reverse("meeting_agenda", args=[world.meeting.pk])).content.decode()
    assert "Suggested from YJ-0001" not in body  # already invited
    # someone invited to the whole meeting is not suggested (a slot invitation would narrow them to one child)
    _member(world, NetworkRole.SOCIAL_WORKER, email=world.users["invited_partner"].email)
    body = client.get(reverse("meeting_agenda", args=[world.meeting.pk])).content.decode()
    assert "Suggested from YJ-0001" not in body


@pytest.mark.django_db
def test_pathway_set_page_is_for_the_services_managers(world, client):
    client.force_login(world.users["coordinator"])
    assert client.post(reverse("pathway_preset"), {"preset": "enfield_9"}).status_code == 302
    assert client.post(reverse("pathway_list"), {"name": "Faith and culture"}).status_code == 302
    assert Pathway.objects.filter(service=world.service, is_active=True).count() == 10
    assert "Faith and culture" in client.get(reverse("pathway_list")).content.decode()
    faith = Pathway.objects.get(service=world.service, name="Faith and culture")
    assert client.post(reverse("pathway_rename", args=[faith.pk]), {"name": "Faith"}).status_code == 302
    assert client.post(reverse("pathway_active", args=[faith.pk]), {"active": "0"}).status_code == 302
    faith.refresh_from_db()
    assert faith.name == "Faith"
    assert not faith.is_active
    client.force_login(world.users["case_manager"])
    assert client.get(reverse("pathway_list")).status_code == 404


@pytest.mark.django_db
def test_a_refused_new_name_is_said_and_the_add_form_is_left_alone(world, client):
    client.force_login(world.users["coordinator"])
    client.post(reverse("pathway_preset"), {"preset": "enfield_9"})
    first, second = Pathway.objects.filter(service=world.service).order_by("pk")[:2]
    response = client.post(reverse("pathway_rename", args=[first.pk]), {"name": second.name}, follow=True)
    body = response.content.decode()
    assert f"{first.name} was not renamed: New name: There is already a pathway called {second.name}." in body
    first.refresh_from_db()
    assert first.name != second.name


@pytest.mark.django_db
@pytest.mark.parametrize("route", ["pathway_rename", "pathway_active"])
def test_another_services_pathway_is_not_found(world, client, route):
    foreign = Pathway.objects.create(service=world.other_service, name="Elsewhere")
    client.force_login(world.users["coordinator"])
    assert client.post(reverse(route, args=[foreign.pk]), {"name": "Mine", "active": "0"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "Elsewhere"
    assert foreign.is_active


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_plan_as_documents_per_audience(world, client, fmt):
    import io

    coordinator = world.users["coordinator"]
    pathways = record_services.pathways_apply_preset(service=world.service, preset="camden_7", actor=coordinator)
    member = _member(world, NetworkRole.SOCIAL_WORKER, name="Fictional Worker", email="worker@example.org")
    record_services.plan_row_save(child=world.child, actor=coordinator, pathway=pathways[1], setting="custody",
                                  goal="Somewhere safe to live", who_member=member)
    client.force_login(coordinator)
    url = reverse("child_plan_document", args=[world.child.pk, fmt])
    texts = {}
    for audience in ("full", "family"):
        response = client.get(url, {"audience": audience})
        assert response.status_code == 200
        if fmt == "docx":
            from docx import Document

            texts[audience] = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs) + "\n".join(
                c.text for t in Document(io.BytesIO(response.content)).tables for r in t.rows for c in r.cells)
        else:
            assert response.content.startswith(b"%PDF")
    if fmt == "docx":
        assert "Somewhere safe to live" in texts["full"] and "Somewhere safe to live" in texts["family"]
        assert "worker@example.org" in texts["full"] and "worker@example.org" not in texts["family"]
        assert "Youth to adult" in texts["full"] and "Youth to adult" not in texts["family"]
    assert client.get(url, {"audience": "everyone"}).status_code == 404
    assert AuditEntry.objects.filter(child=world.child, action="child.plan_exported").count() == 2
    client.force_login(world.users["outsider"])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_an_action_belongs_to_a_pathway_of_the_set(world):
    from datetime import timedelta

    from minutes import services as minutes_services

    coordinator = world.users["coordinator"]
    pathway = record_services.pathway_add(service=world.service, name="Accommodation", actor=coordinator)
    world.meeting.status = "in_progress"
    world.meeting.save()
    action = minutes_services.action_create(
        meeting=world.meeting, actor=world.users["chair"], child=world.child, description="Find a placement",
        owner_agency=world.service, due_date=world.meeting.local_date + timedelta(days=7),
        resettlement_pathway=pathway)
    assert action.resettlement_pathway == pathway and action.pathway == "Accommodation"
    foreign = Pathway.objects.create(service=world.other_service, name="Elsewhere")
    with pytest.raises(ValidationError):
        minutes_services.action_create(
            meeting=world.meeting, actor=world.users["chair"], child=world.child, description="x",
            owner_agency=world.service, due_date=world.meeting.local_date + timedelta(days=7),
            resettlement_pathway=foreign)


@pytest.mark.django_db
def test_agenda_items_of_a_y2a_panel_carry_the_flags(world, client):
    coordinator = world.users["coordinator"]
    record_services.pathway_add(service=world.service, name="Accommodation", actor=coordinator)
    world.child.transfer_decision = TransferDecision.RETAIN  # as a cohort import sets it: no reason
    world.child.save()
    agenda_services.agenda_child_add(meeting=world.meeting, child=world.child, reason="Turns 18", actor=coordinator)
    client.force_login(coordinator)
    url = reverse("meeting_agenda", args=[world.meeting.pk])
    body = client.get(url).content.decode()
    assert "Nobody responsible before release for: Accommodation." in body
    assert "no reason recorded" not in body  # a High Risk panel: no Y2A flags
    world.panel.kind = PanelKind.Y2A
    world.panel.save()
    assert "Retained in the youth justice service with no reason recorded." in client.get(url).content.decode()


@pytest.mark.django_db
def test_agenda_page_with_networks_and_plans_costs_the_same_whatever_its_length(world, client):
    from tests.factories import ChildFactory, EpisodeFactory

    coordinator = world.users["coordinator"]
    pathway = record_services.pathway_add(service=world.service, name="Accommodation", actor=coordinator)

    def listed(child):
        member = record_services.network_member_add(child=child, actor=coordinator, role=NetworkRole.SOCIAL_WORKER,
                                                    name="Fictional Worker", email=f"w{child.pk}@example.org")
        record_services.plan_row_save(child=child, actor=coordinator, pathway=pathway, setting="custody", goal="Goal",
                                      who_member=member)
        record_services.network_member_add(child=child, actor=coordinator, role=NetworkRole.PROBATION_OFFICER,
                                           name="Fictional Officer")
        agenda_services.agenda_child_add(meeting=world.meeting, child=child, reason="Risk", actor=coordinator)

    listed(world.child)
    client.force_login(coordinator)
    url = reverse("meeting_agenda", args=[world.meeting.pk])
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for n in range(5):
        child = ChildFactory(service=world.service, reference=f"YJ-07{n:02d}")
        EpisodeFactory(child=child, establishment=world.yoi)
        listed(child)
    assert count() == small


@pytest.mark.django_db
def test_a_transfer_decision_refreshes_the_childs_agendas(world, monkeypatch, django_capture_on_commit_callbacks):
    import agendas.services

    rebuilt = []
    monkeypatch.setattr(agendas.services, "agendas_refresh_child",
                        lambda *, service_id, child_id: rebuilt.append((service_id, child_id)))
    with django_capture_on_commit_callbacks(execute=True):
        record_services.transfer_decision_set(child=world.child, actor=world.users["coordinator"],
                                              decision="transfer", reason="")
    assert rebuilt == [(world.service.pk, world.child.pk)]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "data"), [
    ("pathway_preset", {"preset": "camden_7"}),
    ("pathway_rename", {"name": "Renamed"}),
    ("pathway_active", {"active": "0"}),
    ("child_plan_row_remove", {}),
])
def test_each_pathway_and_plan_row_action_costs_a_bounded_number_of_queries(world, client, route, data,
                                                                            django_assert_max_num_queries):
    coordinator = world.users["coordinator"]
    record_services.pathways_apply_preset(service=world.service, preset="enfield_9", actor=coordinator)
    pathway = Pathway.objects.filter(service=world.service).order_by("pk").first()
    row = record_services.plan_row_save(child=world.child, actor=coordinator, pathway=pathway,
                                        setting=PlanSetting.CUSTODY, goal="A goal")
    args = {"pathway_preset": [], "pathway_rename": [pathway.pk], "pathway_active": [pathway.pk],
            "child_plan_row_remove": [world.child.pk, row.pk]}[route]
    client.force_login(coordinator)
    with django_assert_max_num_queries(40):
        assert client.post(reverse(route, args=args), data).status_code == 302


@pytest.mark.django_db
def test_an_empty_new_name_is_refused_naming_what_is_missing(world, client):
    client.force_login(world.users["coordinator"])
    client.post(reverse("pathway_preset"), {"preset": "enfield_9"})
    first = Pathway.objects.filter(service=world.service).order_by("pk").first()
    body = client.post(reverse("pathway_rename", args=[first.pk]), {"name": ""}, follow=True).content.decode()
    assert f"{first.name} was not renamed: New name: Give the pathway a name." in body
