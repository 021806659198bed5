"""advance relief (先行救助): granted in advance, refusal and recovery

Revision ID: 0010
Revises: 0009

rm_reliefs.advance_on is the day an advance relief was granted (its approvals are due
within relief.advance_approval_days working days); refused_reason, refused_by,
refused_at and recovery record a final refusal and the recovery decided. Filled from the
log as relief events arrive; ledgers before advance relief have none to back-fill.
Create Date: 2026-11-30 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

COLUMNS = (("advance_on", sa.String(length=10)), ("refused_reason", sa.Text()),
           ("refused_by", sa.Text()), ("refused_at", sa.String(length=32)),
           ("recovery", sa.BigInteger()))


def upgrade() -> None:
    with op.batch_alter_table('rm_reliefs', schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('rm_reliefs', schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
