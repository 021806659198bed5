"""经济困难老年人补贴: standard by age band, from the month after the birthday month."""

from __future__ import annotations

from ledger.domain.case_record import MonthFacts
from ledger.domain.identity import age_in_month
from ledger.domain.money import format_yuan
from ledger.domain.policy import PolicyBook
from ledger.domain.programmes.entitlement import Entitlement
from ledger.domain.standards import StandardBook


def age_band(age: int) -> str | None:
    if age >= 90:
        return "90+"
    if age >= 80:
        return "80-89"
    if age >= 60:
        return "60-79"
    return None


def entitlement(facts: MonthFacts, standards: StandardBook, policy: PolicyBook) -> Entitlement:
    age = age_in_month(facts.birth_date, facts.month.year, facts.month.month)
    band = age_band(age)
    if band is None:
        return Entitlement.nothing(f"age {age} in {facts.month}: below 60")
    entry = standards.entry("elderly", band, facts.month)
    if entry is None:
        return Entitlement.nothing(f"no elderly standard for {band} in {facts.month}")
    return Entitlement(
        entry.monthly, "regular", f"age {age} band {band} standard {format_yuan(entry.monthly)}",
        (entry.describe(),),
    )
