"""The price-linkage job: decide a recorded CPI month and raise its price subsidy batch.

The decision is recorded on the month's CPI record either way. When triggered,
every covered case in payment in the measured month gets one ``price_subsidy``
line in the month's own ``price_subsidy`` batch. Payment ids are deterministic
and an unchanged batch is left alone, so running it again records nothing new.
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from sqlalchemy import Connection

from ledger.domain import ids
from ledger.domain.batch import Batch
from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord
from ledger.domain.errors import NotFoundError
from ledger.domain.payroll import Line
from ledger.domain.policy import PolicyBook
from ledger.domain.price_linkage import Decision, case_subsidy, decide
from ledger.domain.standards import StandardBook
from ledger.services.batch_writer import CHUNK, BatchRun, Payee, differs
from ledger.services.payroll_reads import case_snapshot, existing_lines, record_pages
from ledger.services.runtime import Runtime

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
            _refresh(rt, batch, month, position, [], by)  # a correction suspended it: withdraw
        return None
    floor = policy.value("price_linkage.floor", month)
    # Price-subsidy lines go to dibao and tekun households only (a fraction of the cases);
    # they are held in memory to tell an unchanged batch from one to refresh.
    lines = [line for page in record_pages(snapshot, CHUNK) for record_, _ in page
             if (line := _line(record_, month, decision, floor, standards, policy))]
    with rt.engine.connect() as conn:
        existing = existing_lines(conn, bid)
    wanted = {ids.payment_id(month, KIND, ln.case_id, ln.programme, ln.kind, ln.for_month).hex: (ln, p)
              for ln, p in lines}
    unchanged = (
        batch is not None and batch.computed and not batch.running
        and not any(differs(existing.get(pid), ln, p) for pid, (ln, p) in wanted.items())
        and not any(pid not in wanted and status != "withdrawn"
                    for pid, (_, _, status, _) in existing.items())
    )
    if unchanged:
        assert batch is not None
        return batch
    return _refresh(rt, batch, month, position, lines, by)


def _refresh(rt: Runtime, batch: Batch | None, month: Month, position: int,
             lines: list[tuple[Line, Payee]], by: str) -> Batch:
    run = BatchRun(rt, month, KIND, by)
    batch = run.start(position)
    with rt.engine.connect() as conn:
        existing = existing_lines(conn, batch.id)
    run.record(lines, existing)
    return run.complete(position, {})


def _line(record: CaseRecord, month: Month, decision: Decision, floor: int,
          standards: StandardBook, policy: PolicyBook) -> tuple[Line, Payee] | None:
    """The price subsidy line of one case, or None when not covered or not in payment."""
    found = case_subsidy(record, month, decision, floor, standards, policy)
    if found is None:
        return None
    amount, formula = found
    payee = Payee.of(record)
    return Line(UUID(record.case_id), KIND, KIND, month, amount, amount, formula), payee
