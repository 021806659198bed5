"""Reading the ledger's payroll months from the read model, for the month-order rule."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, func, select

from ledger.domain.calendar import Month
from ledger.domain.errors import BatchStateError
from ledger.domain.month_order import LedgerMonths, refusal
from ledger.domain.pay_deadline import MonthStatus, watch
from ledger.services.runtime import Runtime
from projections import schema


class MonthOrderError(BatchStateError):
    """Raised when a payroll month would skip a month, or lies beyond the next calendar month."""


def regular_batches(conn: Connection) -> dict[Month, tuple[str, str]]:
    """month -> (batch id, status) of every regular batch, discarded ones included."""
    b = schema.batches.c
    return {Month.parse(m): (bid, status) for bid, m, status in conn.execute(
        select(b.batch_id, b.month, b.status).where(b.kind == "regular"))}


def read_ledger_months(conn: Connection) -> LedgerMonths:
    c = schema.cases.c
    earliest = conn.execute(select(func.min(c.start_month))).scalar_one()
    batches = {m: status for m, (_, status) in regular_batches(conn).items()
               if status != "discarded"}
    return LedgerMonths(Month.parse(earliest) if earliest else None, batches)


def check_month(rt: Runtime, month: Month, today: date | None) -> None:
    """Refuse (exit 1) a regular payroll that would break the month order (ledger.domain.month_order)."""
    with rt.engine.connect() as conn:
        reason = refusal(month, read_ledger_months(conn), today)
    if reason is not None:
        raise MonthOrderError(reason)


def payroll_watch(rt: Runtime, today: date, only: Month | None = None) -> list[MonthStatus]:
    """The month's rhythm as of ``today``: each month's regular batch and what is late."""
    rt.read_model.catch_up()
    with rt.engine.connect() as conn:
        first = read_ledger_months(conn).first
        batches = regular_batches(conn)
    policy = rt.app.policy_book()
    return watch(first, batches, today,
                 lambda m: int(policy.value("payroll.pay_by_day", m)),
                 lambda m: int(policy.value("payroll.reconcile_days", m)), only)
