"""Tracking positions: how far each projection has applied the event log, and the position
of the last event that changed its tables (``changed_position``).

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
    """Forget the position, and the last changed position with it."""
    conn.execute(schema.tracking.delete().where(
        schema.tracking.c.name.in_((name, name + CHANGED))))


CHANGED = ":changed"
"""Suffix of the tracking row holding the last position that changed a projection's rows.

Most events of a busy day change no read-model row (a sign-in is recorded, and skipped by
the read model), yet they move the position. Views computed from the tables (the console's
dashboard counts, a batch's counts by status, the 月报) are the same until a row changes,
so they are kept per *changed* position: a sign-in no longer throws them away."""


def mark_changed(conn: Connection, name: str, position: int) -> None:
    """Record ``position`` as the last that changed ``name``'s rows (in the page's transaction)."""
    t = schema.tracking.c
    key = name + CHANGED
    if conn.execute(update(schema.tracking).where(t.name == key)
                    .values(position=position)).rowcount == 0:
        conn.execute(insert(schema.tracking).values(name=key, position=position))


def changed_position(conn: Connection, name: str) -> int:
    """The last position that changed ``name``'s rows; its position when none is recorded
    (a ledger projected before this row existed, or just emptied), which is never too old."""
    t = schema.tracking.c
    found = conn.execute(select(t.position).where(t.name == name + CHANGED)).scalar()
    return int(found) if found is not None else read_position(conn, name)
