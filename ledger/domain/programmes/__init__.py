"""What a case is entitled to for a month: one pure rule per programme.

``entitlement(facts, standards, policy)`` dispatches to the programme's module.
:class:`CaseEntitlement` is the one answer to "what is this case paid for month M?",
by every fact known now: the payroll, its arrears, the price linkage, ``case show``
and the trace all ask it. Each rule returns an :class:`Entitlement` carrying the amount *and* the formula
with its numbers, so a payment can be explained years later.
"""

from __future__ import annotations

from collections.abc import Callable

from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord, MonthFacts
from ledger.domain.policy import PolicyBook
from ledger.domain.programmes import children, dibao, disability, elderly, tekun
from ledger.domain.programmes.entitlement import Entitlement
from ledger.domain.programmes.graduation import derive_graduations
from ledger.domain.standards import StandardBook

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


class CaseEntitlement:
    """What one case is entitled to, month by month, from the facts known now.

    Built once per case and asked for as many months as needed: the graduations are
    derived from the whole history once (``graduation.py``).
    """

    __slots__ = ("record", "standards", "policy", "graduations")

    def __init__(self, record: CaseRecord, standards: StandardBook, policy: PolicyBook) -> None:
        self.record = record
        self.standards = standards
        self.policy = policy
        self.graduations = derive_graduations(record, standards, policy)

    def facts(self, month: Month) -> MonthFacts:
        return self.record.facts_for(month, self.graduations)

    def for_month(self, month: Month) -> Entitlement:
        return entitlement(self.facts(month), self.standards, self.policy)

    def paid_for(self, month: Month) -> bool:
        """Whether the case's own programme pays it anything for ``month``."""
        return self.for_month(month).amount > 0

    def status(self, month: Month) -> str:
        """pending, in_payment, graduating, graduated or exited, for ``month``."""
        record = self.record
        if record.exit_month is not None and month >= record.exit_month:
            return "exited"
        if month < record.start_month:
            return "pending"
        g = self.facts(month).graduation
        if dibao.in_graduation(g, month):
            return "graduating"
        if dibao.graduated(g, month):
            return "graduated"
        return "in_payment"


__all__ = ["CaseEntitlement", "Entitlement", "RULES", "entitlement"]
