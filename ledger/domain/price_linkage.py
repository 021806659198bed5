"""Price linkage (社会救助和保障标准与物价上涨挂钩联动机制): the pure rules, no I/O.

For a measured month the mechanism is triggered when ``cpi_yoy ≥ cpi_threshold``
or ``food_yoy ≥ food_threshold``; the rise used is the higher of the
*triggering* rises. Each covered person then gets
``round_half_up(dibao monthly standard[area] × rise / 100, yuan)``, not less
than the floor.

Once per person: a person counted by one covered case is not counted again by another
(SPEC: every covered person "gets, once"). A dibao household counts its members in force;
a ``tekun`` or ``orphan`` case is not paid for a month in which its person is counted as a
member of a dibao household paid for that month, and an ``orphan`` case not when its person's
``tekun`` case is paid for it (:func:`counted_months`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal

from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord
from ledger.domain.household import members_in_force
from ledger.domain.money import Fen, divide_half_up, format_yuan
from ledger.domain.policy import PolicyBook
from ledger.domain.programmes import CaseEntitlement
from ledger.domain.standards import StandardBook

COVERED = ("dibao", "tekun", "orphan")
"""Programmes whose people get the price subsidy (a dibao household: each member)."""


@dataclass(frozen=True, slots=True)
class Decision:
    triggered: bool
    rise: Decimal | None
    """The higher of the triggering rises (%), None when suspended."""
    index: str | None
    """'cpi', 'food' or 'both' (which indices triggered), None when suspended."""


def decide(cpi_yoy: Decimal, food_yoy: Decimal, cpi_threshold: Decimal,
           food_threshold: Decimal) -> Decision:
    cpi = cpi_yoy >= cpi_threshold
    food = food_yoy >= food_threshold
    if cpi and food:
        return Decision(True, max(cpi_yoy, food_yoy), "both")
    if cpi:
        return Decision(True, cpi_yoy, "cpi")
    if food:
        return Decision(True, food_yoy, "food")
    return Decision(False, None, None)


def subsidy_per_person(dibao_monthly_fen: Fen, rise: Decimal, floor_fen: Fen) -> Fen:
    """round_half_up(standard × rise / 100, whole yuan), in fen, not less than ``floor_fen``."""
    num, den = rise.as_integer_ratio()
    # fen × num / (den × 100) is the subsidy in fen; one more × 100 rounds it to yuan.
    yuan = divide_half_up(dibao_monthly_fen * num, den * 100 * 100)
    return max(yuan * 100, floor_fen)


def counted_months(programme: str, person_key: str, months: Iterable[Month],
                   households: Iterable[CaseEntitlement],
                   tekun: CaseEntitlement | None) -> frozenset[Month]:
    """The months in which a ``tekun`` or ``orphan`` case's person is already counted by a
    case that comes first: a dibao household paying for them as a member in force, or, for an
    orphan, their own ``tekun`` case paid for that month."""
    households = list(households)
    counted = set()
    for month in months:
        if any(h.paid_for(month) and person_key in {m.person_key for m in
                                                    members_in_force(h.record.members, month)}
               for h in households):
            counted.add(month)
        elif programme == "orphan" and tekun is not None and tekun.paid_for(month):
            counted.add(month)
    return frozenset(counted)


def case_subsidy(record: CaseRecord, month: Month, decision: Decision, floor: Fen,
                 standards: StandardBook, policy: PolicyBook,
                 entitled: CaseEntitlement | None = None,
                 counted_elsewhere: Collection[Month] = ()) -> tuple[Fen, str] | None:
    """(amount, formula) of one case's subsidy for a measured month; None when not covered.

    Covered: a case of a covered programme whom that programme pays for the measured month,
    by the same answer as the payroll (``CaseEntitlement``): a household in graduation is
    paid; a person past an age limit, dead or exited is not, whether or not a sweep has
    recorded it yet. Paid per person (a dibao household: its size that month), once:
    ``counted_elsewhere`` are the months this (tekun or orphan) case's person is counted by
    another case (:func:`counted_months`).
    """
    if record.programme not in COVERED or decision.rise is None:
        return None
    if record.programme != "dibao" and month in counted_elsewhere:
        return None
    entitled = entitled or CaseEntitlement(record, standards, policy)
    if not entitled.paid_for(month):
        return None
    facts = entitled.facts(month)
    persons = (facts.household_size or 0) if record.programme == "dibao" else 1
    if persons <= 0 or facts.area is None:
        return None
    standard = standards.monthly("dibao", facts.area, month)
    if standard is None:
        return None
    per_person = subsidy_per_person(standard, decision.rise, floor)
    amount = per_person * persons
    formula = (
        f"price linkage {month} ({decision.index} {decision.rise}%): dibao {facts.area} "
        f"{format_yuan(standard)}/month × {decision.rise}% → {format_yuan(per_person)} per person"
        f"{f' (floor {format_yuan(floor)})' if floor else ''} × {persons} = {format_yuan(amount)}"
    )
    return amount, formula
