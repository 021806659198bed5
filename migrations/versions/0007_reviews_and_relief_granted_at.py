"""periodic reviews; when a relief was granted

Revision ID: 0007
Revises: 0006

rm_reviews holds each case's latest periodic review (动态管理) and household class, so
`review due` reads one row per case instead of replaying case streams; rm_reliefs.granted_at
lets `relief list` say when a grant was made. Existing rows are filled by
`ledger projections rebuild`.
Create Date: 2026-11-30 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rm_reviews',
        sa.Column('case_id', sa.String(length=32), nullable=False),
        sa.Column('last_review', sa.String(length=10), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('household_class', sa.String(length=8), nullable=True),
        sa.Column('reviews', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('case_id'),
    )
    with op.batch_alter_table('rm_reliefs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('granted_at', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('rm_reliefs', schema=None) as batch_op:
        batch_op.drop_column('granted_at')
    op.drop_table('rm_reviews')
