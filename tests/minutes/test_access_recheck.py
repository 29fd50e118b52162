"""The access recheck of live-minutes sockets listens to events the services emit (``panels.events.AccessChanged``),
not to model signals: each service that changes an invitation, a membership or a user asks that user's sockets to
check their access again, and a bulk write with no service behind it asks nothing."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from agendas import services as agenda_services
from minutes.handlers import user_group
from panels import accounts
from panels import services as panel_services
from panels.enums import UserRole
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
RECHECK = {"type": "access.recheck"}


@pytest.fixture
def listening():
    """Subscribe a channel to a user's group; ``heard()`` says whether a recheck arrived for them."""
    layer = get_channel_layer()

    def listen(user):
        channel = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(user_group(user.pk), channel)

        def heard() -> bool:
            try:
                return async_to_sync(asyncio.wait_for)(layer.receive(channel), 2) == RECHECK
            except TimeoutError:
                return False

        return heard

    return listen


def test_withdrawing_an_invitation_rechecks_the_invitees_sockets(world, listening,
                                                                   django_capture_on_commit_callbacks):
    partner = world.users["invited_partner"]
    heard = listening(partner)
    invitee = world.meeting.invitees.get(user=partner)
    with django_capture_on_commit_callbacks(execute=True):
        panel_services.invitee_remove(invitee=invitee, actor=world.users["chair"])
    assert heard()


def test_inviting_someone_rechecks_their_sockets(world, listening, django_capture_on_commit_callbacks):
    police = world.users["uninvited_partner"]
    heard = listening(police)
    with django_capture_on_commit_callbacks(execute=True):
        panel_services.invitee_add(meeting=world.meeting, actor=world.users["chair"], name="PC Police",
                                   email=police.email, user=police)
    assert heard()


def test_withdrawing_a_slot_invitation_rechecks_the_invitees_sockets(world, listening,
                                                                      django_capture_on_commit_callbacks):
    chair = world.users["chair"]
    agenda_services.agenda_child_add(meeting=world.meeting, child=world.child, reason="Risk", actor=chair)
    item = world.meeting.agenda_items.get(child=world.child)
    police = world.users["uninvited_partner"]
    link = agenda_services.item_invitation_add(item=item, actor=chair, name="PC Police", email=police.email)
    heard = listening(police)
    with django_capture_on_commit_callbacks(execute=True):
        agenda_services.item_invitation_remove(link=link, actor=chair)
    assert heard()


def test_deactivating_a_user_through_the_service_rechecks_their_sockets(world, listening,
                                                                        django_capture_on_commit_callbacks):
    manager = UserFactory(username="probation-manager", agency=world.probation, role=UserRole.MANAGER)
    partner = world.users["invited_partner"]
    heard = listening(partner)
    with django_capture_on_commit_callbacks(execute=True):
        accounts.user_set_active(admin=manager, user_id=partner.pk, active=False)
    assert heard()
