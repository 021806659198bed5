"""payments index on (batch_id, case_id)

Revision ID: 0006
Revises: 0005

The payroll streams a batch in parts (ranges of case ids) and reads the lines a draft
already has for each part. With only an index on batch_id, SQLite scanned every line of
the batch for every part (quadratic in the batch size); (batch_id, case_id) finds a
part's lines directly and still serves every look-up by batch alone.
Create Date: 2026-11-29 16:45:00
"""

from __future__ import annotations

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_rm_payments_batch_case', 'rm_payments', ['batch_id', 'case_id'])
    op.drop_index('ix_rm_payments_batch_id', table_name='rm_payments')


def downgrade() -> None:
    op.create_index('ix_rm_payments_batch_id', 'rm_payments', ['batch_id'])
    op.drop_index('ix_rm_payments_batch_case', table_name='rm_payments')
