"""Rebuild: empty the read-model tables and replay the whole log into them.

The result must equal what incremental catch-up built; a test says so.
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

from projections import schema
from projections.read_model import PAGE_SIZE, ReadModel
from projections.sqlite_bulk import bulk_writing
from projections.tracking import reset

READ_MODEL_TABLES = (schema.chain, schema.journal, schema.payments, schema.batches, schema.cases, schema.reliefs,
                     schema.reviews, schema.accounts, schema.members, schema.campaigns,
                     schema.campaign_handovers, schema.institutions, schema.institution_grants)


_LOCK_NOT_AVAILABLE = "55P03"
TRUNCATE_WAIT = "5s"
"""How long a PostgreSQL rebuild waits for readers to let go of the tables before deleting instead."""


def rebuild(read_model: ReadModel, workers: int = 1, page_size: int = PAGE_SIZE) -> int:
    """Drop the rows and the position in one transaction, then catch up from zero.

    With ``workers`` > 1, that many processes read and decode the log ahead of this one
    (``ReadModel.catch_up_ahead``); the rows are the same either way (a test says so).
    On SQLite the rebuild's connections write in bulk (:mod:`projections.sqlite_bulk`).
    On PostgreSQL the planner's statistics are gathered again at the end (``ANALYZE``),
    as after any bulk load: the tables it planned for are gone.
    """
    with bulk_writing(read_model.engine):
        with read_model.engine.begin() as conn:
            _empty(conn)
            reset(conn, read_model.NAME)
            conn.execute(schema.tracking.insert().values(name=read_model.NAME, position=0))
        if workers > 1:
            position = read_model.catch_up_ahead(workers, page_size)
        else:
            position = read_model.catch_up(page_size)
    if read_model.engine.dialect.name == "postgresql":
        with read_model.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE " + _names(conn))
    return position


def _empty(conn: Connection) -> None:
    """Every read-model row gone, in the caller's transaction.

    On PostgreSQL a ``DELETE`` leaves every old row behind as a dead tuple until a vacuum
    (which a server may not run: autovacuum is off on the CI machine), so each rebuild
    doubled the tables and slowed the next one (100k cases, after three rebuilds: 1.4M
    dead rows in a 770 MB ``rm_payments``). ``TRUNCATE`` gives the space back at once. It
    needs the tables to itself: if a reader (a long export) holds them for longer than
    :data:`TRUNCATE_WAIT`, the rows are deleted instead, which waits for nobody (while it
    waits, new readers queue behind it, so the wait is short).
    SQLite's ``DELETE`` without a condition already truncates.
    """
    if conn.dialect.name == "postgresql":
        try:
            with conn.begin_nested():
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{TRUNCATE_WAIT}'")
                conn.exec_driver_sql("TRUNCATE " + _names(conn))
                conn.exec_driver_sql("SET LOCAL lock_timeout = 0")
            return
        except OperationalError as e:
            if getattr(e.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
                raise
    for table in READ_MODEL_TABLES:
        conn.execute(table.delete())


def _names(conn: Connection) -> str:
    quote = conn.dialect.identifier_preparer.format_table
    return ", ".join(quote(table) for table in READ_MODEL_TABLES)
