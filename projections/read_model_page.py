"""One page of read-model work: the rows a page of events touches, folded, then written.

Events of one page are folded in memory and written with executemany (new rows by
``projections.bulk``, on PostgreSQL by COPY), which is what makes catch-up fast: rows
per statement, not statements per row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from ledger.domain.case_record import CaseRecord
from projections import schema
from projections.bulk import insert_rows, insert_values
from projections.journal import post_results

_PAYMENT_AT = {column.name: i for i, column in enumerate(schema.payments.columns)}


class Page:
    """Rows touched by one page of events, written together at flush."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.cases: dict[str, dict[str, Any]] = {}
        self.new_cases: set[str] = set()
        self.new_payments: dict[str, list[Any]] = {}
        """New payments' rows, each a list in ``rm_payments``' column order."""
        self.payment_changes: dict[str, dict[str, Any]] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.new_batches: set[str] = set()
        self.settled: list[str] = []
        self.returned: list[str] = []

    # --- cases -----------------------------------------------------------------
    def case(self, case_id: str) -> dict[str, Any]:
        if case_id not in self.cases:
            row = self.conn.execute(
                select(schema.cases).where(schema.cases.c.case_id == case_id)
            ).mappings().one()
            entry = dict(row)
            entry["_record"] = CaseRecord.from_json(row["record"])
            self.cases[case_id] = entry
        entry = self.cases[case_id]
        if entry["_record"] is None:  # enrolled in this page, its record still as JSON
            entry["_record"] = CaseRecord.from_json(entry["record"])
        return entry

    # --- payments ----------------------------------------------------------------
    def change_payment(self, payment_id: str, **values: Any) -> None:
        if payment_id in self.new_payments:
            row = self.new_payments[payment_id]
            for column, value in values.items():
                row[_PAYMENT_AT[column]] = value
        else:
            self.payment_changes.setdefault(payment_id, {}).update(values)

    # --- batches -------------------------------------------------------------------
    def batch(self, batch_id: str) -> dict[str, Any]:
        if batch_id not in self.batches:
            row = self.conn.execute(
                select(schema.batches).where(schema.batches.c.batch_id == batch_id)
            ).mappings().one()
            self.batches[batch_id] = dict(row)
        return self.batches[batch_id]

    def flush(self) -> None:
        """Write everything folded so far (before any set-wise statement, and at the end)."""
        conn = self.conn
        if self.cases:
            new_rows: list[dict[str, Any]] = []
            old_rows: list[dict[str, Any]] = []
            for case_id, entry in self.cases.items():
                row = {k: v for k, v in entry.items() if k != "_record"}
                record: CaseRecord | None = entry["_record"]
                if record is not None:  # None: a new case's JSON, unchanged since enrolment
                    row["record"] = record.to_json()
                    row["exit_month"] = str(record.exit_month) if record.exit_month else None
                (new_rows if case_id in self.new_cases else old_rows).append(row)
            if new_rows:
                insert_rows(conn, schema.cases, new_rows)
            if old_rows:
                c = schema.cases.c
                conn.execute(
                    update(schema.cases).where(c.case_id == bindparam("b_case_id")).values(
                        record=bindparam("record"), exit_month=bindparam("exit_month"),
                        name=bindparam("name"),  # a corrected payee name (更正姓名)
                        changed_position=bindparam("changed_position"),
                        bank_changed_position=bindparam("bank_changed_position"),
                    ),
                    [{**r, "b_case_id": r["case_id"]} for r in old_rows],
                )
            self.cases.clear()
            self.new_cases.clear()
        if self.new_payments:
            insert_values(conn, schema.payments, list(self.new_payments.values()))
            self.new_payments.clear()
        if self.payment_changes:
            by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for pid, values in self.payment_changes.items():
                by_shape.setdefault(tuple(sorted(values)), []).append({**values, "b_pid": pid})
            for columns, params in by_shape.items():
                conn.execute(
                    update(schema.payments)
                    .where(schema.payments.c.payment_id == bindparam("b_pid"))
                    .values({col: bindparam(col) for col in columns}),
                    params,
                )
            self.payment_changes.clear()
        if self.settled or self.returned:
            post_results(conn, self.settled, self.returned)
            self.settled, self.returned = [], []
        for batch_id, row in self.batches.items():
            if batch_id in self.new_batches:
                conn.execute(insert(schema.batches), [row])
            else:
                conn.execute(
                    update(schema.batches).where(schema.batches.c.batch_id == batch_id)
                    .values({k: v for k, v in row.items() if k != "batch_id"})
                )
        self.batches.clear()
        self.new_batches.clear()

