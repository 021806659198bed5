"""特困人员救助供养 (tekun): basic standard of the area plus the care standard of the care level."""

from __future__ import annotations

from ledger.domain.case_record import MonthFacts
from ledger.domain.money import format_yuan
from ledger.domain.policy import PolicyBook
from ledger.domain.programmes.entitlement import Entitlement
from ledger.domain.standards import StandardBook


def entitlement(facts: MonthFacts, standards: StandardBook, policy: PolicyBook) -> Entitlement:
    basic = standards.entry("tekun", f"basic:{facts.area}", facts.month)
    care = standards.entry("tekun", f"care:{facts.care_level}", facts.month)
    if basic is None:
        return Entitlement.nothing(f"no tekun basic standard for {facts.area} in {facts.month}")
    care_amount = care.monthly if care else 0
    amount = basic.monthly + care_amount
    return Entitlement(
        amount,
        "regular",
        f"basic:{facts.area} {format_yuan(basic.monthly)} + care:{facts.care_level} "
        f"{format_yuan(care_amount)} = {format_yuan(amount)}",
        tuple(e.describe() for e in (basic, care) if e is not None),
    )
