"""The reminder and escalation ladder, day by day with a frozen clock; the job's idempotence; real SMTP."""

from __future__ import annotations

import socket
from datetime import date, timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from minutes import services as minutes_services
from minutes.models import Action
from notifications.ladder import Ladder, steps_due
from notifications.models import ActionNotice, OutboxMessage, ReminderPolicy
from notifications.outbox import outbox_deliver
from notifications.reminders import action_escalate_to_lead, reminders_run
from panels.enums import MeetingStatus
from tests.factories import UserFactory

DUE = date(2026, 12, 10)


# --- the pure ladder -------------------------------------------------------------------------------
def test_the_default_ladder_day_by_day():
    ladder = Ladder()
    seen = {}
    for offset in range(-5, 15):
        today = DUE + timedelta(days=offset)
        for step in steps_due(DUE, today, ladder, done=set(seen)):
            seen[step] = offset
    assert seen == {"reminder": -3, "due": 0, "overdue_owner": 1, "overdue_manager": 5, "overdue_chair": 10}


def test_ladder_settings_are_checked_and_name_the_field():
    ladder, errors = Ladder.from_dict({"remind_before_days": "3", "chair_after_days": 4, "colour": 1})
    assert ladder is None
    assert errors == ["remind_before_days: must be a whole number of days from 0 to 90, not '3'",
                      "colour: is not a reminder setting"]
    _, errors = Ladder.from_dict({"manager_after_days": 12})
    assert errors == ["owner_after_days < manager_after_days < chair_after_days: each escalation comes later"]
    assert Ladder.from_dict({"remind_on_due": False, "remind_before_days": 0})[0].schedule(DUE)[0][0] == "overdue_owner"


def test_rag():
    def rag(due, today):
        return Action(due_date=due, status="open").rag(today)

    assert [rag(DUE, DUE + timedelta(1)), rag(DUE, DUE - timedelta(7)), rag(DUE, DUE - timedelta(8))] == [
        "red", "amber", "green"]


# --- the job ---------------------------------------------------------------------------------------
@pytest.fixture
def actions(world):
    """An action owned by a probation officer (with a line manager), one owned only by an agency."""
    w = world
    w.meeting.status = MeetingStatus.IN_PROGRESS
    w.meeting.save()
    w.meeting.starts_at = w.meeting.starts_at.replace(year=2026, month=11, day=26)
    w.meeting.ends_at = w.meeting.starts_at + timedelta(hours=2)
    w.meeting.save()
    w.users["chair"].email = "chair@yjs.example"
    w.users["chair"].save()
    officer = w.users["invited_partner"]
    officer.email = "officer@probation.example"
    officer.line_manager = UserFactory(username="spo", agency=w.probation, email="spo@probation.example")
    officer.save()
    w.police.email = "actions@police.example"
    w.police.save()
    owned = minutes_services.action_create(
        meeting=w.meeting, actor=w.users["chair"], child=w.child, description="Confirm the release address",
        owner_agency=w.probation, owner=officer, due_date=DUE)
    agency_only = minutes_services.action_create(
        meeting=w.meeting, actor=w.users["chair"], child=w.other_child, description="Share the risk assessment",
        owner_agency=w.police, due_date=DUE)
    OutboxMessage.objects.update(status="sent")  # the "action given to you" emails went at the meeting
    return w, owned, agency_only


def _run(day: date):
    mail.outbox.clear()
    return reminders_run(today=day)


@pytest.mark.django_db
def test_the_whole_ladder_day_by_day_and_nothing_is_sent_twice(actions):
    w, owned, agency_only = actions
    sent: dict[int, list[tuple[str, list[str]]]] = {}
    for offset in range(-6, 14):
        day = DUE + timedelta(days=offset)
        _run(day)
        for message in sorted(mail.outbox, key=lambda m: m.to):
            sent.setdefault(offset, []).append((message.subject, message.to))
        assert not _run(day).steps_recorded and not mail.outbox  # the same day again: nothing new
    assert sent[-3] == [("Convene: an action is due soon", ["actions@police.example"]),
                        ("Convene: an action is due soon", ["officer@probation.example"])]
    assert [to for _, to in sent[0]] == [["actions@police.example"], ["officer@probation.example"]]
    assert sent[1][1] == ("Convene: an action you hold is overdue", ["officer@probation.example"])
    # manager step: the officer's line manager; the agency's mailbox when there is no person
    assert sorted(to[0] for _, to in sent[5]) == ["actions@police.example", "spo@probation.example"]
    # the chair has not opted in to a digest: one email per action
    assert sent[10] == [("Convene: an action has been escalated to you", ["chair@yjs.example"])] * 2
    assert set(sent) == {-3, 0, 1, 5, 10}
    steps = list(ActionNotice.objects.filter(action=owned).values_list("step", flat=True))
    assert steps == ["reminder", "due", "overdue_owner", "overdue_manager", "overdue_chair"]


@pytest.mark.django_db
def test_no_subject_names_a_child_and_bodies_carry_only_the_reference(actions):
    w, owned, _ = actions
    for offset in range(-3, 11):
        _run(DUE + timedelta(days=offset))
        for message in mail.outbox:
            for identifier in (w.child.reference, w.child.given_name, w.child.family_name, w.other_child.reference,
                               w.other_child.given_name, w.other_child.family_name):
                assert identifier not in message.subject
            assert w.child.family_name not in message.body and w.other_child.family_name not in message.body


@pytest.mark.django_db
def test_a_late_run_records_every_missed_step_but_sends_only_the_highest(actions):
    w, owned, _ = actions
    summary = _run(DUE + timedelta(days=6))  # the job did not run for a week
    assert summary.superseded == 6 and summary.by_step["overdue_manager"] == 2
    to_officer = [m for m in mail.outbox if m.to == ["officer@probation.example"]]
    assert not to_officer  # not reminded of what is already escalated past them
    assert ActionNotice.objects.filter(action=owned, superseded=True).count() == 3


@pytest.mark.django_db
def test_digest_opt_in_gives_one_email_a_day(actions):
    w, owned, _ = actions
    officer = w.users["invited_partner"]
    officer.digest_emails = True
    officer.save()
    minutes_services.action_create(meeting=w.meeting, actor=w.users["chair"], child=w.child,
                                   description="Book the probation induction", owner_agency=w.probation,
                                   owner=officer, due_date=DUE)
    _run(DUE)
    to_officer = [m for m in mail.outbox if m.to == ["officer@probation.example"]]
    assert len(to_officer) == 1 and to_officer[0].subject == "Convene: 2 actions need your attention"
    assert to_officer[0].body.count("Open it: http") == 2


@pytest.mark.django_db
def test_moving_the_due_date_starts_a_new_ladder_and_closing_stops_it(actions):
    w, owned, agency_only = actions
    _run(DUE + timedelta(days=1))
    request = minutes_services.due_date_request(action=owned, actor=w.users["invited_partner"],
                                                new_due_date=DUE + timedelta(days=14), reason="Housing panel on 20th")
    minutes_services.due_date_decide(request=request, actor=w.users["chair"], agree=True)
    assert _run(DUE + timedelta(days=5)).by_step == {"overdue_manager": 1}  # only the agency-owned one climbs on
    assert _run(DUE + timedelta(days=11)).by_step == {"reminder": 1, "overdue_chair": 1}  # the new ladder: 21st
    owned.refresh_from_db()
    minutes_services.action_update_status(action=owned, actor=w.users["invited_partner"], status="done",
                                          expected_version=owned.version, evidence="Tenancy reference T-1")
    assert _run(DUE + timedelta(days=15)).steps_recorded == 0  # done: its ladder stops


@pytest.mark.django_db
def test_a_panels_own_ladder_is_used(actions):
    w, owned, _ = actions
    ReminderPolicy.objects.create(panel=w.panel, settings={"remind_before_days": 7, "remind_on_due": False})
    assert _run(DUE - timedelta(days=7)).by_step == {"reminder": 2}
    assert _run(DUE).steps_recorded == 0


@pytest.mark.django_db
def test_the_chair_escalates_to_the_strategic_lead(actions, django_capture_on_commit_callbacks):
    w, owned, _ = actions
    with pytest.raises(Exception, match="no strategic lead"):
        action_escalate_to_lead(action=owned, actor=w.users["chair"], note="Please raise with the housing lead")
    w.panel.strategic_lead = UserFactory(username="lead", agency=w.service, email="lead@yjs.example")
    w.panel.save()
    with pytest.raises(Exception, match="Only the panel's chair"):
        action_escalate_to_lead(action=owned, actor=w.users["invited_partner"], note="x")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notice = action_escalate_to_lead(action=owned, actor=w.users["chair"], note="Please raise with housing")
    assert notice.step == "strategic_lead" and [m.to for m in mail.outbox] == [["lead@yjs.example"]]


@pytest.mark.django_db
def test_the_command_reports_and_checks_its_date(actions, capsys):
    call_command("send_reminders", "--date", (DUE - timedelta(days=3)).isoformat())
    assert "2 steps recorded" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--date: '10/12/2026' is not a date"):
        call_command("send_reminders", "--date", "10/12/2026")


# --- real SMTP -------------------------------------------------------------------------------------
class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db
def test_over_real_smtp_a_refused_send_waits_in_the_outbox_and_goes_once(actions, settings):
    w, owned, _ = actions
    port = _free_port()
    settings.OUTBOX_TRANSPORT_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    day = DUE - timedelta(days=3)
    summary = reminders_run(today=day)  # nobody listening: recorded and queued, not delivered
    assert summary.steps_recorded == 2 and summary.emails_queued == 2 and summary.emails_sent == 0
    waiting = OutboxMessage.objects.filter(kind="reminder")
    assert {m.status for m in waiting} == {"retrying"} and {m.attempts for m in waiting} == {1}
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert reminders_run(today=day).emails_queued == 0  # the job does not queue them again
        assert outbox_deliver(now=timezone.now() + timedelta(minutes=2)).sent == 2
        assert sorted(e.rcpt_tos[0] for e in inbox.messages) == ["actions@police.example",
                                                                 "officer@probation.example"]
        assert outbox_deliver(now=timezone.now() + timedelta(hours=2)).sent == 0  # never twice
        assert len(inbox.messages) == 2
    finally:
        controller.stop()
    assert not Action.objects.filter(status="cancelled").exists()


@pytest.mark.django_db
def test_a_user_opts_in_to_the_daily_digest(world, login):
    client = login(world, "invited_partner")
    assert client.get("/accounts/emails/").status_code == 200
    client.post("/accounts/emails/", {"digest": "yes"})
    world.users["invited_partner"].refresh_from_db()
    assert world.users["invited_partner"].digest_emails is True
    client.logout()
    assert client.get("/accounts/emails/").status_code == 302


@pytest.mark.django_db
def test_the_celery_task_runs_the_same_job(actions):
    from notifications.tasks import reminders_daily

    result = reminders_daily.apply().get()
    assert set(result) == {"checked", "recorded", "emails"}
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["reminders-daily"]["task"] == reminders_daily.name


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["coordinator", "chair", "case_manager", "invited_partner", "outsider",
                                     "anonymous"])
def test_reminder_settings_are_for_the_panels_managers(world, login, persona, django_assert_max_num_queries):
    client = login(world, persona)
    url = f"/panels/{world.panel.pk}/reminders/"
    with django_assert_max_num_queries(10):
        response = client.get(url)
    if persona == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == (200 if persona in ("coordinator", "chair") else 404)
    if response.status_code != 200:
        return
    bad = client.post(url, {"remind_before_days": 3, "remind_on_due": "on", "owner_after_days": 5,
                            "manager_after_days": 5, "chair_after_days": 10})
    assert "each escalation comes later" in bad.content.decode()
    client.post(url, {"remind_before_days": 7, "owner_after_days": 2, "manager_after_days": 6,
                      "chair_after_days": 14})
    ladder = ReminderPolicy.objects.get(panel=world.panel).ladder
    assert (ladder.remind_before_days, ladder.remind_on_due, ladder.chair_after_days) == (7, False, 14)


@pytest.mark.django_db
def test_with_the_clock_frozen_the_command_walks_the_ladder(actions, capsys):
    import time_machine
    from django.utils import timezone

    steps = []
    for offset in (-3, 0, 1, 5, 10):
        with time_machine.travel(timezone.make_aware(timezone.datetime.combine(DUE + timedelta(days=offset),
                                                                              timezone.datetime.min.time())
                                                     ).replace(hour=7), tick=False):
            call_command("send_reminders")
            steps.append(capsys.readouterr().out.split(";")[1].strip())
    assert steps == ["2 steps recorded (0 superseded, 0 with nobody to tell)"] * 5
