"""Rebuild: empty the read-model tables and replay the whole log into them.

The result must equal what incremental catch-up built; a test says so.
"""

from __future__ import annotations

from projections import schema
from projections.read_model import ReadModel
from projections.tracking import reset

READ_MODEL_TABLES = (schema.chain, schema.journal, schema.payments, schema.batches, schema.cases, schema.reliefs,
                     schema.reviews, schema.accounts, schema.members)


def rebuild(read_model: ReadModel) -> int:
    """Drop the rows and the position in one transaction, then catch up from zero."""
    with read_model.engine.begin() as conn:
        for table in READ_MODEL_TABLES:
            conn.execute(table.delete())
        reset(conn, read_model.NAME)
        conn.execute(schema.tracking.insert().values(name=read_model.NAME, position=0))
    return read_model.catch_up()
