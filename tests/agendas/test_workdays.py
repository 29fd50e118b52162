"""Working days: England & Wales bank holidays (pinned holidays package) and month arithmetic."""

from __future__ import annotations

from datetime import date

import pytest

from agendas.workdays import WorkingCalendar, add_months

CAL = WorkingCalendar.england(2025, 2028)
D = date.fromisoformat


def test_bank_holidays_2026_and_2027_match_the_published_list():
    published = {
        "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25",
        "2026-12-28", "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30",
        "2027-12-27", "2027-12-28",
    }
    weekdays_off = {d.isoformat() for d in CAL.bank_holidays if d.year in (2026, 2027) and d.weekday() < 5}
    assert weekdays_off == published


@pytest.mark.parametrize(("start", "n", "expected"), [
    ("2026-12-24", 2, "2026-12-30"),  # Christmas Day and Boxing Day (observed Monday 28th)
    ("2026-12-18", 10, "2027-01-06"),  # and New Year's Day
    ("2026-04-02", 1, "2026-04-07"),  # Easter 2026
    ("2027-03-25", 1, "2027-03-30"),  # Easter 2027
    ("2026-05-22", 1, "2026-05-26"),  # late May 2026
    ("2027-05-28", 1, "2027-06-01"),  # late May 2027
    ("2026-11-20", 0, "2026-11-20"),
])
def test_adding_working_days(start, n, expected):
    assert CAL.add_working_days(D(start), n) == D(expected)


@pytest.mark.parametrize(("start", "n", "expected"), [
    ("2026-12-08", 10, "2026-11-24"),
    ("2027-06-04", 10, "2027-05-20"),
    ("2027-01-04", 1, "2026-12-31"),
    ("2026-04-07", 1, "2026-04-02"),
])
def test_subtracting_working_days(start, n, expected):
    assert CAL.sub_working_days(D(start), n) == D(expected)


@pytest.mark.parametrize(("day", "expected"), [
    ("2026-11-08", "2026-11-06"),  # Sunday
    ("2026-12-28", "2026-12-24"),  # Boxing Day observed, after a weekend and Christmas Day
    ("2027-01-01", "2026-12-31"),
    ("2026-11-09", "2026-11-09"),
])
def test_due_dates_move_back_off_non_working_days(day, expected):
    assert CAL.previous_working_day_or_same(D(day)) == D(expected)


@pytest.mark.parametrize(("day", "months", "expected"), [
    ("2027-03-31", -1, "2027-02-28"),
    ("2024-01-31", 1, "2024-02-29"),
    ("2008-02-29", 216, "2026-02-28"),
    ("2009-05-10", 210, "2026-11-10"),
    ("2026-12-15", 1, "2027-01-15"),
])
def test_months_are_clamped_to_the_shorter_months_end(day, months, expected):
    assert add_months(D(day), months) == D(expected)


def test_dates_outside_the_years_first_asked_for_work_too():
    """v2 §7 ("any date works"): the calendar grows to any year instead of refusing it (v1 raised)."""
    small = WorkingCalendar.england(2025, 2028)
    assert small.add_working_days(D("2028-12-30"), 5) == D("2029-01-08")  # New Year's Day 2029 is a Monday
    assert small.sub_working_days(D("2025-01-02"), 2) == D("2024-12-30")
    assert small.previous_working_day_or_same(D("2030-01-31")) == D("2030-01-31")
    assert small.is_working_day(D("1990-12-25")) is False
    assert small.add_working_days(D("2099-12-24"), 2) == D("2099-12-30")  # Christmas, Boxing Day (28th) 2099


@pytest.mark.parametrize(("day", "expected"), [
    ("1990-01-01", "1989-12-29"),  # New Year's Day 1990 is a Monday bank holiday
    ("2100-12-25", "2100-12-24"),
    ("2118-03-05", "2118-03-04"),  # beyond the holidays package's years: weekends only
])
def test_any_year_from_1990_on_is_covered(day, expected):
    assert WorkingCalendar.england().previous_working_day_or_same(D(day)) == D(expected)


def test_working_days_cross_far_apart_years_in_one_step():
    small = WorkingCalendar.england(2026, 2026)
    far = small.add_working_days(D("2026-01-02"), 260 * 30)
    assert far.year > 2050 and small.is_working_day(far)
    assert small.sub_working_days(far, 260 * 30) == D("2026-01-02")


def test_counting_past_the_year_9999_is_an_error_not_a_hang():
    calendar = WorkingCalendar.england(9990, 9999)
    with pytest.raises(ValueError, match="9999"):
        calendar.add_working_days(D("9999-12-30"), 5)
    assert calendar.previous_working_day_or_same(D("9999-12-31")) == D("9999-12-31")  # a Friday
