"""The oversight pages (issue 17): who may read them, what a list of children shows, audit, downloads, the board
pack, and a constant number of queries whatever the number of children."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from panels.enums import LegalStatus, MembershipRole, UserRole
from panels.models import AuditEntry, AuditEntryChild
from tests.conftest import PERSONAS
from tests.factories import ChildFactory, EpisodeFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
READERS = {"chair", "outsider"}  # the panel's chair; a manager (of another service: their own service's reports)
PAGES = ["/oversight/", "/oversight/timeliness/", "/oversight/releases/", "/oversight/custody/",
         "/oversight/timeliness.csv", "/oversight/timeliness.xlsx", "/oversight/board/",
         "/oversight/timeliness/children/?figure=due&key=RS_INITIAL_PLANNING", "/oversight/releases/?by=distance",
         "/oversight/releases.csv", "/oversight/releases/children/?by=distance&figure=released&key=up_to_50"]


@pytest.fixture
def late_ipm(world):
    """YJ-0001 sentenced 40 days ago, initial planning meeting held 5 days late."""
    today = timezone.localdate()
    child = world.child
    sentence = child.episodes.get()
    sentence.start_date = today - timedelta(days=40)
    sentence.custody_entry_date = sentence.start_date
    sentence.save()
    child.ipm_held_on = today - timedelta(days=40) + timedelta(days=19)
    child.save()
    return world


def expected(persona: str, path: str) -> int:
    if persona == "anonymous":
        return 302
    return 200 if persona in READERS else 404


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", ["/oversight/", "/oversight/timeliness/",
                                  "/oversight/timeliness/children/?figure=due&key=RS_INITIAL_PLANNING"])
def test_who_may_read_the_reports(world, login, persona, path):
    assert login(world, persona).get(path).status_code == expected(persona, path)


def test_a_service_manager_reads_every_page(world, client, manager):
    client.force_login(manager)
    statuses = {path: client.get(path).status_code for path in PAGES}
    assert set(statuses.values()) == {200}, statuses


def test_a_strategic_lead_reads_the_reports(world, client):
    lead = UserFactory(username="lead", agency=world.police, role=UserRole.PARTNER)
    world.panel.strategic_lead = lead
    world.panel.save()
    client.force_login(lead)
    assert client.get("/oversight/").status_code == 200


def test_a_coordinator_who_is_not_a_manager_gets_404(world, login):
    assert login(world, "coordinator").get("/oversight/").status_code == 404


def test_an_unknown_report_is_404(world, client, manager):
    client.force_login(manager)
    assert client.get("/oversight/nonsense/").status_code == 404


def test_a_bad_date_names_the_field(world, client, manager):
    client.force_login(manager)
    response = client.get("/oversight/timeliness/?from=2026-13-01")
    assert response.status_code == 400
    assert "from:" in response.content.decode()


def test_a_bad_breakdown_names_the_field(world, client, manager):
    client.force_login(manager)
    assert "by:" in client.get("/oversight/timeliness/?by=shoe_size").content.decode()


def test_timeliness_counts_a_late_meeting(late_ipm, client, manager):
    client.force_login(manager)
    body = client.get("/oversight/timeliness/?by=requirement&code=RS_INITIAL_PLANNING").content.decode()
    assert "figure=met_late" in body


def test_the_children_behind_a_figure_are_listed_and_audited(late_ipm, client, manager):
    client.force_login(manager)
    response = client.get("/oversight/timeliness/children/?figure=met_late&key=RS_INITIAL_PLANNING")
    assert "YJ-0001" in response.content.decode()
    entry = AuditEntry.objects.get(action="oversight.children_viewed")
    assert list(AuditEntryChild.objects.filter(entry=entry).values_list("child_reference", flat=True)) == ["YJ-0001"]


def test_a_chair_sees_the_figure_but_not_children_outside_their_caseload(late_ipm, login):
    body = login(late_ipm, "chair").get(
        "/oversight/timeliness/children/?figure=met_late&key=RS_INITIAL_PLANNING").content.decode()
    assert "YJ-0001" not in body
    assert "whom you may not see" in body


def test_a_breakdown_by_ethnicity(late_ipm, client, manager):
    late_ipm.child.ethnicity = "mixed"
    late_ipm.child.save()
    client.force_login(manager)
    assert "Mixed or Multiple ethnic groups" in client.get("/oversight/timeliness/?by=ethnicity").content.decode()


def test_the_csv_suppresses_small_counts(late_ipm, client, manager):
    client.force_login(manager)
    body = client.get("/oversight/timeliness.csv?code=RS_INITIAL_PLANNING").content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    initial = next(r for r in rows if r and r[0] == "Initial planning meeting after sentence")
    assert initial[1] == "fewer than 5"


def test_the_xlsx_is_a_workbook(late_ipm, client, manager):
    client.force_login(manager)
    response = client.get("/oversight/timeliness.xlsx")
    assert response.content[:2] == b"PK"


def test_a_download_is_audited(world, client, manager):
    client.force_login(manager)
    client.get("/oversight/releases.csv")
    assert AuditEntry.objects.filter(action="oversight.downloaded").count() == 1


def test_the_board_pack_summary_shows_references_not_names(late_ipm, client, manager):
    client.force_login(manager)
    body = client.get("/oversight/board/?audience=summary").content.decode()
    assert "YJ-0001" in body
    assert late_ipm.child.family_name not in body


def test_the_board_pack_full_shows_names(late_ipm, client, manager):
    client.force_login(manager)
    assert late_ipm.child.family_name in client.get("/oversight/board/?audience=full").content.decode()


def test_the_board_pack_is_audited_with_its_children(late_ipm, client, manager):
    client.force_login(manager)
    client.get("/oversight/board/")
    entry = AuditEntry.objects.get(action="oversight.board_pack_viewed")
    assert AuditEntryChild.objects.filter(entry=entry, child_reference="YJ-0001").exists()


def test_the_custody_page_lists_the_pipeline(world, client, manager):
    today = timezone.localdate()
    world.child.date_of_birth = date(today.year - 18, today.month, 1) + timedelta(days=62)
    world.child.save()
    client.force_login(manager)
    assert "Turning 18" in client.get("/oversight/custody/").content.decode()


def test_a_chair_gets_a_link_from_the_panel_page(world, login):
    body = login(world, "chair").get(reverse("panel_detail", args=[world.panel.pk])).content.decode()
    assert reverse("oversight_index") in body


def _more_children(world, n: int) -> None:
    manager = UserFactory(agency=world.service, role=UserRole.CASE_MANAGER)
    for _ in range(n):
        child = ChildFactory(service=world.service, case_manager=manager, legal_status=LegalStatus.SENTENCED)
        EpisodeFactory(child=child, establishment=world.yoi, establishment_type="yoi",
                       actual_release_date=timezone.localdate() - timedelta(days=3))


@pytest.mark.parametrize("path", PAGES)
def test_queries_do_not_grow_with_the_children(world, client, manager, django_assert_max_num_queries, path):
    MembershipFactory(panel=world.panel, user=manager, role=MembershipRole.MEMBER)
    client.force_login(manager)
    client.get(path)  # warm: session, sites
    _more_children(world, 2)
    with django_assert_max_num_queries(20) as few:
        client.get(path)
    _more_children(world, 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(path)


def test_a_change_to_a_record_shows_once_its_rows_are_computed_again(late_ipm, client, manager, settings,
                                                                     django_capture_on_commit_callbacks):
    """The first reading after a change shows the last figures (being updated) and starts the rebuild
    (agendas/oversight/snapshots.py; the job runs eagerly here); the next reading shows the change."""
    settings.JOBS_BACKEND = "celery"
    client.force_login(manager)
    url = "/oversight/timeliness/children/?figure=met_late&key=RS_INITIAL_PLANNING"
    client.get(url)
    late_ipm.child.ipm_held_on = timezone.localdate() - timedelta(days=39)
    late_ipm.child.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url)
    assert "YJ-0001" not in client.get(url).content.decode()


def test_a_new_address_confirmation_shows_once_the_rows_are_computed_again(world, client, manager, settings,
                                                                           django_capture_on_commit_callbacks):
    from panels.models import ReleaseAddressChange

    settings.JOBS_BACKEND = "celery"
    client.force_login(manager)
    client.get("/oversight/board/")
    ReleaseAddressChange.objects.create(child=world.child, status="confirmed", on=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/oversight/board/")
    assert "Confirmed" in client.get("/oversight/board/").content.decode()


def test_the_garbage_collector_runs_again_after_a_report(world, client, manager):
    import gc

    client.force_login(manager)
    client.get("/oversight/timeliness/")
    assert gc.isenabled()


def test_the_garbage_collector_runs_again_after_a_view_fails():
    import gc

    from agendas.oversight.views import cyclic_gc_paused

    @cyclic_gc_paused
    def failing():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing()
    assert gc.isenabled()


# --- distance from home ---------------------------------------------------------------------------------------
@pytest.fixture
def located(world):
    """The service at Leeds, the YOI at London (about 169 miles); YJ-0001 released from it three days ago; the
    STC has no location."""
    world.service.latitude, world.service.longitude = Decimal("53.80"), Decimal("-1.55")
    world.service.save()
    world.yoi.latitude, world.yoi.longitude = Decimal("51.51"), Decimal("-0.13")
    world.yoi.save()
    world.child.legal_status = LegalStatus.RELEASED
    world.child.save()
    world.child.episodes.update(custody_entry_date=timezone.localdate() - timedelta(days=90),
                                actual_release_date=timezone.localdate() - timedelta(days=3))
    return world


def test_release_outcomes_show_the_share_by_distance(located, client, manager):
    client.force_login(manager)
    assert "Distance from home of the children released" in client.get("/oversight/releases/").content.decode()


def test_release_outcomes_break_down_by_distance(located, client, manager):
    client.force_login(manager)
    assert "Over 100 miles" in client.get("/oversight/releases/?by=distance").content.decode()


def test_the_children_released_far_from_home_show_their_distance(located, client, manager):
    client.force_login(manager)
    body = client.get("/oversight/releases/children/?by=distance&figure=released&key=over_100").content.decode()
    assert "About 169 miles (over 100 miles)" in body


def test_the_custody_list_shows_each_childs_distance_band(located, client, manager):
    client.force_login(manager)
    located.other_child.episodes.update(custody_entry_date=timezone.localdate() - timedelta(days=30),
                                        establishment=located.yoi)
    assert "About 169 miles (over 100 miles)" in client.get("/oversight/custody/").content.decode()


def test_the_custody_list_says_when_a_distance_is_not_known(located, client, manager):
    client.force_login(manager)
    located.other_child.episodes.update(custody_entry_date=timezone.localdate() - timedelta(days=30))
    assert "<td class=\"govuk-table__cell\">Not known</td>" in client.get("/oversight/custody/").content.decode()


def test_the_release_download_carries_the_distance_suppressed(located, client, manager):
    client.force_login(manager)
    rows = list(csv.reader(io.StringIO(client.get("/oversight/releases.csv").content.decode())))
    assert ["Over 100 miles", "fewer than 5", "suppressed", "suppressed"] in rows


def test_a_new_service_location_shows_once_the_rows_are_computed_again(located, client, manager, settings,
                                                                       django_capture_on_commit_callbacks):
    """The service's location is part of the stored rows' key: the next reading asks for a rebuild."""
    settings.JOBS_BACKEND = "celery"  # the job runs eagerly here
    client.force_login(manager)
    url = "/oversight/releases/children/?by=distance&figure=released&key=over_100"
    client.get(url)
    located.service.latitude, located.service.longitude = Decimal("51.50"), Decimal("-0.10")
    located.service.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url)
    assert "(up to 50 miles)" in client.get(url.replace("over_100", "up_to_50")).content.decode()


def test_custody_breaks_down_by_distance(located, client, manager):
    client.force_login(manager)
    located.other_child.episodes.update(custody_entry_date=timezone.localdate() - timedelta(days=30),
                                        establishment=located.yoi)
    assert "Over 100 miles" in client.get("/oversight/custody/?by=distance").content.decode()
