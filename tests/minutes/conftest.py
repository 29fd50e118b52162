"""Fixtures for the minutes tests."""

from __future__ import annotations

import pytest

from agendas import services as agenda_services
from panels.enums import MeetingStatus


@pytest.fixture
def live(world):
    """The meeting in progress, with both children on its agenda."""
    chair = world.users["chair"]
    for child in (world.child, world.other_child):
        agenda_services.agenda_child_add(meeting=world.meeting, child=child, reason="Risk", actor=chair)
    world.meeting.status = MeetingStatus.IN_PROGRESS
    world.meeting.save()
    return world
