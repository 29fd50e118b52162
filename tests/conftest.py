"""Shared fixtures: a small service with personas for every access rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from panels.enums import AgencyKind, LegalStatus, MeetingStatus, MembershipRole, UserRole
from tests.factories import (
    AgencyFactory,
    ChildFactory,
    EpisodeFactory,
    InviteeFactory,
    MeetingFactory,
    MembershipFactory,
    PanelFactory,
    UserFactory,
)


@dataclass
class World:
    service: object
    other_service: object
    yoi: object
    stc: object
    probation: object
    police: object
    panel: object
    meeting: object
    draft_meeting: object
    child: object  # held at the YOI, case-managed by case_manager
    other_child: object  # held at the STC, another case manager
    users: dict


PERSONAS = [
    "coordinator", "chair", "case_manager", "other_case_manager", "invited_partner", "uninvited_partner",
    "invited_yoi", "invited_stc", "outsider", "anonymous",
]


@pytest.fixture
def world(db) -> World:
    service = AgencyFactory(name="Northbridge Youth Justice Service", kind=AgencyKind.YJS)
    other_service = AgencyFactory(name="Southmere Youth Justice Service", kind=AgencyKind.YJS)
    yoi = AgencyFactory(name="HMYOI Larkhollow", short_name="Larkhollow", kind=AgencyKind.SECURE_ESTATE,
                        establishment_type="yoi")
    stc = AgencyFactory(name="Fenmoor Secure Training Centre", kind=AgencyKind.SECURE_ESTATE, establishment_type="stc")
    probation = AgencyFactory(name="Probation Service", kind=AgencyKind.PROBATION)
    police = AgencyFactory(name="Northbridge Police", kind=AgencyKind.POLICE)
    users = {
        "coordinator": UserFactory(username="coordinator", agency=service, role=UserRole.COORDINATOR),
        "chair": UserFactory(username="chair", agency=service, role=UserRole.PRACTITIONER),
        "case_manager": UserFactory(username="cm", agency=service, role=UserRole.CASE_MANAGER),
        "other_case_manager": UserFactory(username="cm2", agency=service, role=UserRole.CASE_MANAGER),
        "invited_partner": UserFactory(username="probation", agency=probation, role=UserRole.PARTNER),
        "uninvited_partner": UserFactory(username="police", agency=police, role=UserRole.PARTNER),
        "invited_yoi": UserFactory(username="yoi", agency=yoi, role=UserRole.PARTNER),
        "invited_stc": UserFactory(username="stc", agency=stc, role=UserRole.PARTNER),
        "outsider": UserFactory(username="outsider", agency=other_service, role=UserRole.MANAGER),
    }
    panel = PanelFactory(service=service, name="High Risk Panel")
    MembershipFactory(panel=panel, user=users["chair"], role=MembershipRole.CHAIR)
    meeting = MeetingFactory(panel=panel, status=MeetingStatus.SCHEDULED)
    draft = MeetingFactory(panel=panel, status=MeetingStatus.DRAFT,
                           starts_at=meeting.starts_at + timedelta(days=28),
                           ends_at=meeting.ends_at + timedelta(days=28))
    for key in ("invited_partner", "invited_yoi", "invited_stc"):
        InviteeFactory(meeting=meeting, user=users[key])
        InviteeFactory(meeting=draft, user=users[key])
    child = ChildFactory(service=service, reference="YJ-0001", case_manager=users["case_manager"],
                         legal_status=LegalStatus.SENTENCED)
    EpisodeFactory(child=child, establishment=yoi, establishment_type="yoi")
    other_child = ChildFactory(service=service, reference="YJ-0002", case_manager=users["other_case_manager"],
                               legal_status=LegalStatus.SENTENCED)
    EpisodeFactory(child=other_child, establishment=stc, establishment_type="stc")
    return World(service, other_service, yoi, stc, probation, police, panel, meeting, draft, child, other_child,
                 users)


@pytest.fixture
def login(client):
    """Sign a persona in on the test client (``anonymous`` signs nobody in)."""

    def _login(world: World, persona: str):
        client.logout()
        if persona != "anonymous":
            client.force_login(world.users[persona])
        return client

    return _login


@pytest.fixture(scope="session", autouse=True)
def _release_test_database(django_db_setup, django_db_blocker):
    """PostgreSQL shape: before the test database is dropped, end the sessions that worker threads of
    async tests may still hold (asgiref runs sync code in threads whose connections outlive the test)."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
