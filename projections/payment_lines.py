"""A payment line's status: its own once it has one, until then its batch's.

A line follows its batch through draft, approval and export (and a discarded draft); only a
payroll's withdrawal or amendment and the bank's answer (settled, returned) are the line's
own. So ``rm_payments.own_status`` holds a line's own status, :data:`FOLLOWS_BATCH` until it
has one, and ``rm_batches.line_status`` what every following line of the batch is. Approving
or exporting a batch writes its one row instead of rewriting every line: on a 100k-case
PostgreSQL ledger those two rewrites were 3.6 s of each rebuild, and the same again on the
day of each approval and export, and left as many dead rows behind.

Read a line's status through :data:`LINES`. A filter on the line's own status alone (``!=
"withdrawn"``, the payroll's and the bank file's) needs no join and reads ``rm_payments``.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Subquery, case, select

from projections import schema

FOLLOWS_BATCH = "batch"
"""``own_status`` of a line whose status is its batch's ``line_status``."""
OWN_STATUSES = ("withdrawn", "settled", "returned")
"""The statuses a line has of its own; every other is its batch's."""


def line_status() -> ColumnElement[str]:
    """A line's status, in a query that joins ``rm_payments`` to its ``rm_batches`` row."""
    p, b = schema.payments.c, schema.batches.c
    return case((p.own_status == FOLLOWS_BATCH, b.line_status), else_=p.own_status)


LINES: Subquery = (
    select(*schema.payments.c, line_status().label("status"))
    .select_from(schema.payments.join(schema.batches,
                                      schema.payments.c.batch_id == schema.batches.c.batch_id))
    .subquery("lines")
)
"""``rm_payments`` with each line's status as ``status``: query it as a table."""
