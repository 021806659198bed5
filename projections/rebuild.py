"""Rebuild: empty the read-model tables and replay the whole log into them.

The result must equal what incremental catch-up built; a test says so.
"""

from __future__ import annotations

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
    """
    with bulk_writing(read_model.engine):
        with read_model.engine.begin() as conn:
            for table in READ_MODEL_TABLES:
                conn.execute(table.delete())
            reset(conn, read_model.NAME)
            conn.execute(schema.tracking.insert().values(name=read_model.NAME, position=0))
        if workers > 1:
            return read_model.catch_up_ahead(workers, page_size)
        return read_model.catch_up(page_size)
