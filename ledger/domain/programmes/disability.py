"""困难残疾人生活补贴 and 重度残疾人护理补贴: standards by disability grade.

Living allowance: grades 1–2 and 3–4 form two bands. Care allowance: grades 1
and 2 only; grades 3–4 are not eligible (0).
"""

from __future__ import annotations

from ledger.domain.case_record import MonthFacts
from ledger.domain.money import format_yuan
from ledger.domain.policy import PolicyBook
from ledger.domain.programmes.entitlement import Entitlement
from ledger.domain.standards import StandardBook


def living_category(grade: int) -> str:
    return "grade1-2" if grade <= 2 else "grade3-4"


def care_category(grade: int) -> str | None:
    return {1: "grade1", 2: "grade2"}.get(grade)


def _by_category(programme: str, category: str | None, facts: MonthFacts,
                 standards: StandardBook) -> Entitlement:
    if category is None:
        return Entitlement.nothing(f"grade {facts.disability_grade} not eligible for {programme}")
    entry = standards.entry(programme, category, facts.month)
    if entry is None:
        return Entitlement.nothing(f"no {programme} standard for {category} in {facts.month}")
    return Entitlement(
        entry.monthly, "regular", f"{category} standard {format_yuan(entry.monthly)}",
        (entry.describe(),),
    )


def living_entitlement(facts: MonthFacts, standards: StandardBook, policy: PolicyBook) -> Entitlement:
    return _by_category("disability_living", living_category(facts.disability_grade or 4),
                        facts, standards)


def care_entitlement(facts: MonthFacts, standards: StandardBook, policy: PolicyBook) -> Entitlement:
    return _by_category("disability_care", care_category(facts.disability_grade or 0),
                        facts, standards)
