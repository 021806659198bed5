"""a payment line's status follows its batch's until it has its own

Revision ID: 0015
Revises: 0014

``rm_payments.status`` becomes ``own_status``: "batch" while the line's status is its
batch's, else withdrawn, settled or returned. ``rm_batches.line_status`` holds what the
batch's following lines are (draft, approved, exported, discarded). Approving or exporting a
batch then writes one row instead of every line of it (``projections.payment_lines``).
Existing rows are converted here, so no rebuild is needed.
Create Date: 2026-12-01 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

_FOLLOWING = "('draft', 'approved', 'exported', 'discarded')"


def upgrade() -> None:
    with op.batch_alter_table('rm_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('line_status', sa.String(16), nullable=False,
                                      server_default='draft'))
    # The lines of a batch that had no status of their own all had the same one; a batch
    # with none of them left takes what its lines would have been.
    op.execute(
        "UPDATE rm_batches SET line_status = COALESCE("
        " (SELECT MIN(p.status) FROM rm_payments p WHERE p.batch_id = rm_batches.batch_id"
        f"  AND p.status IN {_FOLLOWING}),"
        " CASE status WHEN 'reconciled' THEN 'exported' ELSE status END)"
    )
    with op.batch_alter_table('rm_batches', schema=None) as batch_op:
        batch_op.alter_column('line_status', server_default=None)
    op.execute(f"UPDATE rm_payments SET status = 'batch' WHERE status IN {_FOLLOWING}")
    op.execute("ALTER TABLE rm_payments RENAME COLUMN status TO own_status")


def downgrade() -> None:
    op.execute("ALTER TABLE rm_payments RENAME COLUMN own_status TO status")
    op.execute(
        "UPDATE rm_payments SET status = (SELECT b.line_status FROM rm_batches b"
        " WHERE b.batch_id = rm_payments.batch_id) WHERE status = 'batch'"
    )
    with op.batch_alter_table('rm_batches', schema=None) as batch_op:
        batch_op.drop_column('line_status')
