"""Free text the chair writes for everyone is checked for children before it is saved (issue 15, point 10)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agendas import services as agenda_services
from agendas.freetext import children_named
from agendas.models import AgendaVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(world):
    for child in (world.child, world.other_child):
        agenda_services.agenda_child_add(meeting=world.meeting, child=child, reason="Risk", actor=world.users["chair"])
    return world


def test_a_note_naming_a_child_by_reference_name_or_family_name_is_found(world):
    child = world.other_child
    for text in (f"Note {child.reference.lower()} moved", f"{child.given_name} {child.family_name} moved",
                 f"The {child.family_name} placement"):
        assert children_named(text, service_id=world.service.pk) == [child], text
    assert children_named("Two new referrals this month.", service_id=world.service.pk) == []


def test_a_publish_note_naming_a_child_is_refused_saying_which_child_and_who_would_read_it(listed, client):
    client.force_login(listed.users["chair"])
    note = f"{listed.other_child.reference} has moved to Fenmoor."
    response = client.post(reverse("agenda_publish", args=[listed.meeting.pk]), {"note": note})
    assert response.status_code == 400
    page = response.content.decode()
    assert not AgendaVersion.objects.filter(meeting=listed.meeting).exists()
    assert "govuk-error-summary" in page and f"The note names {listed.other_child.reference}" in page
    hidden = page.split(f"Not entitled to see {listed.other_child.reference}:", 1)[1].split(".", 1)[0]
    assert "Larkhollow" in hidden  # the YOI may not see the child held at the STC
    assert f'value="{note}"' in page  # what the chair typed is kept


def test_the_chair_may_publish_the_note_once_confirmed(listed, client):
    client.force_login(listed.users["chair"])
    note = f"{listed.other_child.reference} has moved to Fenmoor."
    client.post(reverse("agenda_publish", args=[listed.meeting.pk]), {"note": note, "note_checked": "on"})
    assert AgendaVersion.objects.get(meeting=listed.meeting).note == note


def test_a_note_naming_no_child_is_published_at_once(listed, client):
    client.force_login(listed.users["chair"])
    client.post(reverse("agenda_publish", args=[listed.meeting.pk]), {"note": "Two referrals added."})
    assert AgendaVersion.objects.get(meeting=listed.meeting).note == "Two referrals added."


def test_a_partner_sees_changes_only_about_children_it_may_see(listed, client):
    chair = listed.users["chair"]
    agenda_services.agenda_publish(meeting=listed.meeting, actor=chair)
    agenda_services.agenda_child_remove(meeting=listed.meeting, child=listed.other_child, reason="Moved",
                                        actor=chair)
    agenda_services.agenda_publish(meeting=listed.meeting, actor=chair)
    client.force_login(listed.users["invited_yoi"])
    page = client.get(reverse("meeting_agenda", args=[listed.meeting.pk])).content.decode()
    assert listed.other_child.reference not in page
