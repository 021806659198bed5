"""Rebuild: empty the read-model tables and replay the whole log into them.

The result must equal what incremental catch-up built; a test says so.
"""

from __future__ import annotations

from sqlalchemy import Connection

from projections import schema
from projections.read_model import PAGE_SIZE, ReadModel
from projections.sqlite_bulk import bulk_writing
from projections.tracking import reset

READ_MODEL_TABLES = (schema.chain, schema.journal, schema.payments, schema.batches, schema.cases, schema.reliefs,
                     schema.reviews, schema.accounts, schema.members, schema.campaigns,
                     schema.campaign_handovers, schema.institutions, schema.institution_grants)


def rebuild(read_model: ReadModel, workers: int = 1, page_size: int = PAGE_SIZE) -> int:
    """Drop the rows and the position in one transaction, then catch up from zero.

    With ``workers`` > 1, that many processes read and decode the log ahead of this one
    (``ReadModel.catch_up_ahead``); the rows are the same either way (a test says so).
    On SQLite the rebuild's connections write in bulk (:mod:`projections.sqlite_bulk`).

    On PostgreSQL the rows are deleted, not truncated, because ``TRUNCATE`` is not
    MVCC-safe: a payroll run reads its cases in one REPEATABLE READ snapshot that starts
    with the read model's position, and a truncation committed between that read and its
    first page of cases would show it the old position over empty tables. Every deleted
    row stays behind as a dead tuple until a vacuum, and a server may run none (autovacuum
    is off on the CI machine): each rebuild would double the tables. So the rebuild
    vacuums the tables itself, right after the deletion commits and before it writes: the
    rows it writes have the ids of the rows it deleted (payment ids are deterministic), and
    with the dead rows still there every insert into a unique index went to the table to
    check that its dead twin was really dead (100k cases, 2 workers: 8.4 s with the vacuum
    at the end, 7.5 s with it first). A vacuum removes only rows no open snapshot can
    still see, so a reader of the old rows keeps them. At the end the tables are analysed,
    as after any bulk load; the few rows the rebuild itself updates (bank results) are
    left to the next rebuild's vacuum or the server's autovacuum.
    """
    with bulk_writing(read_model.engine):
        emptied(read_model)
        if workers > 1:
            position = read_model.catch_up_ahead(workers, page_size)
        else:
            position = read_model.catch_up(page_size)
    analysed(read_model)
    return position


def _maintain(read_model: ReadModel, command: str) -> None:
    """PostgreSQL: ``command`` (VACUUM, ANALYZE) on every read-model table; elsewhere nothing."""
    if read_model.engine.dialect.name != "postgresql":
        return
    with read_model.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")  # VACUUM's own rule
        conn.exec_driver_sql(f"{command} {_names(conn)}")


def emptied(read_model: ReadModel) -> None:
    """:func:`empty`, then on PostgreSQL the deleted rows vacuumed: what a rebuild writes into."""
    empty(read_model)
    _maintain(read_model, "VACUUM")


def analysed(read_model: ReadModel) -> None:
    """PostgreSQL: the planner's statistics gathered again, as after any bulk load."""
    _maintain(read_model, "ANALYZE")


def empty(read_model: ReadModel) -> None:
    """Every read-model row gone and the position back to 0, in one transaction."""
    with read_model.engine.begin() as conn:
        for table in READ_MODEL_TABLES:
            conn.execute(table.delete())
        reset(conn, read_model.NAME)
        conn.execute(schema.tracking.insert().values(name=read_model.NAME, position=0))


def _names(conn: Connection) -> str:
    quote = conn.dialect.identifier_preparer.format_table
    return ", ".join(quote(table) for table in READ_MODEL_TABLES)
