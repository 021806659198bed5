"""one-off campaigns (冬春救助): rm_campaigns and rm_campaign_handovers

Revision ID: 0011
Revises: 0010

rm_campaigns holds each campaign's terms (amount in fen or items, target programmes and
towns); rm_campaign_handovers each hand-over of an in-kind campaign (received_by sealed
like other personal data). Filled from the log as campaign events arrive; ledgers before
campaigns have none to back-fill. Campaign payments are ordinary rm_payments rows.
Create Date: 2026-11-30 19:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rm_campaigns',
        sa.Column('campaign_id', sa.String(length=32), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('per', sa.String(length=16), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('items', sa.Text(), nullable=False),
        sa.Column('programmes', sa.Text(), nullable=False),
        sa.Column('towns', sa.Text(), nullable=False),
        sa.Column('ref', sa.Text(), nullable=False),
        sa.Column('created_by', sa.Text(), nullable=False),
        sa.Column('created_at', sa.String(length=32), nullable=False),
        sa.Column('position', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('campaign_id'),
    )
    op.create_index(op.f('ix_rm_campaigns_month'), 'rm_campaigns', ['month'], unique=False)
    op.create_table(
        'rm_campaign_handovers',
        sa.Column('campaign_id', sa.String(length=32), nullable=False),
        sa.Column('person_key', sa.String(length=128), nullable=False),
        sa.Column('handed_on', sa.String(length=10), nullable=False),
        sa.Column('received_by', sa.Text(), nullable=False),
        sa.Column('recorded_by', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('campaign_id', 'person_key'),
    )


def downgrade() -> None:
    op.drop_table('rm_campaign_handovers')
    op.drop_index(op.f('ix_rm_campaigns_month'), table_name='rm_campaigns')
    op.drop_table('rm_campaigns')
