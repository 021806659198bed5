"""孤儿 and 困境儿童 basic living allowances: paid until the month of the 18th birthday.

They stop from the month after the 18th birthday month (次月).
"""

from __future__ import annotations

from ledger.domain.case_record import MonthFacts
from ledger.domain.identity import age_in_month
from ledger.domain.money import format_yuan
from ledger.domain.policy import PolicyBook
from ledger.domain.programmes.entitlement import Entitlement
from ledger.domain.standards import StandardBook

AGE_LIMIT = 18


def _child(programme: str, category: str, facts: MonthFacts, standards: StandardBook) -> Entitlement:
    age = age_in_month(facts.birth_date, facts.month.year, facts.month.month)
    if age >= AGE_LIMIT:
        return Entitlement.nothing(f"age {age} in {facts.month}: reached {AGE_LIMIT}")
    entry = standards.entry(programme, category, facts.month)
    if entry is None:
        return Entitlement.nothing(f"no {programme} standard in {facts.month}")
    return Entitlement(
        entry.monthly, "regular", f"{category} standard {format_yuan(entry.monthly)} (age {age})",
        (entry.describe(),),
    )


def orphan_entitlement(facts: MonthFacts, standards: StandardBook, policy: PolicyBook) -> Entitlement:
    return _child("orphan", "orphan", facts, standards)


def child_entitlement(facts: MonthFacts, standards: StandardBook, policy: PolicyBook) -> Entitlement:
    return _child("child_in_difficulty", "child", facts, standards)
