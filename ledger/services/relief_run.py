"""Relief lines for batches, and the out-of-cycle relief batch (先行救助).

``ledger payroll run --month M --kind relief`` builds the month's ``relief`` batch: every
advance relief (not refused) and every fully approved relief of month M or before that
no other batch has taken. The regular payroll pays fully approved reliefs the same way.
A relief's payment id comes from the relief alone (``ids.relief_payment_id``), whatever
batch takes it, so the event store itself refuses a second payment of one relief. The
batch is approved like any other: by someone other than whoever ran it (maker–checker).
A relief transfer the bank returned is paid again by the regular payroll once the relief's
account is corrected (``relief_reissue_lines``), as a person's is.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from uuid import UUID

from sqlalchemy import Connection, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ledger.domain.batch import Batch
from ledger.domain.calendar import Month
from ledger.domain.change_report import ChangeReport
from ledger.domain.errors import BatchStateError
from ledger.domain.payroll import Line, Reissue, reissue_lines
from ledger.services.batch_writer import CHUNK, BatchRun, Payee
from ledger.services.runtime import Runtime
from projections import schema
from projections.people import chunks

KIND = "relief"
PROGRAMME = "temporary"
"""A relief's lines, its reissues included, are the temporary relief programme's."""


def relief_lines(conn: Connection, batch_id: UUID, month: Month,
                 advance: bool = False) -> list[tuple[Line, Payee]]:
    """Fully approved relief (and with ``advance`` advance relief not refused) of ``month`` or
    before that no other batch holds (a withdrawn line frees it)."""
    r, p = schema.reliefs.c, schema.payments.c
    taken = {cid for (cid,) in conn.execute(
        select(p.case_id).where(p.kind == "relief", p.batch_id != batch_id.hex,
                                p.own_status != "withdrawn")
    )}
    payable: ColumnElement[bool] = r.payable.is_(True)
    if advance:
        payable = or_(payable, r.advance_on.is_not(None) & r.refused_reason.is_(None))
    lines = []
    # A relief is paid from the batch of its own month on, never by an earlier month's batch.
    for row in conn.execute(select(schema.reliefs).where(payable, r.month <= str(month))
                            .order_by(r.relief_id)).mappings():
        if row["relief_id"] in taken:
            continue
        lines.append((
            Line(UUID(row["relief_id"]), PROGRAMME, KIND, Month.parse(row["month"]),
                 int(row["amount"]), int(row["amount"]), row["formula"]),
            Payee(row["name"], row["id_number"], row["bank_name"], row["bank_account"],
                  row["town"], row["village"]),
        ))
    return lines


def relief_reissue_lines(conn: Connection,
                         reissues: Mapping[str, list[Reissue]]) -> list[tuple[Line, Payee]]:
    """The returned relief transfers to pay again (``reissues`` keyed by relief id, those
    whose account was corrected since), to the relief's account as it is now."""
    r = schema.reliefs.c
    # A relief's returned lines are the temporary programme's, which no case or institution
    # has: the map's other payees are never looked up here.
    wanted = [key for key, value in reissues.items() if any(x.programme == PROGRAMME
                                                              for x in value)]
    lines: list[tuple[Line, Payee]] = []
    for part in chunks(wanted):
        for row in conn.execute(select(schema.reliefs).where(r.relief_id.in_(part))
                                .order_by(r.relief_id)).mappings():
            payee = Payee(row["name"], row["id_number"], row["bank_name"], row["bank_account"],
                          row["town"], row["village"])
            lines.extend((line, payee) for line in reissue_lines(
                UUID(row["relief_id"]), PROGRAMME, reissues[row["relief_id"]]))
    return lines


def run_relief_batch(rt: Runtime, month: Month, by: str, today: date | None = None) -> Batch:
    """Build (or refresh, while a draft) the relief batch of ``month``."""
    from ledger.services.payroll_reads import case_snapshot, existing_lines

    if today is not None and month > Month.of(today) + 1:
        raise BatchStateError(f"a relief batch for {month} is too early: at most the next "
                              f"calendar month ({Month.of(today) + 1})")
    with case_snapshot(rt) as (position, _):
        run = BatchRun(rt, month, KIND, by)
        batch = run.start(position)
        with rt.engine.connect() as conn:
            lines = relief_lines(conn, batch.id, month, advance=True)
            existing = existing_lines(conn, batch.id, relief=True)
        run.record(lines, existing, CHUNK)
        report = ChangeReport()
        report.add((line for line, _ in lines), [], {})
        return run.complete(position, report.as_dict([]))
