"""rm_chain's links are stored out of line without compression (PostgreSQL)

Revision ID: 0017
Revises: 0016

A chain row holds one 64-character link per event of a projected page: 320 KB for a page
of 5,000. PostgreSQL tried to compress each such value (pglz) before moving it out of
line, which hex of SHA-256 digests resists (about 2:1 at best): on a 100k-case rebuild
the server spent about 0.35 s of the writer's 4.5 s doing it (apply 4.45 s -> 4.1 s with
``STORAGE EXTERNAL``; the chain takes about twice the space, some 64 MB per million
events). Values already stored stay as they are until rewritten. SQLite never compresses:
nothing to do there.
Create Date: 2026-12-01 09:50:00
"""

from __future__ import annotations

from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE rm_chain ALTER COLUMN links SET STORAGE EXTERNAL")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE rm_chain ALTER COLUMN links SET STORAGE EXTENDED")
