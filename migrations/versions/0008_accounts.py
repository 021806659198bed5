"""console accounts

Revision ID: 0008
Revises: 0007

rm_accounts lists the console's accounts (ledger/domain/accounts.py): name, role, towns and
whether disabled; passwords live only as Argon2id hashes in the accounts' events.
Create Date: 2026-11-30 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rm_accounts',
        sa.Column('account_id', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('towns', sa.Text(), nullable=False),
        sa.Column('disabled', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.Text(), nullable=False),
        sa.Column('created_at', sa.String(length=32), nullable=False),
        sa.Column('position', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('account_id'),
        sa.UniqueConstraint('name'),
    )


def downgrade() -> None:
    op.drop_table('rm_accounts')
