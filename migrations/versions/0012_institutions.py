"""institutions as payees (rm_institutions, rm_institution_grants)

Revision ID: 0012
Revises: 0011

rm_institutions lists the institutions paid by the ledger (幸福院、敬老院) by unified
social credit code; rm_institution_grants their grants. Filled from the log as
institution events arrive; ledgers before institutions have none to back-fill.
Create Date: 2026-11-30 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rm_institutions',
        sa.Column('institution_id', sa.String(length=32), nullable=False),
        sa.Column('code', sa.String(length=18), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('town', sa.Text(), nullable=False),
        sa.Column('bank_name', sa.Text(), nullable=False),
        sa.Column('bank_account', sa.Text(), nullable=False),
        sa.Column('added_by', sa.Text(), nullable=False),
        sa.Column('added_at', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('institution_id'),
        sa.UniqueConstraint('code'),
    )
    op.create_table(
        'rm_institution_grants',
        sa.Column('institution_id', sa.String(length=32), nullable=False),
        sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('programme', sa.String(length=32), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('per', sa.String(length=8), nullable=False),
        sa.Column('from_month', sa.String(length=7), nullable=False),
        sa.Column('to_month', sa.String(length=7), nullable=True),
        sa.Column('ref', sa.Text(), nullable=False),
        sa.Column('granted_by', sa.Text(), nullable=False),
        sa.Column('granted_at', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('institution_id', 'number'),
    )


def downgrade() -> None:
    op.drop_table('rm_institution_grants')
    op.drop_table('rm_institutions')
