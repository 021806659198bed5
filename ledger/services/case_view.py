"""One case as a reader sees it for a month: facts, status, amount and formula, numbers masked.

Shared by `ledger case show` and the console's person page, so both say the same.
"""

from __future__ import annotations

from typing import Any

from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord
from ledger.domain.household import Spell, spells
from ledger.domain.identity import mask
from ledger.domain.money import format_yuan
from ledger.domain.policy import PolicyBook
from ledger.domain.standards import StandardBook


def case_summary(record: CaseRecord, standards: StandardBook, policy_book: PolicyBook,
                 when: Month) -> dict[str, Any]:
    from ledger.domain.programmes import CaseEntitlement

    entitled = CaseEntitlement(record, standards, policy_book)
    facts = entitled.facts(when)
    due = entitled.for_month(when)
    return {
        "case_id": record.case_id, "programme": record.programme, "status": entitled.status(when),
        "id_number": mask(record.id_number), "name": record.name,
        "town": record.town, "village": record.village, "area": facts.area,
        "household_size": facts.household_size,
        "income_per_capita": (format_yuan(facts.income_per_capita)
                              if facts.income_per_capita is not None else None),
        "disability_grade": facts.disability_grade, "care_level": facts.care_level,
        "registered_poor": record.registered_poor,
        "bank_name": record.bank_name, "bank_account": mask(record.bank_account),
        "start_month": str(record.start_month),
        "exit_month": str(record.exit_month) if record.exit_month else None,
        "exit_reason": record.exit_reason or None,
        "month": str(when), "amount": format_yuan(due.amount), "formula": due.formula,
        "members": member_rows(record),
    }


def member_spells(record: CaseRecord) -> list[Spell]:
    """A household's periods of membership in the order every page and command lists them."""
    return sorted(spells(record.members),
                  key=lambda s: (s.start.index, s.relation != "self", s.name))


def member_rows(record: CaseRecord) -> list[dict[str, Any]]:
    """A household's members: masked numbers, relation, from and to months, why they left."""
    return [{"name": s.name, "id_number": mask(s.id_number), "relation": s.relation,
             "from": str(s.start), "to": str(s.end) if s.end else None,
             "reason": s.reason or None, "classes": member_classes(record, s.person_key)}
            for s in member_spells(record)]


def member_classes(record: CaseRecord, person_key: str) -> list[dict[str, Any]]:
    """A member's classifications (分类施保): class, from and last month (None: open)."""
    latest = {(f.classification, f.start): f for f in sorted(record.classes, key=lambda f: f.seq)
              if f.person_key == person_key}
    return [{"class": f.classification, "from": str(f.start),
             "until": str(f.until) if f.until else None}
            for f in sorted(latest.values(), key=lambda f: (f.start.index, f.classification))]
