"""Issue 15, point 7, on the agenda page: withdrawing a slot invitation asks first; a refused form comes back
with the input kept, its section open and an error summary linking each message to its field; limits are
stated next to the field and named in the error."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from agendas import services
from agendas.models import AgendaItem, ItemInvitation

pytestmark = pytest.mark.django_db

OUTSIDERS = ("case_manager", "invited_partner", "uninvited_partner", "invited_yoi", "outsider")


@pytest.fixture
def listed(world):
    services.agenda_child_add(meeting=world.meeting, child=world.child, reason="Risk", actor=world.users["chair"])
    world.item = AgendaItem.objects.get(meeting=world.meeting, child=world.child)
    return world


@pytest.fixture
def slot_link(listed):
    return services.item_invitation_add(item=listed.item, actor=listed.users["chair"], name="Sam Teacher",
                                        email="teacher@school.example")


def summary_links(html: str) -> list[str]:
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="#([^"]+)"', summary)


def html_ids(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def withdraw_url(w, link):
    return reverse("agenda_slot_uninvite", args=[w.meeting.pk, w.item.pk, link.pk])


# --- withdrawing a slot invitation ---------------------------------------------------------------------
def test_withdrawing_a_slot_invitation_shows_what_will_happen(listed, slot_link, login):
    response = login(listed, "chair").get(withdraw_url(listed, slot_link))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Withdraw Sam Teacher&#39;s invitation for YJ-0001&#39;s slot?" in html
    assert "is sent a cancellation for this slot" in html


def test_withdrawing_without_confirming_keeps_the_invitation(listed, slot_link, login):
    login(listed, "chair").post(withdraw_url(listed, slot_link))
    assert ItemInvitation.objects.filter(pk=slot_link.pk).exists()


def test_withdrawing_once_confirmed_withdraws(listed, slot_link, login):
    response = login(listed, "chair").post(withdraw_url(listed, slot_link), {"confirm": "yes"})
    assert response.status_code == 302
    assert not ItemInvitation.objects.filter(pk=slot_link.pk).exists()


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_the_withdrawal_page_is_not_found_for_others(listed, slot_link, login, persona):
    assert login(listed, persona).get(withdraw_url(listed, slot_link)).status_code == 404


def test_the_withdrawal_page_reads_few_queries(listed, slot_link, login, django_assert_max_num_queries):
    client = login(listed, "chair")
    with django_assert_max_num_queries(12):
        client.get(withdraw_url(listed, slot_link))


# --- errors ----------------------------------------------------------------------------------------------
def test_a_removal_without_a_reason_comes_back_open_with_a_linked_summary(listed, login):
    response = login(listed, "chair").post(reverse("agenda_remove", args=[listed.meeting.pk, listed.item.pk]),
                                           {"reason": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert summary_links(html) == [f"remove-{listed.item.pk}-reason"]
    assert f"remove-{listed.item.pk}-reason" in html_ids(html)
    assert '<details class="govuk-details" open>' in html


def test_a_slot_invitation_refused_keeps_what_was_typed(listed, login):
    response = login(listed, "chair").post(reverse("agenda_slot_invite", args=[listed.meeting.pk, listed.item.pk]),
                                           {"name": "Pat Nurse", "email": "pat at health"})
    html = response.content.decode()
    assert response.status_code == 400
    assert summary_links(html) == [f"slot-{listed.item.pk}-email"]
    assert 'value="Pat Nurse"' in html
    assert 'value="pat at health"' in html


def test_a_reason_over_its_limit_is_named_not_called_missing(listed, login):
    response = login(listed, "chair").post(reverse("agenda_add", args=[listed.meeting.pk]),
                                           {"reference": listed.other_child.reference, "reason": "x" * 10_000})
    html = response.content.decode()
    assert "The reason must be 500 characters or fewer (it has 10,000)." in html
    assert "Give a reason" not in html
    assert f'value="{listed.other_child.reference}"' in html


def test_an_unknown_child_is_named_on_its_field(listed, login):
    response = login(listed, "chair").post(reverse("agenda_add", args=[listed.meeting.pk]),
                                           {"reference": "YJ-9999", "reason": "Referred"})
    assert summary_links(response.content.decode()) == ["add-reference"]


def test_a_slot_refused_keeps_its_input(listed, login):
    response = login(listed, "chair").post(reverse("agenda_slot", args=[listed.meeting.pk, listed.item.pk]),
                                           {"version": listed.item.version, "slot_start": "25:99",
                                            "slot_minutes": "15"})
    html = response.content.decode()
    assert summary_links(html) == [f"slot-{listed.item.pk}-slot_start"]
    assert 'value="25:99"' in html


def test_every_free_text_field_on_the_agenda_states_its_limit(listed, login):
    html = login(listed, "chair").get(reverse("meeting_agenda", args=[listed.meeting.pk])).content.decode()
    pk = listed.item.pk
    for field, limit in (("add-reference", "40"), ("add-reason", "500"), ("publish-note", "500"),
                         (f"slot-{pk}-name", "200"), (f"remove-{pk}-reason", "500")):
        hint = html.split(f'id="{field}-hint"', 1)[1].split("</div>", 1)[0]
        assert f"Up to {limit} characters." in hint
