"""Tracking positions: how far each projection has applied the event log.

The position is read with a row lock (PostgreSQL ``FOR UPDATE``; on SQLite the
engine begins every transaction IMMEDIATE) and advanced with a compare-and-set,
so two processes catching up at once never apply a page twice.
"""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from projections import schema


class TrackingConflictError(RuntimeError):
    """Raised when another process advanced the same projection concurrently."""


def read_position(conn: Connection, name: str, *, for_update: bool = False) -> int:
    t = schema.tracking.c
    query = select(t.position).where(t.name == name)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    position = conn.execute(query).scalar()
    if position is None:
        if for_update:
            conn.execute(insert(schema.tracking).values(name=name, position=0))
        return 0
    return int(position)


def advance(conn: Connection, name: str, old: int, new: int) -> None:
    t = schema.tracking.c
    result = conn.execute(
        update(schema.tracking).where(t.name == name, t.position == old).values(position=new)
    )
    if result.rowcount != 1:
        raise TrackingConflictError(f"projection {name} moved past {old} concurrently")


def reset(conn: Connection, name: str) -> None:
    conn.execute(schema.tracking.delete().where(schema.tracking.c.name == name))
