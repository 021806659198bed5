"""household members (rm_members)

Revision ID: 0009
Revises: 0008

rm_members lists each period of membership of a dibao household by the keyed person
hash, for the person rules (one household at a time, not in tekun) and the person
search. Filled from the log as member events arrive; nothing to back-fill.
Create Date: 2026-11-30 17:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rm_members',
        sa.Column('case_id', sa.String(length=32), nullable=False),
        sa.Column('person_key', sa.String(length=128), nullable=False),
        sa.Column('from_month', sa.String(length=7), nullable=False),
        sa.Column('to_month', sa.String(length=7), nullable=True),
        sa.PrimaryKeyConstraint('case_id', 'person_key', 'from_month'),
    )
    op.create_index(op.f('ix_rm_members_person_key'), 'rm_members', ['person_key'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_rm_members_person_key'), table_name='rm_members')
    op.drop_table('rm_members')
