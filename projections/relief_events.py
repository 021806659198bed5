"""Relief events after the grant in the relief read model: granted in advance (先行救助),
refused, its payee's account or name corrected."""

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


def relief_account_changed(page: Any, e: Any, pos: int) -> None:
    """The new account, and when: a transfer returned before ``pos`` may be paid again."""
    page.flush()
    r = schema.reliefs.c
    page.conn.execute(update(schema.reliefs).where(r.relief_id == e.originator_id.hex).values(
        bank_account=e.bank_account, bank_name=e.bank_name, bank_changed_position=pos))


def relief_name_corrected(page: Any, e: Any, pos: int) -> None:
    """The corrected name, and when: like an account, a transfer returned before ``pos``
    (户名不符) may be paid again."""
    page.flush()
    r = schema.reliefs.c
    page.conn.execute(update(schema.reliefs).where(r.relief_id == e.originator_id.hex).values(
        name=e.name, bank_changed_position=pos))
