"""Working days: Monday–Friday, less the holidays policy lists (pure)."""

from __future__ import annotations

from datetime import date

from ledger.domain.policy import PolicyValueError, parse_policy_value
from ledger.domain.working_days import add_working_days, is_working_day

FRIDAY = date(2024, 1, 12)
SATURDAY = date(2024, 1, 13)
MONDAY = date(2024, 1, 15)


def test_weekends_are_not_working_days_and_listed_holidays_are_not_either() -> None:
    assert is_working_day(FRIDAY)
    assert not is_working_day(SATURDAY)
    assert not is_working_day(date(2024, 1, 14))
    assert not is_working_day(MONDAY, {MONDAY})


def test_one_working_day_after_a_friday_is_the_monday() -> None:
    assert add_working_days(FRIDAY, 1) == MONDAY
    assert add_working_days(SATURDAY, 1) == MONDAY


def test_a_holiday_monday_pushes_the_day_to_tuesday() -> None:
    assert add_working_days(FRIDAY, 1, {MONDAY}) == date(2024, 1, 16)


def test_zero_days_is_the_start_and_twenty_days_are_four_weeks() -> None:
    assert add_working_days(FRIDAY, 0) == FRIDAY
    assert add_working_days(date(2024, 1, 10), 20) == date(2024, 2, 7)
    # a week of holidays (2024-02-12..16) adds five working days
    week = {date(2024, 2, d) for d in range(12, 17)}
    assert add_working_days(date(2024, 1, 10), 20, week) == date(2024, 2, 7)
    assert add_working_days(date(2024, 1, 31), 10, week) == date(2024, 2, 21)


def test_the_holidays_policy_is_a_list_of_dates() -> None:
    assert parse_policy_value("calendar.holidays", "2024-10-01, 2024-10-02") == {
        date(2024, 10, 1), date(2024, 10, 2)}
    assert parse_policy_value("calendar.holidays", "") == frozenset()
    try:
        parse_policy_value("calendar.holidays", "2024-13-01")
    except PolicyValueError:
        pass
    else:
        raise AssertionError("a bad date was accepted")
