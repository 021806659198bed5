"""What is late in the month's rhythm (issue 13): one pure function for the CLI, the job, the console.

Payments reach people by day ``payroll.pay_by_day`` of their month: by the end of that
day the month's regular batch must be approved and exported (a draft, or no batch at
all, is late; so is an approved batch no bank file was written for). An exported batch
still without every bank result ``payroll.reconcile_days`` days after the pay-by day is
late too: returned transfers wait unseen for their reissue.

Facts in (the months' batches, the policy, the date), statuses out; no I/O, no clock.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from ledger.domain.calendar import Month

STEPS = ("drafted", "approved", "exported", "reconciled")
"""A regular batch's steps; its status is the last one reached."""


@dataclass(frozen=True)
class MonthStatus:
    """One month's regular payroll against its deadline."""

    month: Month
    batch_id: str | None
    """The regular batch (None: never run, or its draft was discarded)."""
    status: str
    """``not run``, ``draft``, ``approved``, ``exported`` or ``reconciled``."""
    pay_by: date
    """The last day payments may reach people (day ``payroll.pay_by_day``, at most month end)."""
    days_left: int
    """Days from the date asked about to ``pay_by``; negative once it has passed."""
    late: tuple[str, ...]
    """What is late, one sentence each (empty: on time)."""

    @property
    def steps(self) -> dict[str, bool]:
        """drafted / approved / exported / reconciled: which this month has reached."""
        reached = 0 if self.status == "not run" else STEPS.index(
            "drafted" if self.status == "draft" else self.status) + 1
        return {step: i < reached for i, step in enumerate(STEPS)}


def pay_by_date(month: Month, day: int) -> date:
    """Day ``day`` of ``month``, or the month's last day when it is shorter."""
    return date(month.year, month.month, min(day, calendar.monthrange(month.year, month.month)[1]))


def watch(first: Month | None, batches: dict[Month, tuple[str, str]], today: date,
          pay_by_day: Callable[[Month], int], reconcile_days: Callable[[Month], int],
          only: Month | None = None) -> list[MonthStatus]:
    """Every month from the ledger's first month to the next calendar month, and what is late.

    ``batches`` maps a month to its regular batch (id, status); a discarded draft counts
    as not run. ``only`` narrows the answer to one month.
    """
    if first is None:
        return []
    last = max([Month.of(today) + 1, *batches])
    months = [m for m in first.until(last) if only is None or m == only]
    out = []
    for month in months:
        batch_id, status = batches.get(month, (None, "not run"))
        if status == "discarded":
            batch_id, status = None, "not run"
        pay_by = pay_by_date(month, pay_by_day(month))
        days_left = (pay_by - today).days
        late: list[str] = []
        if days_left < 0 and status in ("not run", "draft"):
            late.append(f"{month}: not approved and exported by {pay_by} (payroll {status})")
        elif days_left < 0 and status == "approved":
            late.append(f"{month}: approved but no bank file exported by {pay_by}")
        results_by = pay_by + timedelta(days=reconcile_days(month))
        if status == "exported" and today > results_by:
            late.append(f"{month}: exported but not reconciled by {results_by} "
                        "(bank results missing)")
        out.append(MonthStatus(month, batch_id, status, pay_by, days_left, tuple(late)))
    return out


def anything_late(statuses: list[MonthStatus]) -> bool:
    return any(s.late for s in statuses)
