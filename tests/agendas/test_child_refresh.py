"""One child's record changed (a statutory meeting held, the release address or ETE, the Y2A decision): only the
upcoming agendas on which that child's item changes are rebuilt, and the result is exactly what rebuilding every
agenda gives (agendas.services.agendas_refresh_child). A save on the child's page no longer waits for every
agenda of the service to be rebuilt."""

from __future__ import annotations

from datetime import timedelta

import pytest

import agendas.services
from agendas.models import AgendaItem
from agendas.services import agendas_rebuild_upcoming, agendas_refresh_child
from panels import release_services
from panels.enums import LegalStatus, PanelKind, ReleaseAddressStatus
from panels.models import Meeting
from tests.factories import ChildFactory, EpisodeFactory, MeetingFactory, PanelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def service_agendas(world):
    """A Resettlement panel with three upcoming meetings and a High Risk panel, six children in custody releasing
    within months, every agenda built."""
    world.panel.kind = PanelKind.RESETTLEMENT
    world.panel.save()
    first = world.meeting.starts_at
    for weeks in (8, 12):
        MeetingFactory(panel=world.panel, starts_at=first + timedelta(weeks=weeks),
                       ends_at=first + timedelta(weeks=weeks, hours=2))
    high_risk = PanelFactory(service=world.service, name="High Risk", kind=PanelKind.HIGH_RISK)
    MeetingFactory(panel=high_risk, starts_at=first + timedelta(days=1), ends_at=first + timedelta(days=1, hours=2))
    local = world.meeting.local_date
    for n in range(6):
        child = ChildFactory(service=world.service, legal_status=LegalStatus.SENTENCED)
        EpisodeFactory(child=child, establishment=world.yoi, establishment_type="yoi",
                       start_date=local - timedelta(days=90), release_date=local + timedelta(days=20 + 15 * n))
    episode = world.child.episodes.get(is_current=True)
    episode.start_date, episode.release_date = local - timedelta(days=60), local + timedelta(days=40)
    episode.save()
    for panel in (world.panel, high_risk):
        agendas_rebuild_upcoming(panel=panel)
    return world


def snapshot(service) -> dict[int, list[tuple]]:
    rows = AgendaItem.objects.filter(meeting__panel__service=service).order_by("meeting_id", "position")
    out: dict[int, list[tuple]] = {}
    for item in rows:
        out.setdefault(item.meeting_id, []).append(
            (item.child_id, item.position, item.state, item.late, item.earliest_due, item.reasons))
    return out


def confirm_address(world):
    release_services.release_address_record(
        child=world.child, actor=world.users["case_manager"], status=ReleaseAddressStatus.CONFIRMED,
        on=world.meeting.local_date - timedelta(days=5), today=world.meeting.local_date - timedelta(days=5))


def test_refreshing_one_child_gives_exactly_what_rebuilding_every_agenda_gives(service_agendas,
                                                                                django_capture_on_commit_callbacks):
    world = service_agendas
    before = snapshot(world.service)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_address(world)
    refreshed = snapshot(world.service)
    for panel in world.service.panels.all():
        agendas_rebuild_upcoming(panel=panel)
    assert refreshed != before  # the change did reach the agendas (RS_ACCOMMODATION went)
    assert refreshed == snapshot(world.service)


def test_only_the_agendas_on_which_the_childs_item_changes_are_rebuilt(service_agendas, monkeypatch):
    world = service_agendas
    confirm_address(world)  # outside a commit: nothing refreshed yet
    built = []
    real_build = agendas.services.agenda_build
    monkeypatch.setattr(agendas.services, "agenda_build",
                        lambda *, meeting, today=None: built.append(meeting.pk) or real_build(meeting=meeting,
                                                                                              today=today))
    count = agendas_refresh_child(service_id=world.service.pk, child_id=world.child.pk)
    resettlement = set(Meeting.objects.filter(panel=world.panel).values_list("pk", flat=True))
    assert count == len(built)
    assert built
    assert set(built) <= resettlement  # the High Risk agenda, where nothing of this child changed, is left alone


def test_a_second_refresh_with_nothing_changed_rebuilds_nothing(service_agendas):
    world = service_agendas
    confirm_address(world)
    agendas_refresh_child(service_id=world.service.pk, child_id=world.child.pk)
    assert agendas_refresh_child(service_id=world.service.pk, child_id=world.child.pk) == 0


def test_a_refresh_reads_a_constant_number_of_rows_whatever_the_number_of_children(
        service_agendas, django_assert_max_num_queries):
    world = service_agendas
    with django_assert_max_num_queries(40):
        agendas_refresh_child(service_id=world.service.pk, child_id=world.child.pk)
