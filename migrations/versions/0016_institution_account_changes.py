"""an institution's account can be corrected: when, for reissuing its returned transfers

Revision ID: 0016
Revises: 0015

``rm_institutions.bank_changed_position`` is the log position of the institution's last
``Institution.AccountChanged``; a transfer the bank returned before it is paid again by the
next regular payroll. No institution's account was ever changed before this revision, so
existing rows get 0 (never) and no rebuild is needed.
Create Date: 2026-12-01 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('rm_institutions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank_changed_position', sa.BigInteger(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('rm_institutions', schema=None) as batch_op:
        batch_op.alter_column('bank_changed_position', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('rm_institutions', schema=None) as batch_op:
        batch_op.drop_column('bank_changed_position')
