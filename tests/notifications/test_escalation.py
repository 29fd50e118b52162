"""Escalation of missed statutory timescales (issue 17 point 5; issue 16 point 4 for the release address): the
daily job walks each missed requirement up its panel's ladder (case manager, line manager, strategic lead),
once per step, audited, through the outbox, saying less to whoever may not see the child."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from agendas.models import AgendaItem
from agendas.services import working_calendar
from agendas.statutory import StatutoryFacts, statutory_requirements
from notifications import escalation
from notifications.escalation import escalation_run
from notifications.models import Notification, ReminderPolicy, RequirementNotice
from panels.enums import MembershipRole, PanelKind, ReleaseAddressStatus, UserRole
from panels.models import AuditEntry
from panels.release_services import release_address_record
from tests.factories import MembershipFactory, PanelFactory, UserFactory

RELEASE = date(2027, 1, 15)
SENTENCED = date(2026, 9, 15)


@pytest.fixture
def missed(world):
    """The child's release address is not confirmed; every other statutory meeting is recorded as held. Its case
    manager has a line manager (a practitioner: may not see the child); the service's resettlement panel has a
    strategic lead (a manager: sees every child of the service) and a chair."""
    w = world
    child = w.child
    child.ipm_held_on = child.first_planning_held_on = SENTENCED + timedelta(days=5)
    child.penultimate_held_on = child.final_review_held_on = SENTENCED + timedelta(days=30)
    child.release_address_status = ReleaseAddressStatus.PROPOSED
    child.save()
    episode = child.episodes.get()
    episode.custody_entry_date, episode.release_date, episode.sentence_length_months = SENTENCED, RELEASE, 8
    episode.save()
    w.other_child.ipm_held_on = SENTENCED + timedelta(days=5)
    w.other_child.save()
    cm = w.users["case_manager"]
    cm.email = "cm@yjs.example"
    cm.line_manager = UserFactory(username="teamlead", agency=w.service, role=UserRole.PRACTITIONER,
                                  email="teamlead@yjs.example")
    cm.save()
    lead = UserFactory(username="head", agency=w.service, role=UserRole.MANAGER, email="head@yjs.example")
    panel = PanelFactory(service=w.service, name="Resettlement Support Panel", kind=PanelKind.RESETTLEMENT,
                         strategic_lead=lead)
    chair = UserFactory(username="rchair", agency=w.service, role=UserRole.PRACTITIONER, email="rchair@yjs.example")
    MembershipFactory(panel=panel, user=chair, role=MembershipRole.CHAIR)
    w.users.update(lead=lead, line_manager=cm.line_manager, rchair=chair)
    w.resettlement = panel
    return w


def _due(child) -> date:
    from agendas.selectors import cohort_facts

    facts, _ = cohort_facts(service_id=child.service_id, child_ids=[child.pk])
    requirements = statutory_requirements(StatutoryFacts(facts[child.pk]), calendar=working_calendar())
    return next(r.due for r in requirements if r.code == "RS_ACCOMMODATION")


def _run(day: date):
    mail.outbox.clear()
    return escalation_run(today=day)


def _walk(w, days) -> dict[int, list[tuple[str, str]]]:
    due = _due(w.child)
    sent: dict[int, list[tuple[str, str]]] = {}
    for offset in days:
        _run(due + timedelta(days=offset))
        for message in sorted(mail.outbox, key=lambda m: m.to):
            sent.setdefault(offset, []).append((message.to[0], message.subject))
    return sent


@pytest.mark.django_db
def test_the_address_requirement_is_due_a_month_before_release(missed):
    assert _due(missed.child) == date(2026, 12, 15)


@pytest.mark.django_db
def test_only_the_missed_requirement_is_escalated(missed):
    _run(_due(missed.child) + timedelta(days=1))
    assert set(RequirementNotice.objects.values_list("child__reference", "code")) == {("YJ-0001", "RS_ACCOMMODATION")}


@pytest.mark.django_db
def test_each_step_is_sent_once_on_its_day(missed):
    sent = _walk(missed, range(-3, 20))
    assert sent == {1: [("cm@yjs.example", "Convene: a statutory timescale has been missed")],
                    5: [("teamlead@yjs.example", "Convene: a statutory timescale has been missed")],
                    10: [("head@yjs.example", "Convene: a statutory timescale has been missed")]}


@pytest.mark.django_db
def test_nothing_is_sent_on_the_due_date_itself(missed):
    assert _run(_due(missed.child)).steps_recorded == 0


@pytest.mark.django_db
def test_the_same_day_again_sends_nothing(missed):
    day = _due(missed.child) + timedelta(days=1)
    _run(day)
    again = _run(day)
    assert (again.steps_recorded, again.emails_queued, len(mail.outbox)) == (0, 0, 0)


@pytest.mark.django_db
def test_a_requirement_met_climbs_no_further(missed):
    due = _due(missed.child)
    _run(due + timedelta(days=1))
    release_address_record(child=missed.child, actor=missed.users["case_manager"],
                           status=ReleaseAddressStatus.CONFIRMED, on=due + timedelta(days=3),
                           today=due + timedelta(days=3))
    for offset in range(4, 20):
        assert _run(due + timedelta(days=offset)).steps_recorded == 0
    assert list(RequirementNotice.objects.values_list("step", flat=True)) == ["case_manager"]


@pytest.mark.django_db
def test_a_late_first_run_sends_only_the_highest_step(missed):
    _run(_due(missed.child) + timedelta(days=12))
    steps = dict(RequirementNotice.objects.values_list("step", "superseded"))
    assert steps == {"case_manager": True, "line_manager": True, "strategic_lead": False}
    assert [m.to for m in mail.outbox] == [["head@yjs.example"]]


@pytest.mark.django_db
def test_steps_missed_long_ago_are_not_recorded(missed):
    assert _run(_due(missed.child) + timedelta(days=10 + escalation.CATCH_UP_DAYS + 1)).steps_recorded == 0


@pytest.mark.django_db
def test_a_second_worker_records_and_sends_nothing_twice(missed):
    """Two runs interleaved (both record, then both hand over): the unique constraint keeps one step, the row
    lock and ``handled_at`` hand it to the outbox once."""
    day = _due(missed.child) + timedelta(days=1)
    first, second = escalation.EscalationSummary(), escalation.EscalationSummary()
    escalation._record(day, first)
    escalation._record(day, second)
    queued = escalation._hand_over(day, first) + escalation._hand_over(day, second)
    assert (RequirementNotice.objects.count(), len(queued)) == (1, 1)


@pytest.mark.django_db
def test_the_database_refuses_a_step_twice(missed):
    escalation_run(today=_due(missed.child) + timedelta(days=1))
    notice = RequirementNotice.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        RequirementNotice.objects.create(child=notice.child, code=notice.code, due_date=notice.due_date,
                                         step=notice.step, step_date=notice.step_date, label=notice.label)


@pytest.mark.django_db
def test_someone_who_may_see_the_child_gets_the_reference_and_a_link(missed):
    _walk(missed, [1])
    body = mail.outbox[0].body
    assert "Case YJ-0001" in body
    assert f"{settings.SITE_URL}/children/{missed.child.pk}/" in body


@pytest.mark.django_db
def test_someone_who_may_not_see_the_child_is_told_less(missed):
    _walk(missed, [5])
    (message,) = mail.outbox
    assert message.to == ["teamlead@yjs.example"]
    assert "YJ-0001" not in message.body
    assert "/children/" not in message.body
    assert "You cannot see this child's record" in message.body


@pytest.mark.django_db
def test_no_subject_names_the_child(missed):
    sent = _walk(missed, range(1, 11))
    subjects = " ".join(subject for day in sent.values() for _, subject in day)
    for identifier in ("YJ-0001", missed.child.given_name, missed.child.family_name):
        assert identifier not in subjects


@pytest.mark.django_db
def test_each_step_is_audited_with_the_child(missed):
    _walk(missed, range(1, 11))
    entries = AuditEntry.objects.filter(action="child.statutory_escalated").order_by("id")
    assert [(e.child_id, e.detail["step"], e.detail["to"]) for e in entries] == [
        (missed.child.pk, "case_manager", "cm@yjs.example"), (missed.child.pk, "line_manager", "teamlead@yjs.example"),
        (missed.child.pk, "strategic_lead", "head@yjs.example")]


@pytest.mark.django_db
def test_the_panel_settings_are_honoured(missed):
    ReminderPolicy.objects.create(panel=missed.resettlement, statutory_settings={
        "tell_line_manager": False, "case_manager_after_days": 2, "strategic_lead_after_days": 3})
    sent = _walk(missed, range(0, 15))
    assert {day: [to for to, _ in messages] for day, messages in sent.items()} == {
        2: ["cm@yjs.example"], 3: ["head@yjs.example"]}


@pytest.mark.django_db
def test_a_panel_that_switched_escalation_off_sends_nothing(missed):
    ReminderPolicy.objects.create(panel=missed.resettlement, statutory_settings={"enabled": False})
    assert _walk(missed, range(0, 15)) == {}


@pytest.mark.django_db
def test_the_panel_whose_agenda_carries_the_child_for_it_decides(missed):
    other_lead = UserFactory(username="lead2", agency=missed.service, role=UserRole.MANAGER, email="lead2@yjs.example")
    second = PanelFactory(service=missed.service, name="Second Resettlement Panel", kind=PanelKind.RESETTLEMENT,
                          strategic_lead=other_lead)
    from tests.factories import MeetingFactory

    AgendaItem.objects.create(meeting=MeetingFactory(panel=second), child=missed.child,
                              reasons=[{"code": "RS_ACCOMMODATION", "kind": "watch"}])
    sent = _walk(missed, [10])
    assert sent[10][0][0] == "lead2@yjs.example"


@pytest.mark.django_db
def test_with_no_strategic_lead_the_step_says_nobody_was_told(missed):
    missed.resettlement.strategic_lead = None
    missed.resettlement.save()
    _walk(missed, [10])
    notice = RequirementNotice.objects.get(step="strategic_lead")
    assert (notice.recipient_email, notice.note) == (
        "", "Nobody to tell: Resettlement Support Panel has no strategic lead with an email address.")


@pytest.mark.django_db
def test_recipients_and_the_chair_are_told_in_the_app(missed):
    _walk(missed, [10])
    titles = dict(Notification.objects.values_list("user__username", "title"))
    assert titles == {
        "head": "A missed statutory timescale (Resettlement Support Panel) was escalated to you",
        "rchair": "A missed statutory timescale (Resettlement Support Panel) was escalated to the panel's "
                  "strategic lead"}


@pytest.mark.django_db
def test_the_child_page_shows_who_it_was_escalated_to(missed, login, django_assert_max_num_queries):
    _walk(missed, range(1, 6))
    client = login(missed, "case_manager")
    with django_assert_max_num_queries(40):
        page = client.get(f"/children/{missed.child.pk}/").content.decode()
    assert f"Escalated to {missed.users['line_manager']}" in page


@pytest.mark.django_db
def test_the_command_walks_the_ladder_with_the_clock_frozen(missed, capsys):
    import time_machine
    from django.utils import timezone

    due = _due(missed.child)
    for offset in (1, 5, 10):
        day = due + timedelta(days=offset)
        moment = timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 7, 15))
        with time_machine.travel(moment, tick=False):
            call_command("escalate_statutory")
    assert list(RequirementNotice.objects.order_by("step_date").values_list("step", flat=True)) == [
        "case_manager", "line_manager", "strategic_lead"]


@pytest.mark.django_db
def test_the_beat_task_runs_the_same_job(missed):
    from notifications.tasks import statutory_escalation_daily

    assert settings.CELERY_BEAT_SCHEDULE["statutory-escalation-daily"]["task"] == statutory_escalation_daily.name


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["chair", "coordinator", "case_manager", "invited_partner", "outsider"])
def test_the_escalation_settings_are_for_the_panels_managers(world, login, persona, django_assert_max_num_queries):
    client = login(world, persona)
    url = f"/panels/{world.panel.pk}/reminders/"
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == (200 if persona in ("chair", "coordinator") else 404)


@pytest.mark.django_db
def test_the_escalation_settings_page_says_what_is_wrong(world, login):
    client = login(world, "chair")
    page = client.post(f"/panels/{world.panel.pk}/reminders/", {
        "which": "statutory", "statutory-enabled": "on", "statutory-tell_case_manager": "on",
        "statutory-case_manager_after_days": 5, "statutory-tell_line_manager": "on",
        "statutory-line_manager_after_days": 5, "statutory-tell_strategic_lead": "on",
        "statutory-strategic_lead_after_days": 10}).content.decode()
    assert "each escalation comes later" in page


@pytest.mark.django_db
def test_the_escalation_settings_are_saved_and_audited(world, login):
    client = login(world, "chair")
    client.post(f"/panels/{world.panel.pk}/reminders/", {
        "which": "statutory", "statutory-enabled": "on", "statutory-tell_case_manager": "on",
        "statutory-case_manager_after_days": 2, "statutory-line_manager_after_days": 5,
        "statutory-tell_strategic_lead": "on", "statutory-strategic_lead_after_days": 7})
    ladder = ReminderPolicy.objects.get(panel=world.panel).statutory_ladder
    assert (ladder.tell_line_manager, ladder.case_manager_after_days, ladder.strategic_lead_after_days) == (
        False, 2, 7)
    assert AuditEntry.objects.filter(action="panel.escalation_changed", panel=world.panel).count() == 1


@pytest.mark.django_db
def test_saving_the_escalation_settings_leaves_the_action_ladder_alone(world, login):
    ReminderPolicy.objects.create(panel=world.panel, settings={"remind_before_days": 7})
    login(world, "chair").post(f"/panels/{world.panel.pk}/reminders/", {
        "which": "statutory", "statutory-case_manager_after_days": 1, "statutory-line_manager_after_days": 5,
        "statutory-strategic_lead_after_days": 10})
    assert ReminderPolicy.objects.get(panel=world.panel).ladder.remind_before_days == 7


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two real workers need PostgreSQL's row locks")
def test_two_workers_at_the_same_moment_send_each_step_once(missed):
    """Two threads, each its own database connection, run the day's job at once: one step recorded, one audit
    entry, one email in the outbox."""
    import threading

    from notifications.models import OutboxMessage

    day = _due(missed.child) + timedelta(days=1)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait()
            escalation_run(today=day)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert RequirementNotice.objects.count() == 1
    assert AuditEntry.objects.filter(action="child.statutory_escalated").count() == 1
    assert OutboxMessage.objects.filter(kind="escalation").count() == 1


@pytest.mark.django_db
def test_a_chair_who_is_the_strategic_lead_is_told_once(missed):
    MembershipFactory(panel=missed.resettlement, user=missed.users["lead"], role=MembershipRole.CHAIR)
    _walk(missed, [10])
    assert Notification.objects.filter(user=missed.users["lead"]).count() == 1
