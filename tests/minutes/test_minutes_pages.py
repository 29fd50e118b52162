"""The minutes page and its forms, for every persona; constant queries whatever the agenda's length."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agendas import services as agenda_services
from minutes.models import Action, Decision
from panels.enums import MeetingStatus
from tests.conftest import PERSONAS
from tests.factories import ChildFactory, EpisodeFactory

pytestmark = pytest.mark.django_db
VIEWERS = {"coordinator", "chair", "invited_partner", "invited_yoi", "invited_stc"}
EDITORS = {"coordinator", "chair"}


def expected(persona, allowed, ok=200):
    return 302 if persona == "anonymous" else (ok if persona in allowed else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_minutes_page_shows_only_entitled_items_and_sections(live, login, persona):
    response = login(live, persona).get(reverse("minutes_page", args=[live.meeting.pk]))
    assert response.status_code == expected(persona, VIEWERS)
    if response.status_code != 200:
        return
    body = response.content.decode()
    assert ("YJ-0001" in body) == (persona != "invited_stc")
    assert ("YJ-0002" in body) == (persona != "invited_yoi")
    assert (f'{live.meeting.pk}.{live.child.pk}.victim"' in body) == (persona in {"coordinator", "invited_partner"})
    assert ('data-editable="true"' in body) == (persona in EDITORS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_minutes_forms_are_for_minute_takers(live, login, persona):
    client = login(live, persona)
    code = expected(persona, EDITORS, ok=302)
    due = live.meeting.local_date.isoformat()
    assert client.post(reverse("minutes_decision_add", args=[live.meeting.pk]),
                       {"text": "Refer to MAPPA", "child": live.child.pk}).status_code == code
    assert client.post(reverse("minutes_action_add", args=[live.meeting.pk]),
                       {"description": "Confirm address", "owner_agency": live.probation.pk, "due_date": due,
                        "child": live.child.pk}).status_code == code
    assert client.post(reverse("minutes_attendance_add", args=[live.meeting.pk]),
                       {"name": "Sam Hartigan", "status": "present"}).status_code == code
    assert Decision.objects.exists() == Action.objects.exists() == (persona in EDITORS)
    assert client.post(reverse("minutes_approve", args=[live.meeting.pk])).status_code == code


def test_an_action_for_a_child_not_on_the_agenda_is_refused(live, login):
    stranger = ChildFactory(service=live.service)
    response = login(live, "chair").post(reverse("minutes_action_add", args=[live.meeting.pk]), {
        "description": "x", "owner_agency": live.probation.pk, "due_date": live.meeting.local_date.isoformat(),
        "child": stranger.pk})
    assert response.status_code == 404 and not Action.objects.exists()


def test_bad_action_input_is_named_and_changes_nothing(live, login):
    response = login(live, "chair").post(reverse("minutes_action_add", args=[live.meeting.pk]), {
        "description": "", "owner_agency": live.probation.pk, "due_date": "next week"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Write the action." in body
    assert "Give the due date as a date" in body
    assert not Action.objects.exists()


@pytest.mark.parametrize("persona", ["chair", "invited_yoi"])
def test_minutes_page_costs_the_same_whatever_the_agenda_length(live, client, persona):
    client.force_login(live.users[persona])
    url = reverse("minutes_page", args=[live.meeting.pk])
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    live.meeting.status = MeetingStatus.SCHEDULED
    live.meeting.save()
    for _ in range(6):
        child = ChildFactory(service=live.service)
        EpisodeFactory(child=child, establishment=live.yoi)
        agenda_services.agenda_child_add(meeting=live.meeting, child=child, reason="More", actor=live.users["chair"])
    live.meeting.status = MeetingStatus.IN_PROGRESS
    live.meeting.save()
    assert count() == small
