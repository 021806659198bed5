"""Inserting many read-model rows at the driver's speed.

SQLAlchemy's ``conn.execute(insert(table), rows)`` processes every parameter of every
row in Python before the driver sees it; for the tens of thousands of rows a payroll
chunk or a roster import projects, that cost more than the database's own work.
Here the statement is written once and the rows go straight to the driver's
``executemany`` as tuples; only the columns whose type transforms values (the sealed
personal data, see ``schema.SealedText``) are processed, with the type's own code.

On PostgreSQL the rows go by ``COPY ... FROM STDIN`` instead (psycopg's ``cursor.copy``,
its rows written by psycopg's C code), inside the caller's transaction: the same rows,
one stream instead of a statement per row. A duplicate key fails the COPY as it fails
the INSERT, and the transaction rolls back either way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, TypeDecorator


def _placeholder(paramstyle: str) -> str:
    return "?" if paramstyle == "qmark" else "%s"


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (each with every column of ``table``) with one driver executemany."""
    if not rows:
        return
    dialect = conn.dialect
    columns = list(table.columns)
    names = [c.name for c in columns]
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    for i, column in enumerate(columns):
        if isinstance(column.type, TypeDecorator):
            processors.append((i, lambda v, t=column.type: t.process_bind_param(v, dialect)))
    params = []
    for row in rows:
        values = [row[name] for name in names]
        for i, process in processors:
            values[i] = process(values[i])
        params.append(tuple(values))
    if dialect.name == "postgresql":
        _copy(conn, table, names, params)
        return
    mark = _placeholder(dialect.paramstyle)
    sql = (f"INSERT INTO {table.name} ({', '.join(names)}) "
           f"VALUES ({', '.join([mark] * len(names))})")
    conn.exec_driver_sql(sql, params)


def _copy(conn: Connection, table: Table, names: list[str], params: list[tuple[Any, ...]]) -> None:
    """The rows by COPY, on the caller's connection and so in its transaction."""
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(
            f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
        for values in params:
            copy.write_row(values)
