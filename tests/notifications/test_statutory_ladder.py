"""The statutory escalation ladder (issue 17 point 5), pure: days after the due date, each step on or off."""

from __future__ import annotations

from datetime import date, timedelta

from notifications.ladder import Ladder, StatutoryLadder, steps_due

DUE = date(2026, 12, 10)


def _walk(ladder) -> dict[str, int]:
    seen: dict[str, int] = {}
    for offset in range(-10, 40):
        for step in steps_due(DUE, DUE + timedelta(days=offset), ladder, done=set(seen)):
            seen[step] = offset
    return seen


def test_the_default_statutory_ladder_day_by_day():
    assert _walk(StatutoryLadder()) == {"case_manager": 1, "line_manager": 5, "strategic_lead": 10}


def test_nothing_is_due_on_the_due_date_itself():
    assert steps_due(DUE, DUE, StatutoryLadder()) == []


def test_a_step_switched_off_is_skipped():
    ladder, errors = StatutoryLadder.from_dict({"tell_line_manager": False})
    assert errors == []
    assert _walk(ladder) == {"case_manager": 1, "strategic_lead": 10}


def test_the_whole_ladder_switched_off_schedules_nothing():
    ladder, _ = StatutoryLadder.from_dict({"enabled": False})
    assert ladder.schedule(DUE) == []


def test_custom_days_are_honoured():
    ladder, _ = StatutoryLadder.from_dict({"case_manager_after_days": 2, "line_manager_after_days": 3,
                                          "strategic_lead_after_days": 4})
    assert _walk(ladder) == {"case_manager": 2, "line_manager": 3, "strategic_lead": 4}


def test_escalations_must_come_later_among_the_steps_that_are_on():
    _, errors = StatutoryLadder.from_dict({"line_manager_after_days": 20})
    assert errors == ["case_manager_after_days < line_manager_after_days < strategic_lead_after_days: "
                      "each escalation comes later"]


def test_a_switched_off_step_does_not_constrain_the_order():
    ladder, errors = StatutoryLadder.from_dict({"tell_line_manager": False, "line_manager_after_days": 20})
    assert errors == []
    assert ladder is not None


def test_a_step_on_the_due_date_is_refused():
    _, errors = StatutoryLadder.from_dict({"case_manager_after_days": 0})
    assert errors == ["case_manager_after_days: a timescale is missed from the day after it is due (1 or more)"]


def test_settings_are_checked_and_name_the_field():
    _, errors = StatutoryLadder.from_dict({"enabled": "yes", "strategic_lead_after_days": 91, "colour": 1})
    assert errors == ["enabled: must be true or false",
                      "strategic_lead_after_days: must be a whole number of days from 0 to 90, not 91",
                      "colour: is not an escalation setting"]


def test_settings_round_trip():
    ladder = StatutoryLadder(line_manager_after_days=7)
    assert StatutoryLadder.from_dict(ladder.to_dict()) == (ladder, [])


def test_the_action_ladder_still_parses_with_the_shared_checks():
    ladder, errors = Ladder.from_dict({"remind_on_due": "no"})
    assert errors == ["remind_on_due: must be true or false"]
    assert ladder is None
