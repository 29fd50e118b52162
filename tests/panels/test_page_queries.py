"""Query-count guards: list pages cost the same whatever the number of rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from panels.enums import LegalStatus
from tests.factories import ChildFactory, EpisodeFactory, InviteeFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def grow(world, n: int):
    for i in range(n):
        # an explicit reference: the factory's sequence gives YJ-0002, the world's own child, when this runs first
        child = ChildFactory(service=world.service, case_manager=world.users["case_manager"],
                             legal_status=LegalStatus.SENTENCED, reference=f"YJ-G{i:03d}")
        EpisodeFactory(child=child, establishment=world.yoi)
        meeting = MeetingFactory(panel=world.panel, starts_at=world.meeting.starts_at + timedelta(days=60 + i),
                                 ends_at=world.meeting.ends_at + timedelta(days=60 + i))
        InviteeFactory(meeting=meeting, user=world.users["invited_partner"])


@pytest.mark.parametrize(
    ("persona", "url_name", "args"),
    [
        ("coordinator", "home", []),
        ("case_manager", "home", []),
        ("invited_partner", "home", []),
        ("coordinator", "panel_list", []),
        ("coordinator", "panel_detail", ["panel"]),
        ("coordinator", "meeting_list", []),
        ("invited_partner", "meeting_list", []),
        ("coordinator", "child_list", []),
        ("case_manager", "child_list", []),
        ("coordinator", "agency_list", []),
        ("coordinator", "cohort_import_list", []),
        ("coordinator", "cohort_export", []),
    ],
)
def test_list_pages_use_a_constant_number_of_queries(world, client, persona, url_name, args):
    client.force_login(world.users[persona])
    url = reverse(url_name, args=[getattr(world, a).pk for a in args])
    client.get(url)  # warm caches (content types, session)
    small = count(client, url)
    grow(world, 6)
    assert count(client, url) == small


def test_detail_pages_have_a_query_budget(world, client):
    client.force_login(world.users["coordinator"])
    assert count(client, reverse("meeting_detail", args=[world.meeting.pk])) <= 8
    # 8, and the resettlement record: network, pathways, plan rows, the own words and Y2A reason (one query each)
    # 12: the resettlement record (network, plan, Y2A) and the cohort v2 key dates (held meetings, release address)
    # 17: the statutory meetings (issue 16 point 2: the child's meetings, the service's panels for the due ones), the
    # release address and ETE (the history, the ETE row, the panels' rule settings: issue 16, point 4); a constant
    # 18: and the steps of the escalation of missed statutory timescales (notifications' child page part, 1)
    assert count(client, reverse("child_detail", args=[world.child.pk])) <= 18
