"""The pay-by day of a month and how many days are left to it.

A small local rule for the dashboard: ledger/pay_deadline.py (another branch)
will hold the shared one; this reads the same policy key when it exists.
"""

from __future__ import annotations

import calendar
from datetime import date

from ledger.calendar import Month
from ledger.policy import PolicyBook

DEFAULT_PAY_BY_DAY = 10


def pay_by_date(policy: PolicyBook, month: Month) -> date:
    try:
        day = int(policy.value("payroll.pay_by_day", month))
    except (KeyError, ValueError):  # the key is not known on this branch yet
        day = DEFAULT_PAY_BY_DAY
    last = calendar.monthrange(month.year, month.month)[1]
    return date(month.year, month.month, max(1, min(day, last)))


def days_left(policy: PolicyBook, month: Month, today: date) -> int:
    """Days from ``today`` to the pay-by day (negative when it has passed)."""
    return (pay_by_date(policy, month) - today).days
