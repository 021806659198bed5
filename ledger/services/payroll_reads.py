"""What a payroll reads of the read model: one snapshot of the cases, and a part's lines.

The cases are read in one snapshot for the whole run (see :func:`case_snapshot`), in
keyset pages of case-id order; the lines a batch already has, and last month's lines,
are read per part (a range of case ids) when that part is recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Connection, select

from ledger.adapters.snapshot_read import SNAPSHOT_READ
from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord
from ledger.domain.change_report import PreviousLine
from ledger.services.batch_writer import Existing
from ledger.services.runtime import Runtime
from projections import schema
from projections.tracking import read_position

CaseRange = tuple[str, str]
"""Case ids after the first and up to the second: one part of a streamed payroll."""

RawCase = tuple[str, str, int, str]
"""(case id, record as stored JSON, log position of its last change, programme)."""


@contextmanager
def case_snapshot(rt: Runtime) -> Iterator[tuple[int, Connection]]:
    """The case read model as of one log position, and that position, for a whole run.

    A run reads its cases page by page for minutes at province scale while other
    processes may record and project changes. Every page is read in one snapshot (a
    read-only WAL transaction on SQLite, REPEATABLE READ on PostgreSQL) that also gives
    the read model's position, so the position a batch records is exactly the state its
    lines were computed from — and can be explained from later.
    """
    rt.read_model.catch_up()
    with rt.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        else:
            conn.execution_options(**{SNAPSHOT_READ: True})
        position = read_position(conn, rt.read_model.NAME)
        yield position, conn


def raw_pages(conn: Connection, size: int) -> Iterator[list[RawCase]]:
    """Every case as stored, in pages of case-id order (keyset pages on the snapshot).

    Left undecoded: a parallel payroll hands the text to its workers, who decode it.
    """
    c = schema.cases.c
    after = ""
    while True:
        rows = conn.execute(
            select(c.case_id, c.record, c.changed_position, c.programme)
            .where(c.case_id > after).order_by(c.case_id).limit(size)
        ).all()
        if not rows:
            return
        yield [(r[0], r[1], r[2], r[3]) for r in rows]
        after = rows[-1][0]


def record_pages(conn: Connection, size: int) -> Iterator[list[tuple[CaseRecord, int]]]:
    """Every case record with the log position of its last change, in pages of case-id order.

    Keyset pages on the caller's (snapshot) connection: memory holds one page.
    """
    for page in raw_pages(conn, size):
        yield [(CaseRecord.from_json(text), changed_at) for _, text, changed_at, _ in page]


def _in_part(case_id: Any, part: CaseRange) -> Any:
    return (case_id > part[0]) & (case_id <= part[1])


def existing_lines(conn: Connection, batch_id: UUID, part: CaseRange | None = None,
                   relief: bool = False) -> Existing:
    """The lines a batch already has: all of them, those of one part's cases, or its reliefs.

    A relief line's case id is the relief's own id, so reliefs (their lines and reissues:
    the ``temporary`` programme's, which no case has) are never part of a range.
    """
    p = schema.payments.c
    if relief:
        return existing_where(conn, batch_id, p.programme == "temporary")
    if part is not None:
        return existing_where(conn, batch_id, _in_part(p.case_id, part),
                              p.programme.not_in(("temporary", "institution")))
    return existing_where(conn, batch_id)


def existing_where(conn: Connection, batch_id: UUID,
                   *conditions: ColumnElement[bool]) -> Existing:
    """A batch's recorded lines that meet ``conditions``, in the shape the writer diffs against.

    The one reader of :data:`Existing` (keyed by the payment id's hex): the payroll's parts,
    its reliefs, its institutions and the price-subsidy batch all read through here.
    """
    p = schema.payments.c
    query = select(p.payment_id, p.amount, p.transfer, p.own_status, p.bank_account,
                   p.name).where(p.batch_id == batch_id.hex, *conditions)
    return {r[0]: (int(r[1]), int(r[2]), r[3], r[4], r[5]) for r in conn.execute(query)}


def previous_lines(conn: Connection, month: Month, part: CaseRange) -> list[PreviousLine]:
    """Last month's regular lines of one part's cases, for the change report."""
    p = schema.payments.c
    rows = conn.execute(
        select(p.case_id, p.programme, p.kind, p.amount)
        .where(p.batch_month == str(month + -1), p.batch_kind == "regular",
               p.own_status != "withdrawn", _in_part(p.case_id, part),
               p.programme != "institution")
    )
    return [(r[0], r[1], r[2], int(r[3])) for r in rows]
