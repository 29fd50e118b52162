"""The child's page in version 2: a remand to local-authority accommodation is not shown as custody; the
release address and the statutory meetings recorded as held are shown in plain words."""

from __future__ import annotations

from datetime import date

import pytest

from panels.keydates import key_dates
from tests.factories import EpisodeFactory

RECORD = {"date_of_birth": date(2011, 2, 3), "custody_entry_date": date(2026, 11, 2)}


def test_a_local_authority_remand_is_a_placement_not_custody_in_the_key_dates():
    labels = {k.label for k in key_dates({**RECORD, "sentence_type": "remand_la"})}
    assert "Placed in local-authority accommodation" in labels and "Entered custody" not in labels
    assert "Entered custody" in {k.label for k in key_dates({**RECORD, "sentence_type": "remand_yda"})}


def test_meetings_recorded_as_held_are_key_dates():
    labels = {k.label: k.on for k in key_dates({**RECORD, "ipm_held_on": date(2026, 11, 9),
                                                "ete_interview_on": date(2027, 1, 4)})}
    assert labels["Initial planning meeting held"] == date(2026, 11, 9)
    assert labels["Education, training or employment interview"] == date(2027, 1, 4)


@pytest.mark.django_db
def test_the_child_page_shows_a_local_authority_remand_and_the_release_address(world, client):
    child = world.child
    child.episodes.all().delete()
    EpisodeFactory(child=child, kind="remand", start_date=date(2026, 11, 2), custody_entry_date=date(2026, 11, 2),
                   sentence_type="remand_la")
    child.legal_status, child.release_address_status = "remand", "proposed"
    child.save()
    client.force_login(world.users["coordinator"])
    body = client.get(f"/children/{child.pk}/").content.decode()
    assert "Placed in local-authority accommodation" in body and "Entered custody" not in body
    assert "Release address" in body and "Proposed" in body
