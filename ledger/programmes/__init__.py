"""What a case is entitled to for a month: one pure rule per programme.

``entitlement(facts, standards, policy)`` dispatches to the programme's module.
Each rule returns an :class:`Entitlement` carrying the amount *and* the formula
with its numbers, so a payment can be explained years later.
"""

from __future__ import annotations

from collections.abc import Callable

from ledger.case_record import MonthFacts
from ledger.policy import PolicyBook
from ledger.programmes import children, dibao, disability, elderly, tekun
from ledger.programmes.entitlement import Entitlement
from ledger.standards import StandardBook

Rule = Callable[[MonthFacts, StandardBook, PolicyBook], Entitlement]

RULES: dict[str, Rule] = {
    "dibao": dibao.entitlement,
    "tekun": tekun.entitlement,
    "disability_living": disability.living_entitlement,
    "disability_care": disability.care_entitlement,
    "elderly": elderly.entitlement,
    "orphan": children.orphan_entitlement,
    "child_in_difficulty": children.child_entitlement,
}


def entitlement(facts: MonthFacts, standards: StandardBook, policy: PolicyBook) -> Entitlement:
    """The amount a case is entitled to for ``facts.month`` (0 when not in payment)."""
    if not facts.in_payment:
        return Entitlement.nothing("not in payment (before start or after exit)")
    return RULES[facts.programme](facts, standards, policy)


__all__ = ["Entitlement", "RULES", "entitlement"]
