"""The price-linkage job: decide a recorded CPI month and raise its price subsidy batch.

The decision is recorded on the month's CPI record either way. When triggered,
every covered case in payment in the measured month gets one ``price_subsidy``
line in the month's own ``price_subsidy`` batch. Payment ids are deterministic
and an unchanged batch is left alone, so running it again records nothing new.
Streamed in parts of cases like the payroll (compared, then recorded, a part at a
time), so a province's price subsidy holds one part of lines in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from uuid import UUID

from sqlalchemy import Connection, func, select

from ledger.domain import ids
from ledger.domain.batch import Batch
from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord
from ledger.domain.errors import NotFoundError
from ledger.domain.payroll import Line
from ledger.domain.policy import PolicyBook
from ledger.domain.price_linkage import Decision, case_subsidy, decide
from ledger.domain.standards import StandardBook
from ledger.services.batch_writer import CHUNK, BatchRun, Existing, Payee, differs
from ledger.services.payroll_reads import (
    case_snapshot,
    existing_lines,
    existing_where,
    record_pages,
)
from ledger.services.price_coverage import counted_elsewhere
from ledger.services.runtime import Runtime
from projections import schema

KIND = "price_subsidy"


def run_price_linkage(rt: Runtime, month: Month, by: str) -> Batch | None:
    """Decide ``month`` and, when triggered, build its price subsidy batch; None when suspended."""
    app = rt.app
    record = app.cpi(month)
    if record is None or record.cpi_yoy is None or record.food_yoy is None:
        raise NotFoundError(f"no CPI recorded for {month}")
    policy = app.policy_book()
    cpi_threshold: Decimal = policy.value("price_linkage.cpi_threshold", month)
    food_threshold: Decimal = policy.value("price_linkage.food_threshold", month)
    decision = decide(record.cpi_yoy, record.food_yoy, cpi_threshold, food_threshold)
    thresholds = {"cpi": str(cpi_threshold), "food": str(food_threshold)}
    if record.decide_price_linkage(decision.triggered, decision.rise, decision.index,
                                   thresholds, by):
        app.save(record)

    with case_snapshot(rt) as (position, snapshot):
        return _build(rt, month, decision, position, snapshot, by)


Part = tuple[tuple[str, str], list[tuple[Line, Payee]]]
"""One part of the batch: its range of case ids (after, up to) and those cases' lines."""
LinesOf = Callable[[list[CaseRecord]], "list[tuple[Line, Payee]]"]
"""The lines of a page of cases."""


def _build(rt: Runtime, month: Month, decision: Decision, position: int,
           snapshot: Connection, by: str) -> Batch | None:
    app = rt.app
    policy, standards = app.policy_book(), app.standard_book()
    bid = ids.batch_id(month, KIND)
    batch: Batch | None = app.maybe(bid)
    if batch is not None and batch.status != "draft":
        return batch  # an approved batch is never changed
    if not decision.triggered:
        if batch is not None and batch.payments:
            # A correction suspended it: every line withdrawn, part by part.
            _refresh(rt, batch, month, position, _parts(snapshot, lambda _: []), by)
        return None
    floor = policy.value("price_linkage.floor", month)

    def lines_of(records: list[CaseRecord]) -> list[tuple[Line, Payee]]:
        """A person counted by another case of theirs is not paid again (once per person)."""
        counted = counted_elsewhere(snapshot, [r.case_id for r in records], [month],
                                    standards, policy)
        return [line for record in records if (line := _line(
            record, month, decision, floor, standards, policy,
            counted.get(record.case_id, frozenset())))]

    # Streamed like the payroll: one part of cases is computed and compared (or recorded)
    # at a time, twice over the same snapshot when the batch changed, so memory holds a
    # part, never the whole batch's lines.
    if (batch is not None and batch.computed and not batch.running
            and _unchanged(rt, month, bid, _parts(snapshot, lines_of))):
        return batch
    return _refresh(rt, batch, month, position, _parts(snapshot, lines_of), by)


def _parts(snapshot: Connection, lines_of: LinesOf) -> Iterator[Part]:
    after = ""
    for page in record_pages(snapshot, CHUNK):
        last = page[-1][0].case_id
        yield (after, last), lines_of([record for record, _ in page])
        after = last


def _unchanged(rt: Runtime, month: Month, bid: UUID, parts: Iterator[Part]) -> bool:
    """True when the batch's recorded lines are exactly the computed ones, part by part."""
    live = 0
    with rt.engine.connect() as conn:
        for case_range, lines in parts:
            existing = existing_lines(conn, bid, case_range)
            wanted = {ids.payment_id(month, KIND, ln.case_id, ln.programme, ln.kind,
                                     ln.for_month).hex: (ln, p) for ln, p in lines}
            if any(differs(existing.get(pid), ln, p) for pid, (ln, p) in wanted.items()):
                return False
            if any(pid not in wanted and status != "withdrawn"
                   for pid, (_, _, status, _, _) in existing.items()):
                return False
            live += len(wanted)
        # A live line outside every part (a case no longer read) is a change too.
        return _live_lines(conn, bid) == live


def _live_lines(conn: Connection, bid: UUID) -> int:
    p = schema.payments.c
    return int(conn.execute(select(func.count()).where(
        p.batch_id == bid.hex, p.own_status != "withdrawn")).scalar_one())


def _refresh(rt: Runtime, batch: Batch | None, month: Month, position: int,
             parts: Iterator[Part], by: str) -> Batch:
    run = BatchRun(rt, month, KIND, by)
    batch = run.start(position)
    after = ""
    for case_range, lines in parts:
        with rt.engine.connect() as conn:
            existing = existing_lines(conn, batch.id, case_range)
        run.record(lines, existing)
        after = case_range[1]
    with rt.engine.connect() as conn:  # lines of cases past the last one read: withdrawn
        run.record([], _lines_after(conn, batch.id, after))
    return run.complete(position, {})


def _lines_after(conn: Connection, bid: UUID, after: str) -> Existing:
    return existing_where(conn, bid, schema.payments.c.case_id > after)


def _line(record: CaseRecord, month: Month, decision: Decision, floor: int,
          standards: StandardBook, policy: PolicyBook,
          counted: frozenset[Month]) -> tuple[Line, Payee] | None:
    """The price subsidy line of one case, or None when not covered, not in payment, or its
    person is counted by another case that month."""
    found = case_subsidy(record, month, decision, floor, standards, policy,
                         counted_elsewhere=counted)
    if found is None:
        return None
    amount, formula = found
    payee = Payee.of(record)
    return Line(UUID(record.case_id), KIND, KIND, month, amount, amount, formula), payee
