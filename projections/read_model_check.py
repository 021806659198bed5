"""Does the live read model still say what the event log says?

The hash chain proves the log; it says nothing about the tables people (and, before
``ledger.services.approved_lines``, the bank file) read. Here the log is re-projected, up to
the live read model's own position, into a scratch SQLite database with the very
same projection code, and every table is compared with the live one row by row,
both sides streamed in key order (memory stays flat). A row edited, inserted or
deleted outside the ledger is reported by table, key and column names — never by
value, since the values are personal data. The scratch file lives in a private
temporary folder and is removed afterwards; sealed columns are compared opened,
because every seal has its own nonce.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from sqlalchemy import Connection, Engine, Table, create_engine, insert, select

from projections import schema
from projections.read_model import ReadModel
from projections.tracking import advance, read_position

PAGE = 5000
LIMIT = 20
"""Differences reported at most (the first ones, in table and key order)."""

# table -> (key columns, in order; columns compared). The journal's line_id is a counter of
# insertion, not a fact, so its rows are keyed by what they post.
_TABLES: list[tuple[Table, tuple[str, ...]]] = [
    (schema.cases, ("case_id",)),
    (schema.batches, ("batch_id",)),
    (schema.payments, ("payment_id",)),
    (schema.reliefs, ("relief_id",)),
    (schema.members, ("case_id", "person_key", "from_month")),
    (schema.campaigns, ("campaign_id",)),
    (schema.campaign_handovers, ("campaign_id", "person_key")),
    (schema.institutions, ("institution_id",)),
    (schema.institution_grants, ("institution_id", "number")),
    (schema.journal, ("entry", "payment_id", "account", "kind", "position", "debit", "credit")),
]


@dataclass(frozen=True)
class Difference:
    table: str
    key: str
    """The row's key columns as ``name=value`` (ids and positions only)."""
    problem: str
    columns: tuple[str, ...] = ()

    def __str__(self) -> str:
        cols = f" ({', '.join(self.columns)})" if self.columns else ""
        return f"{self.table} {self.key}: {self.problem}{cols}"


@dataclass
class ReadModelCheck:
    position: int
    rows: int = 0
    differences: list[Difference] = field(default_factory=list)
    more: bool = False
    """True when there were more differences than reported."""

    @property
    def ok(self) -> bool:
        return not self.differences


def check_read_model(app: Application[UUID], engine: Engine, limit: int = LIMIT) -> ReadModelCheck:
    """Re-project the log into scratch tables and compare them with the live read model."""
    with tempfile.TemporaryDirectory(prefix="ledger-verify-") as folder:
        scratch = create_engine(f"sqlite:///{Path(folder) / 'read_model.db'}")
        scratch.dialect.ledger_sealer = engine.dialect.ledger_sealer  # type: ignore[attr-defined]
        try:
            with engine.connect() as live:
                _snapshot(live)
                position = read_position(live, ReadModel.NAME)
                _replay(app, scratch, position)
                result = ReadModelCheck(position)
                with scratch.connect() as fresh:
                    for table, keys in _TABLES:
                        if not _compare(table, keys, live, fresh, result, limit):
                            break
        finally:
            scratch.dispose()
    return result


def _snapshot(conn: Connection) -> None:
    from ledger.adapters.snapshot_read import SNAPSHOT_READ

    if conn.dialect.name == "postgresql":
        conn.execution_options(isolation_level="REPEATABLE READ")
    else:
        conn.execution_options(**{SNAPSHOT_READ: True})


def _replay(app: Application[UUID], scratch: Engine, position: int) -> None:
    schema.metadata.create_all(scratch)
    projection = ReadModel(app, scratch)
    with scratch.begin() as conn:
        conn.execute(insert(schema.tracking).values(name=ReadModel.NAME, position=0))
    start = 0
    while start < position:
        notifications = app.recorder.select_notifications(
            start, PAGE, stop=position, inclusive_of_start=False)
        if not notifications:
            break
        with scratch.begin() as conn:
            projection._apply(conn, notifications)
            advance(conn, ReadModel.NAME, start, notifications[-1].id)
        start = notifications[-1].id


def _rows(conn: Connection, table: Table, keys: Sequence[str]) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
    columns = [c for c in table.columns if c.name != "line_id"]
    order = [table.c[k].collate("C") if conn.dialect.name == "postgresql"
             and table.c[k].type.python_type is str else table.c[k] for k in keys]
    for row in conn.execution_options(yield_per=PAGE).execute(
            select(*columns).order_by(*order)).mappings():
        values = dict(row)
        yield tuple(values[k] for k in keys), values


def _compare(table: Table, keys: Sequence[str], live: Connection, fresh: Connection,
             result: ReadModelCheck, limit: int) -> bool:
    """Merge the two ordered streams; False once ``limit`` differences are found."""
    ours, theirs = _rows(live, table, keys), _rows(fresh, table, keys)
    a, b = next(ours, None), next(theirs, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            assert a is not None
            found = Difference(table.name, _key(keys, a[0]), "row not in the log (inserted)")
            a = next(ours, None)
        elif a is None or b[0] < a[0]:
            found = Difference(table.name, _key(keys, b[0]), "row missing (deleted)")
            b = next(theirs, None)
        else:
            result.rows += 1
            differ = tuple(c for c in a[1] if a[1][c] != b[1][c])
            a_key = a[0]
            a, b = next(ours, None), next(theirs, None)
            if not differ:
                continue
            found = Difference(table.name, _key(keys, a_key), "differs from the log", differ)
        if len(result.differences) >= limit:
            result.more = True
            return False
        result.differences.append(found)
    return True


def _key(keys: Sequence[str], values: tuple[Any, ...]) -> str:
    shown = [(k, v) for k, v in zip(keys, values, strict=True) if k not in ("debit", "credit")]
    return " ".join(f"{k}={v}" for k, v in shown)
