"""Fixtures shared by the oversight tests (reports, their background rows, the board pack)."""

from __future__ import annotations

import pytest

from panels.enums import UserRole
from tests.factories import UserFactory


@pytest.fixture
def manager(world):
    """A manager of the service: reads its oversight reports."""
    return UserFactory(username="manager", agency=world.service, role=UserRole.MANAGER)


@pytest.fixture
def eager(settings):
    """The production shape's path through Celery, run eagerly (no broker in tests)."""
    settings.JOBS_BACKEND = "celery"
