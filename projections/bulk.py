"""Inserting many read-model rows at the driver's speed.

SQLAlchemy's ``conn.execute(insert(table), rows)`` processes every parameter of every
row in Python before the driver sees it; for the tens of thousands of rows a payroll
chunk, a roster import or a catch-up page projects, that cost more than the database's
own work. Here the rows go straight to the driver as tuples: on PostgreSQL through
``COPY ... FROM STDIN`` (psycopg streams them in the server's text format, several
times faster than an ``executemany`` of INSERTs), elsewhere through one ``executemany``.
Either way on the caller's connection, so inside its transaction (the tracking
position and the rows commit together). Only the columns whose type transforms values
(the sealed personal data, see ``schema.SealedText``) are processed, with the type's
own code, and only when the ledger has a key: without one they pass through as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Table, TypeDecorator


def _placeholder(paramstyle: str) -> str:
    return "?" if paramstyle == "qmark" else "%s"


def _processors(conn: Connection, table: Table) -> list[tuple[int, Callable[[Any], Any]]]:
    dialect = conn.dialect
    sealer = getattr(dialect, "ledger_sealer", None)
    if sealer is not None and not sealer.active:
        return []  # SealedText without a key passes text through unchanged
    return [(i, _binder(column.type, dialect))
            for i, column in enumerate(table.columns) if isinstance(column.type, TypeDecorator)]


def _binder(kind: TypeDecorator[Any], dialect: Dialect) -> Callable[[Any], Any]:
    """The column type's own conversion of a Python value into what the driver stores."""
    return lambda value: kind.process_bind_param(value, dialect)


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (each with every column of ``table``) in one driver call."""
    names = [c.name for c in table.columns]
    insert_values(conn, table, [[row[name] for name in names] for row in rows])


def insert_values(conn: Connection, table: Table, rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows``, each a value for every column of ``table`` in the table's order."""
    if not rows:
        return
    names = [c.name for c in table.columns]
    processors = _processors(conn, table)
    params: Sequence[Sequence[Any]] = rows
    if processors:
        sealed = []
        for row in rows:
            values = list(row)
            for i, process in processors:
                values[i] = process(values[i])
            sealed.append(values)
        params = sealed
    if conn.dialect.name == "postgresql":
        _copy(conn, table.name, names, params)
        return
    mark = _placeholder(conn.dialect.paramstyle)
    sql = (f"INSERT INTO {table.name} ({', '.join(names)}) "
           f"VALUES ({', '.join([mark] * len(names))})")
    # Straight to the driver's cursor, on the connection's own (open) transaction: rows are
    # handed over as the lists they are built as, with no per-row conversion in between.
    raw: Any = conn.connection.driver_connection
    cursor = raw.cursor()
    try:
        cursor.executemany(sql, params)
    finally:
        cursor.close()


def _copy(conn: Connection, table: str, names: list[str], params: Sequence[Sequence[Any]]) -> None:
    """PostgreSQL: the rows through COPY on the connection's own (open) transaction."""
    raw: Any = conn.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(
            f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
        for values in params:
            copy.write_row(values)
