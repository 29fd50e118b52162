"""Every read of a child's data is audited with the child (issue 14): list reads name every child returned
(one entry per request), exports and socket reads included; admin changes are audited; a child's deletion
keeps the reference and name; a subject access request lists every read of one child."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.utils import timezone

from agendas import services as agenda_services
from panels.enums import MeetingStatus, UserRole
from panels.models import AuditEntry, AuditEntryChild, Child, User

pytestmark = pytest.mark.django_db


def children_of_last(action: str) -> set[str]:
    entry = AuditEntry.objects.filter(action=action).order_by("-id").first()
    assert entry is not None, f"no {action} entry"
    return set(AuditEntryChild.objects.filter(entry=entry).values_list("child_reference", flat=True))


@pytest.fixture
def on_agenda(world):
    chair = world.users["chair"]
    for child in (world.child, world.other_child):
        agenda_services.agenda_child_add(meeting=world.meeting, child=child, reason="Risk", actor=chair)
    agenda_services.agenda_publish(meeting=world.meeting, actor=chair)
    return world


def test_the_children_api_records_which_children_a_page_returned(world, client):
    client.force_login(world.users["coordinator"])
    assert client.get("/api/children/").status_code == 200
    assert children_of_last("children.listed") == {"YJ-0001", "YJ-0002"}
    assert AuditEntry.objects.filter(action="children.listed").count() == 1  # one entry per request


def test_the_children_page_records_its_page(world, client):
    client.force_login(world.users["coordinator"])
    client.get("/children/", {"q": "YJ-0002"})
    assert children_of_last("children.listed") == {"YJ-0002"}


def test_my_children_records_the_caseload(world, client):
    client.force_login(world.users["case_manager"])
    assert client.get("/my-children/").status_code == 200
    assert children_of_last("children.listed") == {"YJ-0001"}


def test_the_cohort_export_records_every_child_exported(world, client):
    client.force_login(world.users["coordinator"])
    assert client.get("/cohort/export.csv").status_code == 200
    assert children_of_last("cohort.exported") == {"YJ-0001", "YJ-0002"}


def test_a_partners_agenda_read_records_only_the_children_shown(on_agenda, client):
    client.force_login(on_agenda.users["invited_yoi"])
    client.get(f"/meetings/{on_agenda.meeting.pk}/agenda/")
    assert children_of_last("agenda.viewed") == {"YJ-0001"}
    client.get(f"/api/meetings/{on_agenda.meeting.pk}/agenda/")
    assert children_of_last("agenda.viewed") == {"YJ-0001"}
    client.get(f"/meetings/{on_agenda.meeting.pk}/agenda/pack.html")
    assert children_of_last("agenda.pack_downloaded") == {"YJ-0001"}


def test_a_pack_in_a_format_that_does_not_exist_is_not_logged_as_a_download(on_agenda, client):
    client.force_login(on_agenda.users["coordinator"])
    assert client.get(f"/meetings/{on_agenda.meeting.pk}/agenda/pack.exe").status_code == 404
    assert not AuditEntry.objects.filter(action="agenda.pack_downloaded").exists()


def test_the_forward_look_records_the_children_it_shows(on_agenda, client):
    client.force_login(on_agenda.users["chair"])
    assert client.get(f"/panels/{on_agenda.panel.pk}/forward-look/").status_code == 200
    assert AuditEntry.objects.filter(action="agenda.forward_look_viewed").exists()


def test_the_events_api_records_the_children_of_the_events_returned(on_agenda, client):
    from minutes import services

    meeting = on_agenda.meeting
    meeting.status = MeetingStatus.IN_PROGRESS
    meeting.save()
    services.decision_record(meeting=meeting, actor=on_agenda.users["chair"], child=on_agenda.other_child, text="x")
    client.force_login(on_agenda.users["coordinator"])
    assert client.get(f"/api/meetings/{meeting.pk}/events/", {"after": 0}).status_code == 200
    entry = AuditEntry.objects.get(action="minutes.events_read")
    assert set(entry.children.values_list("child_key", flat=True)) == {on_agenda.other_child.pk}


def test_an_action_page_read_is_audited_with_its_child(world, client):
    from minutes import services

    world.meeting.status = MeetingStatus.IN_PROGRESS
    world.meeting.starts_at = timezone.now() - timedelta(days=1)
    world.meeting.ends_at = world.meeting.starts_at + timedelta(hours=2)
    world.meeting.save()
    action = services.action_create(meeting=world.meeting, actor=world.users["chair"], child=world.child,
                                    description="Visit", owner_agency=world.probation,
                                    owner=world.users["invited_partner"],
                                    due_date=timezone.localdate() + timedelta(days=5))
    client.force_login(world.users["invited_partner"])
    client.get(f"/actions/{action.pk}/")
    entry = AuditEntry.objects.get(action="action.viewed")
    assert entry.child_key == world.child.pk and entry.actor == world.users["invited_partner"]


@pytest.mark.django_db(transaction=True)
async def test_a_websocket_minute_read_is_audited_with_its_child(world):
    from channels.testing import WebsocketCommunicator

    from config.asgi import application

    def setup():
        chair = world.users["chair"]
        agenda_services.agenda_child_add(meeting=world.meeting, child=world.child, reason="Risk", actor=chair)
        world.meeting.status = MeetingStatus.IN_PROGRESS
        world.meeting.save()
        client = Client()
        client.force_login(chair)
        return f"sessionid={client.cookies['sessionid'].value}".encode()

    cookie = await sync_to_async(setup)()
    communicator = WebsocketCommunicator(
        application, f"/ws/minutes/{world.meeting.pk}.{world.child.pk}.general",
        headers=[(b"origin", b"http://127.0.0.1:8000"), (b"cookie", cookie)])
    connected, _ = await communicator.connect()
    assert connected
    await communicator.disconnect()
    entry = await sync_to_async(lambda: AuditEntry.objects.get(action="minutes.room_read"))()
    assert entry.child_key == world.child.pk and entry.detail["via"] == "websocket"


# --- the admin ------------------------------------------------------------------------------------------
@pytest.fixture
def admin_client(world, client):
    admin = User.objects.create_superuser("root", "root@service.example", "correct-horse-battery",
                                          agency=world.service)
    client.force_login(admin)
    return client


def test_deleting_a_child_in_the_admin_keeps_its_reference_and_name_in_the_log(world, admin_client):
    client = Client()
    client.force_login(world.users["coordinator"])
    client.get(f"/children/{world.child.pk}/")  # a read to find again later
    child_id = world.child.pk
    response = admin_client.post(f"/admin/panels/child/{child_id}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Child.objects.filter(pk=child_id).exists()
    read = AuditEntry.objects.get(action="child.viewed")
    assert read.child is None and (read.child_key, read.child_reference) == (child_id, "YJ-0001")
    deleted = AuditEntry.objects.get(action="child.deleted")
    assert deleted.child_reference == "YJ-0001" and deleted.detail["name"] == world.child.display_name
    assert deleted.actor.username == "root"


def test_admin_deactivation_and_role_change_are_audited(world, admin_client):
    user = world.users["case_manager"]
    response = admin_client.get(f"/admin/panels/user/{user.pk}/change/")
    form = response.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | tuple)}
    data.update({"username": user.username, "role": UserRole.MANAGER, "agency": world.service.pk,
                 "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00"})
    data.pop("is_active", None)  # unticked: deactivated
    data.pop("password", None)
    data.pop("last_login", None)
    response = admin_client.post(f"/admin/panels/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"user.deactivated", "user.role_changed", "admin.changed"} <= actions
    changed = AuditEntry.objects.get(action="user.role_changed")
    assert changed.detail["before"]["role"] == UserRole.CASE_MANAGER and changed.detail["after"]["role"] == "manager"


# --- subject access ---------------------------------------------------------------------------------------
def test_a_subject_access_export_lists_every_read_of_one_child(world, client):
    reader = world.users["coordinator"]
    client.force_login(reader)
    client.get(f"/children/{world.child.pk}/")
    client.get("/api/children/")
    client.get(f"/children/{world.other_child.pk}/")
    response = client.get("/audit/subject-access.csv", {"child": "YJ-0001"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("when,what,by")
    whats = [line.split(",")[1] for line in lines[1:]]
    assert whats == ["child.viewed", "children.listed"]  # not the other child's read
    assert AuditEntry.objects.filter(action="audit.subject_access_exported").exists()


def test_a_subject_access_export_finds_a_deleted_child(world, admin_client):
    client = Client()
    client.force_login(world.users["coordinator"])
    client.get(f"/children/{world.child.pk}/")
    admin_client.post(f"/admin/panels/child/{world.child.pk}/delete/", {"post": "yes"})
    lines = client.get("/audit/subject-access.csv", {"child": "YJ-0001"}).content.decode().splitlines()
    assert [line.split(",")[1] for line in lines[1:]] == ["child.viewed", "child.deleted"]


@pytest.mark.parametrize("persona", ["chair", "case_manager", "invited_partner", "invited_yoi"])
def test_only_the_services_auditors_get_a_subject_access_export(world, client, persona):
    client.force_login(world.users[persona])
    assert client.get("/audit/subject-access.csv", {"child": "YJ-0001"}).status_code == 404


def test_another_services_auditor_is_told_the_child_is_not_theirs_as_for_a_missing_one(world, client):
    client.force_login(world.users["outsider"])
    hidden = client.get("/audit/subject-access.csv", {"child": "YJ-0001"})
    missing = client.get("/audit/subject-access.csv", {"child": "YJ-9999"})
    assert (hidden.status_code, hidden.content) == (missing.status_code, missing.content) == (400, missing.content)


def test_a_subject_access_export_without_a_child_is_a_400(world, client, django_assert_max_num_queries):
    client.force_login(world.users["coordinator"])
    with django_assert_max_num_queries(8):
        assert client.get("/audit/subject-access.csv").status_code == 400


def test_the_subject_access_export_uses_a_constant_number_of_queries(world, client, django_assert_max_num_queries):
    client.force_login(world.users["coordinator"])
    for _ in range(5):
        client.get("/api/children/")
    with django_assert_max_num_queries(10):
        assert client.get("/audit/subject-access.csv", {"child": "YJ-0001"}).status_code == 200


def test_the_audit_page_filter_by_child_includes_list_reads(world, client):
    client.force_login(world.users["coordinator"])
    client.get("/api/children/")
    body = client.get("/audit/", {"child": "YJ-0002"}).content.decode()
    assert "children.listed" in body


