"""The audit log page and CSV export (coordinators and managers of the service), append-only, retention."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from panels.audit import audit_record
from panels.models import AuditEntry
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(world):
    u = world.users
    audit_record(actor=u["case_manager"], action="child.viewed", child=world.child)
    audit_record(actor=u["invited_partner"], action="minutes.viewed", child=world.child, meeting=world.meeting)
    audit_record(actor=u["coordinator"], action="child.viewed", child=world.other_child)
    audit_record(actor=u["chair"], action="panel.rule_settings_changed", panel=world.panel)
    # Another service's business: never shown to this service.
    other_child = ChildFactory(service=world.other_service, reference="SM-0001")
    audit_record(actor=u["outsider"], action="child.viewed", child=other_child)
    return AuditEntry.objects.count()


def signed_in_entries(world) -> int:
    """Signing in is audited too (auth.login by a member of the service)."""
    return AuditEntry.objects.filter(action="auth.login", actor__agency=world.service).count()


def cell(text: str) -> str:
    return f'<td class="govuk-table__cell">{text}</td>'


def test_a_coordinator_sees_their_services_entries_newest_first(world, login, entries):
    client = login(world, "coordinator")
    response = client.get(reverse("audit_log"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{4 + signed_in_entries(world)} entries." in html
    assert cell("SM-0001") not in html
    assert html.index("panel.rule_settings_changed") < html.index("minutes.viewed")


@pytest.mark.parametrize("persona", ["chair", "case_manager", "invited_partner", "invited_yoi", "outsider"])
def test_everyone_else_gets_404(world, login, entries, persona):
    # chair: a practitioner; outsider: a manager of another service (their own log would be theirs to read).
    client = login(world, persona)
    if persona == "outsider":
        html = client.get(reverse("audit_log")).content.decode()
        assert cell("YJ-0001") not in html and cell("SM-0001") in html
        return
    assert client.get(reverse("audit_log")).status_code == 404
    assert client.get(reverse("audit_export")).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, world):
    for name in ("audit_log", "audit_export"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_filter_by_child_user_and_date(world, login, entries):
    client = login(world, "coordinator")
    by_child = client.get(reverse("audit_log"), {"child": "yj-0001"}).content.decode()
    assert "2 entries." in by_child
    by_user = client.get(reverse("audit_log"), {"user": "probation"}).content.decode()
    assert "1 entry." in by_user and "minutes.viewed" in by_user
    today = timezone.localdate()
    in_range = client.get(reverse("audit_log"), {"date_from": today.isoformat(), "date_to": today.isoformat()})
    assert f"{4 + signed_in_entries(world)} entries." in in_range.content.decode()
    future = client.get(reverse("audit_log"), {"date_from": (today + timedelta(days=1)).strftime("%d/%m/%Y")})
    assert "0 entries." in future.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"child": "YJ-9999"}, "No child with reference YJ-9999 in your service."),
        ({"child": "SM-0001"}, "No child with reference SM-0001 in your service."),
        ({"user": "nobody"}, "No user with username nobody."),
        ({"date_from": "31/02/2026"}, "Enter the from date as YYYY-MM-DD or DD/MM/YYYY."),
        ({"date_from": "2026-11-10", "date_to": "2026-11-01"}, "The to date must be the same as or after the from"),
    ],
)
def test_bad_filters_get_a_clear_error_and_no_entries(world, login, entries, params, message):
    client = login(world, "coordinator")
    response = client.get(reverse("audit_log"), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "There is a problem" in html and 'id="audit-entries"' not in html
    export = client.get(reverse("audit_export"), params)
    assert export.status_code == 400 and message in export.content.decode()


def test_pages_of_fifty(world, login):
    for _ in range(120):
        audit_record(actor=world.users["case_manager"], action="child.viewed", child=world.child)
    client = login(world, "coordinator")
    first = client.get(reverse("audit_log"), {"child": "YJ-0001"})
    assert first.content.decode().count("<code>child.viewed</code>") == 50
    last = client.get(reverse("audit_log"), {"child": "YJ-0001", "page": 3})
    html = last.content.decode()
    assert html.count("<code>child.viewed</code>") == 20
    assert "child=YJ-0001&amp;page=2" in html


def test_the_page_costs_the_same_for_more_entries(world, login, entries):
    client = login(world, "coordinator")
    url = reverse("audit_log")
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"user": "cm"}).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for _ in range(30):
        audit_record(actor=world.users["case_manager"], action="child.viewed", child=world.other_child,
                     meeting=world.meeting, panel=world.panel)
    assert count() == small


def test_csv_export_for_a_subject_access_request_is_itself_audited(
        world, login, entries, django_assert_max_num_queries):
    client = login(world, "coordinator")
    audit_record(actor=world.users["case_manager"], action="=HYPERLINK(\"http://evil\")", child=world.child)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("audit_export"), {"child": "YJ-0001"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(table) == 3 and {r["child_reference"] for r in table} == {"YJ-0001"}
    assert {r["actor"] for r in table} == {"cm", "probation"}
    assert table[0]["action"].startswith("'=")  # a formula is not run by a spreadsheet
    exported = AuditEntry.objects.get(action="audit.exported")
    assert exported.actor == world.users["coordinator"] and exported.detail["child_id"] == world.child.pk


def test_the_log_is_append_only(world, entries):
    entry = AuditEntry.objects.first()
    entry.action = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(action="tampered")
    assert AuditEntry.objects.count() == entries


def test_retention_deletes_only_entries_older_than_the_setting(world, settings, capsys):
    settings.AUDIT_RETENTION_DAYS = 365
    with time_machine.travel(timezone.now() - timedelta(days=400)):
        audit_record(actor=world.users["coordinator"], action="child.viewed", child=world.child)
    with time_machine.travel(timezone.now() - timedelta(days=300)):
        kept = audit_record(actor=world.users["coordinator"], action="child.viewed", child=world.child)
    call_command("prune_audit", "--dry-run")
    assert "1 audit entry older than 365 days would be deleted" in capsys.readouterr().out
    assert AuditEntry.objects.count() == 2
    call_command("prune_audit")
    assert "Deleted 1 audit entry older than 365 days." in capsys.readouterr().out
    remaining = list(AuditEntry.objects.values_list("pk", "action"))
    assert (kept.pk, "child.viewed") in remaining
    pruned = AuditEntry.objects.get(action="audit.pruned")
    assert pruned.detail["deleted"] == 1 and pruned.detail["retention_days"] == 365


def test_retention_refuses_a_too_short_period(world):
    with pytest.raises(CommandError, match="too short"):
        call_command("prune_audit", "--days", "3")


def test_the_daily_task_prunes_with_the_setting(world, settings):
    from panels.tasks import audit_prune_daily

    settings.AUDIT_RETENTION_DAYS = 30
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        audit_record(actor=world.users["coordinator"], action="child.viewed", child=world.child)
    assert audit_prune_daily() == {"deleted": 1}
    assert "panels.audit_prune" in {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
