"""Working days (工作日): Monday to Friday, except the dates policy ``calendar.holidays`` lists.

One pure rule for deadlines counted in working days, such as the approvals an advance
relief (先行救助) must receive within ``relief.advance_approval_days`` working days.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta


def is_working_day(day: date, holidays: Collection[date] = ()) -> bool:
    """Monday–Friday and not a listed holiday."""
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: Collection[date] = ()) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count).

    ``add_working_days(a Friday, 1)`` is the next Monday; 0 days gives ``start``.
    """
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            left -= 1
    return day
