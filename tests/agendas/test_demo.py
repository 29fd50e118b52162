"""The demo service: realistic, fictional, idempotent, and every panel has work."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from agendas.models import AgendaItem, AgendaVersion
from panels.models import Agency, Child, Meeting, Panel, User

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_a_service_with_work_for_every_panel_and_is_idempotent(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "Demo logins" in out and "chair" in out
    counts = (Agency.objects.count(), User.objects.count(), Panel.objects.count(), Child.objects.count(),
              Meeting.objects.count(), AgendaVersion.objects.count())
    assert counts[0] >= 12 and counts[1] >= 25 and counts[2] == 5 and counts[3] == 66
    for panel in Panel.objects.all():
        items = AgendaItem.objects.filter(meeting__panel=panel, state=AgendaItem.State.LISTED)
        assert items.exists(), f"{panel.name} has no work"
    assert AgendaItem.objects.filter(late=True).exists(), "the demo shows LATE items"
    upcoming = AgendaVersion.objects.filter(meeting__status="scheduled")
    assert upcoming.count() == 5  # the next meeting of each panel is published
    call_command("seed_demo", "--quiet-logins")
    again = (Agency.objects.count(), User.objects.count(), Panel.objects.count(), Child.objects.count(),
             Meeting.objects.count(), AgendaVersion.objects.count())
    assert again == counts


def test_the_demo_shows_release_addresses_and_ete(capsys):
    """Issue 16: a child with no address four weeks before release; address histories; ETE on release."""
    from datetime import timedelta

    from django.utils import timezone

    from panels.models import ReleaseAddressChange, ReleaseEte

    call_command("seed_demo")
    no_address = Child.objects.get(reference="NB-2001")
    assert no_address.release_address_status == "none"
    release = no_address.episodes.get(is_current=True, kind="sentence").release_date
    assert release == timezone.localdate() + timedelta(days=28)
    assert ReleaseAddressChange.objects.filter(status="confirmed", source="page").exists()
    assert ReleaseAddressChange.objects.filter(fell_through=True).exists()
    assert ReleaseEte.objects.exclude(provider="").count() >= 3
    assert Child.objects.filter(legal_status="released", ete_interview_on__isnull=False).exists()
