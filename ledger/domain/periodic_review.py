"""Periodic review (动态管理): when a dibao household is due for its next review. Pure rules.

A household is reviewed every ``review.months`` months (policy, default 12, with
effective dates); a household class (``A``/``B``/``C``) may have its own, shorter
interval ``review.months.<class>`` (0, the default, means "not set"). The interval
counts from the last review, or from the enrolment's start month when the household
has never been reviewed. Policy is read for the month asked about, so a change of the
interval applies to every household from the month it takes effect.
"""

from __future__ import annotations

from datetime import date

from ledger.domain.calendar import Month
from ledger.domain.policy import PolicyBook

OUTCOMES = ("continue", "change", "exit")
"""What a review decided: keep paying, facts changed (record them with case update), or exit."""

CLASSES = ("A", "B", "C")
"""Household classes (分类管理) a review may put a household in."""


def review_months(policy: PolicyBook, household_class: str | None, month: Month) -> int:
    """The interval in force for ``month``: the class's when set and shorter, else the general one."""
    general: int = policy.value("review.months", month)
    if household_class in CLASSES:
        own: int = policy.value(f"review.months.{household_class}", month)
        if own > 0:
            return min(own, general)
    return general


def next_review(last: date | Month, months: int) -> Month:
    """The month a review falls due: ``months`` months after the month of the last one."""
    start = last if isinstance(last, Month) else Month.of(last)
    return start + months


def is_due(last: date | Month, months: int, month: Month) -> bool:
    """True when the household's review is due in ``month`` or overdue."""
    return next_review(last, months) <= month


def exit_month(review_date: date) -> Month:
    """A review that ends in ``exit`` stops payment from the month after the review (次月)."""
    return Month.of(review_date) + 1
