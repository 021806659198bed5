"""an institution's and a relief's account can be corrected: when, for reissuing returns

Revision ID: 0016
Revises: 0015

``rm_institutions.bank_changed_position`` and ``rm_reliefs.bank_changed_position`` are the
log position of the last ``Institution.AccountChanged`` / ``Relief.AccountChanged``; a
transfer the bank returned before it is paid again by the next regular payroll. No such
account was ever changed before this revision, so existing rows get 0 (never) and no
rebuild is needed.
Create Date: 2026-12-01 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


_TABLES = ('rm_institutions', 'rm_reliefs')


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('bank_changed_position', sa.BigInteger(),
                                          nullable=False, server_default='0'))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('bank_changed_position', server_default=None)


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('bank_changed_position')
