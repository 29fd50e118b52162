"""The chair's inbox (issue 15, point 6): referrals, correction requests and due-date requests reach the chair
under Notifications with a count, by email at once, or in the next morning's digest for a chair who chose it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agendas import services as agenda_services
from minutes import services as minutes_services
from notifications.models import Notification, OutboxMessage
from panels.enums import MeetingStatus

pytestmark = pytest.mark.django_db


def _chair_mail(world):
    return OutboxMessage.objects.filter(to=world.users["chair"].email).exclude(status="superseded")


def test_a_referral_reaches_the_chair_as_a_notice_and_an_email(world, client):
    agenda_services.referral_create(panel=world.panel, child=world.child, reason="Release soon",
                                    actor=world.users["case_manager"])
    notice = Notification.objects.get(user=world.users["chair"])
    assert "referral to High Risk Panel" in notice.title and notice.url == reverse("panel_referrals",
                                                                                    args=[world.panel.pk])
    mail = _chair_mail(world).get()
    assert mail.not_before <= timezone.now() and reverse("panel_referrals", args=[world.panel.pk]) in mail.body_text
    client.force_login(world.users["chair"])
    page = client.get(reverse("home")).content.decode()
    assert 'convene-count">1<' in page


def test_a_chair_who_chose_the_digest_gets_one_message_next_morning_listing_everything(world):
    chair = world.users["chair"]
    chair.digest_emails = True
    chair.save()
    agenda_services.referral_create(panel=world.panel, child=world.child, reason="Release soon",
                                    actor=world.users["case_manager"])
    agenda_services.referral_create(panel=world.panel, child=world.other_child, reason="Exploitation",
                                    actor=world.users["other_case_manager"])
    mail = _chair_mail(world).get()
    assert mail.not_before > timezone.now() and timezone.localtime(mail.not_before).hour == 7
    assert "2 thing(s) wait for your decision" in mail.body_text


def test_due_date_and_correction_requests_reach_the_chair(world):
    chair = world.users["chair"]
    held = world.meeting
    held.status = MeetingStatus.IN_PROGRESS
    held.save()
    action = minutes_services.action_create(meeting=held, actor=chair, child=world.child, description="Visit",
                                            owner_agency=world.yoi, owner=world.users["invited_yoi"],
                                            due_date=held.local_date + timedelta(days=7))
    minutes_services.due_date_request(action=action, actor=world.users["invited_yoi"], reason="Delayed",
                                      new_due_date=action.due_date + timedelta(days=14))
    held.status = MeetingStatus.CLOSED
    held.save()
    revision = minutes_services.minutes_approve(meeting=held, actor=chair)
    minutes_services.correction_request(revision=revision, actor=world.users["invited_partner"], text="Tuesday.")
    titles = list(Notification.objects.filter(user=chair).values_list("title", flat=True))
    assert any("new due date" in t for t in titles) and any("correction" in t for t in titles)


def test_the_inbox_has_a_registry_for_other_requests():
    from notifications.inbox import INBOX_SOURCES

    assert {"agendas.referral.created", "minutes.event:correction.requested",
            "minutes.event:action.date_requested"} <= set(INBOX_SOURCES)
