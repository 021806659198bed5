"""最低生活保障 (dibao): paid per household, with the graduation exit (渐退).

amount = (standard[area] − per-capita monthly income) × household size, never
below 0, with an optional floor per person of ``dibao.floor_share`` × standard.
During graduation the household gets its last regular amount × the month's taper;
when a graduation starts, ends or is cancelled is derived in ``graduation.py``.
"""

from __future__ import annotations

from ledger.domain.calendar import Month
from ledger.domain.case_record import Graduation, MonthFacts
from ledger.domain.member_classes import CLASSES
from ledger.domain.money import Fen, divide_half_up, format_yuan
from ledger.domain.policy import PolicyBook
from ledger.domain.programmes.classified import top_up
from ledger.domain.programmes.entitlement import Entitlement
from ledger.domain.standards import StandardBook


def regular_amount(
    standard: Fen, income: Fen, household_size: int, floor_share_num: int, floor_share_den: int
) -> Fen:
    """The ordinary dibao formula, in fen. 0 when income reaches the standard."""
    if income >= standard:
        return 0
    per_person = standard - income
    floor = divide_half_up(standard * floor_share_num, floor_share_den)
    return max(per_person, floor) * household_size


def graduation_amount(graduation: Graduation, month: Month) -> Fen:
    """base × taper% for the month, half up to the fen."""
    num, den = graduation.taper_for(month).as_integer_ratio()
    return divide_half_up(graduation.base * num, den * 100)


def in_graduation(graduation: Graduation | None, month: Month) -> bool:
    return (
        graduation is not None
        and graduation.start <= month < graduation.end
        and (graduation.cancelled_from is None or month < graduation.cancelled_from)
    )


def graduated(graduation: Graduation | None, month: Month) -> bool:
    """True when the graduation ran its course and the household has exited by itself.

    A derived graduation is only ever cancelled within its months (graduation.py), so one
    with a cancellation never ran its course.
    """
    return graduation is not None and month >= graduation.end and graduation.cancelled_from is None


def entitlement(facts: MonthFacts, standards: StandardBook, policy: PolicyBook) -> Entitlement:
    g = facts.graduation
    if in_graduation(g, facts.month):
        assert g is not None
        amount = graduation_amount(g, facts.month)
        n = facts.month - g.start + 1
        return Entitlement(
            amount,
            "graduation",
            f"graduation month {n}/{g.months}: {format_yuan(g.base)} × "
            f"{g.taper_for(facts.month)}% = {format_yuan(amount)}",
        )
    if graduated(g, facts.month):
        assert g is not None
        return Entitlement.nothing(f"graduated: graduation from {g.start} ended {g.end}")
    return regular_for(facts, standards, policy)


def regular_for(facts: MonthFacts, standards: StandardBook, policy: PolicyBook) -> Entitlement:
    """The ordinary formula for ``facts.month``, whatever graduation says (a graduation's base)."""
    entry = standards.entry("dibao", facts.area or "", facts.month)
    if entry is None:
        return Entitlement.nothing(f"no dibao standard for {facts.area} in {facts.month}")
    income = facts.income_per_capita or 0
    size = facts.household_size or 0
    share = policy.value("dibao.floor_share", facts.month)
    num, den = share.as_integer_ratio()
    amount = regular_amount(entry.monthly, income, size, num, den)
    formula = (
        f"({format_yuan(entry.monthly)} − {format_yuan(income)}) × {size}"
        + (f", floor {share} × standard per person" if num else "")
        + f" = {format_yuan(amount)}"
    )
    if amount and facts.member_classes:
        # 分类施保: on top of the (floored) ordinary amount, for a household in dibao only.
        percents = {c: policy.value(f"dibao.classified.{c}", facts.month) for c in CLASSES}
        extra = top_up(entry.monthly, facts.member_classes, percents,
                       policy.value("dibao.classified.combine", facts.month))
        if extra.amount:
            amount += extra.amount
            formula += f"; + {extra.description}; total {format_yuan(amount)}"
    return Entitlement(amount, "regular", formula, (entry.describe(),))
