"""Inserting many read-model rows at the driver's speed.

SQLAlchemy's ``conn.execute(insert(table), rows)`` processes every parameter of every
row in Python before the driver sees it; for the tens of thousands of rows a payroll
chunk or a roster import projects, that cost more than the database's own work.
Here the statement is written once and the rows go straight to the driver's
``executemany`` as tuples; only the columns whose type transforms values (the sealed
personal data, see ``schema.SealedText``) are processed, with the type's own code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect, Table, TypeDecorator


def _placeholder(paramstyle: str) -> str:
    return "?" if paramstyle == "qmark" else "%s"


def _binder(kind: TypeDecorator[Any], dialect: Dialect) -> Callable[[Any], Any]:
    """The column type's own conversion of a Python value into what the driver stores."""
    return lambda value: kind.process_bind_param(value, dialect)


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
            processors.append((i, _binder(column.type, dialect)))
    mark = _placeholder(dialect.paramstyle)
    sql = (f"INSERT INTO {table.name} ({', '.join(names)}) "
           f"VALUES ({', '.join([mark] * len(names))})")
    params = []
    for row in rows:
        values = [row[name] for name in names]
        for i, process in processors:
            values[i] = process(values[i])
        params.append(tuple(values))
    conn.exec_driver_sql(sql, params)
