"""Advance relief (先行救助) events in the relief read model: granted in advance, refused."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from projections import schema


def relief_in_advance(page: Any, e: Any, pos: int) -> None:
    page.flush()
    r = schema.reliefs.c
    page.conn.execute(update(schema.reliefs).where(r.relief_id == e.originator_id.hex)
                      .values(advance_on=e.on.isoformat()))


def relief_refused(page: Any, e: Any, pos: int) -> None:
    page.flush()
    r = schema.reliefs.c
    page.conn.execute(update(schema.reliefs).where(r.relief_id == e.originator_id.hex).values(
        refused_reason=e.reason, refused_by=e.by, refused_at=e.timestamp.isoformat(),
        recovery=e.recovery))
