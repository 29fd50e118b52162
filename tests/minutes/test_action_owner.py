"""Actions owned by a named person or by an agency; no agency chosen for the chair; no dates in the past
(issue 15, point 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from minutes import services
from minutes.models import Action
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _post(client, w, **data):
    base = {"child": w.child.pk, "description": "Book a pre-release visit", "owner": "", "owner_agency": "",
            "due_date": (timezone.localdate() + timedelta(days=14)).isoformat(), "pathway": ""}
    return client.post(reverse("minutes_action_add", args=[w.meeting.pk]), {**base, **data})


def test_an_action_given_to_a_named_person_takes_their_agency(live, client):
    client.force_login(live.users["chair"])
    _post(client, live, owner=live.users["invited_yoi"].pk)
    action = Action.objects.get()
    assert action.owner == live.users["invited_yoi"] and action.owner_agency == live.yoi


def test_an_action_may_be_given_to_an_agency_with_nobody_named(live, client):
    client.force_login(live.users["chair"])
    _post(client, live, owner_agency=live.probation.pk)
    action = Action.objects.get()
    assert action.owner is None and action.owner_agency == live.probation


def test_an_action_with_no_owner_is_refused(live, client):
    client.force_login(live.users["chair"])
    response = _post(client, live)
    assert not Action.objects.exists()
    assert response.status_code == 400
    assert "Choose who owns the action" in response.content.decode()


def test_the_owner_lists_preselect_nobody(live, client):
    client.force_login(live.users["chair"])
    page = client.get(reverse("minutes_page", args=[live.meeting.pk])).content.decode()
    assert '<option value="" selected>Choose an agency</option>' in page
    assert '<option value="" selected>Nobody named</option>' in page
    assert "Invited to this meeting" in page and live.users["invited_yoi"].get_full_name() in page


def test_a_named_person_owns_an_action_only_for_their_own_agency(live):
    stranger = UserFactory(agency=live.police)
    with pytest.raises(ValidationError, match="does not work for"):
        services.action_create(meeting=live.meeting, actor=live.users["chair"], description="Visit",
                               owner_agency=live.probation, owner=stranger,
                               due_date=timezone.localdate() + timedelta(days=7))


def test_a_due_date_in_the_past_is_refused(live):
    live.meeting.starts_at = timezone.now() - timedelta(days=10)
    live.meeting.ends_at = live.meeting.starts_at + timedelta(hours=2)
    live.meeting.save()
    with pytest.raises(ValidationError, match="in the past"):
        services.action_create(meeting=live.meeting, actor=live.users["chair"], description="Visit",
                               owner_agency=live.probation, due_date=timezone.localdate() - timedelta(days=1))


def test_a_requested_due_date_in_the_past_is_refused(live):
    live.meeting.starts_at = timezone.now() - timedelta(days=30)
    live.meeting.ends_at = live.meeting.starts_at + timedelta(hours=2)
    live.meeting.save()
    action = Action.objects.create(meeting=live.meeting, child=live.child, description="Visit",
                                   owner_agency=live.probation, created_by=live.users["chair"],
                                   due_date=timezone.localdate() - timedelta(days=20))
    with pytest.raises(ValidationError, match="in the past"):
        services.due_date_request(action=action, actor=live.users["invited_partner"], reason="Delayed",
                                  new_due_date=timezone.localdate() - timedelta(days=5))
