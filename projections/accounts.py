"""Projecting console accounts into ``rm_accounts``: name, role, towns, disabled.

Kept apart from the read model's big module; the read model registers the handlers.
Sign-in events change nothing here (the aggregate itself decides lockouts).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, update

from projections import schema


def account_created(page: Any, e: Any, pos: int) -> None:
    page.conn.execute(insert(schema.accounts).values(
        account_id=e.originator_id.hex, name=e.account, role=e.role, towns=json.dumps(list(e.towns), ensure_ascii=False),
        disabled=False, created_by=e.by, created_at=e.timestamp.isoformat(), position=pos))


def account_role_changed(page: Any, e: Any, pos: int) -> None:
    page.conn.execute(update(schema.accounts).where(
        schema.accounts.c.account_id == e.originator_id.hex).values(
        role=e.role, towns=json.dumps(list(e.towns), ensure_ascii=False), position=pos))


def account_disabled(page: Any, e: Any, pos: int) -> None:
    page.conn.execute(update(schema.accounts).where(
        schema.accounts.c.account_id == e.originator_id.hex).values(disabled=True, position=pos))

