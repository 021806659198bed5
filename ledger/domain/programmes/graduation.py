"""低保渐退 (graduation exit), derived from the facts known now — never from recording order.

A dibao household's graduation is not a decision frozen when a reassessment is typed in:
it follows from the facts in force for each month, so the same facts give the same money
whatever order they were recorded in (SPEC: "Order never matters").

- A graduation can start only in the effective month ``s`` of a recorded change of the
  household (a reassessment), after its first month, when the per-capita income in force
  for ``s`` reaches or exceeds the dibao standard in force for ``s`` and no graduation is
  under way.
- Its base is the regular amount the household is entitled to *now* for ``s − 1``; its
  length and taper are the policy in force for ``s``.
- It is cancelled from the first month of ``[s, s + months)`` whose income in force is
  below that month's standard; the ordinary formula applies again from then on, and a
  later reassessment may start a new graduation.
- Not cancelled, it runs its course: from ``s + months`` the household has exited by
  itself and nothing later is paid (a change in the end month itself is too late).
"""

from __future__ import annotations

from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord, Graduation
from ledger.domain.policy import PolicyBook
from ledger.domain.programmes.dibao import regular_for
from ledger.domain.standards import StandardBook


def derive_graduations(record: CaseRecord, standards: StandardBook,
                       policy: PolicyBook) -> tuple[Graduation, ...]:
    """Every graduation of a dibao household by the facts known now, in month order."""
    if record.programme != "dibao":
        return ()
    candidates = sorted({m for m, _, _ in record.changes if m > record.start_month})
    found: list[Graduation] = []
    for start in candidates:
        if record.exit_month is not None and start >= record.exit_month:
            break
        if found:
            last = found[-1]
            if last.cancelled_from is None:
                if start < last.end:
                    continue  # still graduating
                break  # ran its course: the household has exited by itself
            if start < last.cancelled_from:
                continue
        if _income_reaches_standard(record, start, standards) is not True:
            continue
        months: int = policy.value("graduation.months", start)
        taper = policy.value("graduation.taper", start)
        base = regular_for(record.facts_for(start + -1), standards, policy).amount
        found.append(Graduation(start, base, months, tuple(taper),
                                _cancelled_from(record, start, months, standards)))
    return tuple(found)


def _income_reaches_standard(record: CaseRecord, month: Month,
                             standards: StandardBook) -> bool | None:
    """Income in force ≥ standard in force for ``month``; None when either is unknown."""
    facts = record.facts_for(month)
    standard = standards.monthly("dibao", facts.area or "", month)
    if standard is None or facts.income_per_capita is None:
        return None
    return facts.income_per_capita >= standard


def _cancelled_from(record: CaseRecord, start: Month, months: int,
                    standards: StandardBook) -> Month | None:
    """The first month of the graduation whose income is below its standard, if any."""
    for i in range(1, months):
        if _income_reaches_standard(record, start + i, standards) is False:
            return start + i
    return None
