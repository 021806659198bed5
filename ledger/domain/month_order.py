"""Payroll months run in order, from the ledger's first month, none skipped (issue 12).

Arrears and recoveries are computed only for months that have an approved regular
batch (README: "Arrears horizon"). A month left out between two run months would
therefore never be paid, not even as arrears: so the regular payroll may only be run
for the next month in order, and a payroll typed years ahead is refused.

The ledger's **first month** is the month of its first regular batch (discarded drafts
aside); before any batch exists it is the earliest start month of any case, so the first
payroll cannot skip a month a case was entitled to. Months before the first month lie
outside the ledger (paid, if at all, by whatever paid them before it).

Pure: facts in, a refusal message (or None) out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ledger.domain.calendar import Month


@dataclass(frozen=True)
class LedgerMonths:
    """What the month order needs to know about a ledger."""

    earliest_start: Month | None
    """The earliest start month of any case (None: no case)."""
    batches: dict[Month, str] = field(default_factory=dict)
    """Regular batches that were not discarded: month -> status (draft, approved, …)."""

    @property
    def first(self) -> Month | None:
        """The ledger's first month: its first regular batch's, else the earliest case start."""
        return min(self.batches) if self.batches else self.earliest_start

    @property
    def next_to_run(self) -> Month | None:
        """The month the next regular payroll is for: a draft's month, or the one after the last."""
        if not self.batches:
            return self.earliest_start
        last = max(self.batches)
        return last if self.batches[last] == "draft" else last + 1


def latest_allowed(today: date) -> Month:
    """A payroll may be run at most for the next calendar month (paid early in that month)."""
    return Month.of(today) + 1


def refusal(month: Month, months: LedgerMonths, today: date | None) -> str | None:
    """Why the regular payroll of ``month`` may not be run now, or None when it may.

    ``today`` is the date the run is made on (the CLI passes today, tests their own);
    None leaves out the calendar bound (scripts replaying history), never the order.
    """
    if today is not None and month > latest_allowed(today):
        return (f"a payroll cannot be run for {month}: later than the next calendar month "
                f"({latest_allowed(today)}) on {today.isoformat()}")
    batches = months.batches
    if month in batches:
        return None  # a draft is refreshed; an approved batch refuses by itself
    earlier_drafts = sorted(m for m, status in batches.items() if status == "draft" and m < month)
    if earlier_drafts:
        return (f"the {earlier_drafts[0]} payroll is still a draft: approve it before running "
                f"{month}, or its arrears and reissues would be paid twice")
    later = sorted(m for m in batches if m > month)
    if later:
        return (f"the {later[0]} payroll already exists: {month} can no longer be run; what is "
                f"due for {month} is paid by the next payroll as arrears")
    expected = months.next_to_run
    if expected is None or month == expected:
        return None  # no case yet: nothing can be skipped
    if not batches and month < expected:
        return (f"nothing is due before {expected}, the earliest start month of any case: "
                f"the ledger's first payroll is {expected}")
    skipped = f"{expected}" if month + -1 == expected else f"{expected}..{month + -1}"
    return (f"months run in order: {expected} has not been run, and running {month} would "
            f"leave {skipped} unpaid for good; run {expected} first")
