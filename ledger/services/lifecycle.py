"""What time alone changes: age limits, age bands and finished graduations.

The entitlement rules already derive these from the facts for each month; the
daily sweep records them as events with their effective month so that case
history, ``case show`` and reports say *why* a payment stopped or changed:
- a child in ``orphan`` / ``child_in_difficulty`` exits from the month after
  the 18th birthday month;
- an ``elderly`` person moving into a higher age band (80-89, 90+) gets an
  ``AgeBandReached`` note from the month after the birthday month;
- a ``dibao`` household whose graduation (渐退) ran its course gets a note from
  the first month after it. It is not an exit: graduations are derived from the
  facts, and a fact recorded later that cancels one must still count.
Each is recorded once: running the sweep again for the same or a later day
records nothing new.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import select

from ledger.domain.calendar import Month
from ledger.domain.case import Case
from ledger.domain.case_record import CaseRecord
from ledger.domain.policy import PolicyBook
from ledger.domain.programmes.children import AGE_LIMIT
from ledger.domain.programmes.dibao import graduated
from ledger.domain.programmes.graduation import derive_graduations
from ledger.domain.standards import StandardBook
from ledger.services.runtime import Runtime
from projections import schema

BANDS = ((80, "80-89"), (90, "90+"))


def birthday_month(birth: date, age: int) -> Month:
    """The month of the ``age``-th birthday (29 February counts as February)."""
    return Month(birth.year + age, birth.month)


@dataclass
class SweepResult:
    age_limits: int = 0
    bands: int = 0
    graduations: int = 0

    @property
    def recorded(self) -> int:
        return self.age_limits + self.bands + self.graduations


def due_changes(record: CaseRecord, month: Month, standards: StandardBook,
                policy: PolicyBook) -> Iterator[tuple[str, Month, str]]:
    """(kind, effective month, text) of every time-driven change due by ``month``, not yet recorded."""
    if record.exit_month is not None:
        return
    if record.programme in ("orphan", "child_in_difficulty"):
        limit = birthday_month(record.birth_date, AGE_LIMIT) + 1
        if limit <= month:
            yield "age_limit", max(limit, record.start_month), f"age limit: reached {AGE_LIMIT}"
    elif record.programme == "elderly":
        for age, band in BANDS:
            effective = birthday_month(record.birth_date, age) + 1
            if record.start_month < effective <= month and not any(
                    note.endswith(" " + band) for note in record.bands):
                yield "band", effective, band
    elif record.programme == "dibao":
        derived = derive_graduations(record, standards, policy)
        g = derived[-1] if derived else None
        text = f"graduation (渐退) from {g.start} completed: exited by itself" if g else ""
        if g is not None and graduated(g, month) and not any(
                note == f"{g.end} {text}" for note in record.bands):
            yield "graduation", g.end, text


def sweep(rt: Runtime, on: date, by: str) -> SweepResult:
    month = Month.of(on)
    result = SweepResult()
    rt.read_model.catch_up()
    standards, policy = rt.app.standard_book(), rt.app.policy_book()
    due: list[tuple[str, list[tuple[str, Month, str]]]] = []
    c = schema.cases.c
    with rt.engine.connect() as conn:
        rows = conn.execution_options(yield_per=5000).execute(
            select(c.case_id, c.record).where(c.exit_month.is_(None),
                                              c.programme.in_(("orphan", "child_in_difficulty",
                                                               "elderly", "dibao"))))
        for case_id, text in rows:
            changes = list(due_changes(CaseRecord.from_json(text), month, standards, policy))
            if changes:
                due.append((case_id, changes))
    for i in range(0, len(due), 500):
        cases = []
        for case_id, changes in due[i:i + 500]:
            case: Case = rt.app.case(UUID(case_id))
            for kind, effective, text in changes:
                if kind == "band":
                    case.note_age_band(effective, text, by)
                    result.bands += 1
                elif kind == "graduation":
                    case.note_graduation_completed(effective, text, by)
                    result.graduations += 1
                else:
                    case.exit(effective, text, by)
                    result.age_limits += 1
            cases.append(case)
        rt.app.save(*cases)
    rt.read_model.catch_up()
    return result
