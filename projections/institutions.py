"""Institution events in the read model: the institutions and their grants.

Written at once (after the page's pending rows), like the relief events: institutions
are few and their events rare.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, update

from ledger.domain.institution import Institution
from projections import schema


def institution_added(page: Any, e: Institution.Added, pos: int) -> None:
    page.flush()
    page.conn.execute(insert(schema.institutions), [{
        "institution_id": e.originator_id.hex, "code": e.code, "name": e.name, "town": e.town,
        "bank_name": e.bank_name, "bank_account": e.bank_account, "added_by": e.by,
        "added_at": e.timestamp.isoformat(), "bank_changed_position": 0,
    }])


def institution_account_changed(page: Any, e: Institution.AccountChanged, pos: int) -> None:
    """The new account, and when: a transfer returned before ``pos`` may be paid again."""
    _bank_changed(page, e, pos, bank_account=e.bank_account, bank_name=e.bank_name)


def institution_renamed(page: Any, e: Institution.Renamed, pos: int) -> None:
    """The new name, and when: a transfer returned before ``pos`` (户名不符) may be paid again."""
    _bank_changed(page, e, pos, name=e.name)


def _bank_changed(page: Any, e: Any, pos: int, **values: str) -> None:
    """What the bank checks changed at ``pos`` (reissues follow ``bank_changed_position``)."""
    page.flush()
    i = schema.institutions.c
    page.conn.execute(update(schema.institutions)
                      .where(i.institution_id == e.originator_id.hex)
                      .values(**values, bank_changed_position=pos))


def institution_granted(page: Any, e: Institution.Granted, pos: int) -> None:
    page.flush()
    page.conn.execute(insert(schema.institution_grants), [{
        "institution_id": e.originator_id.hex, "number": e.number, "programme": e.programme,
        "amount": e.amount, "per": e.per, "from_month": str(e.from_month),
        "to_month": str(e.to_month) if e.to_month else None, "ref": e.ref,
        "granted_by": e.by, "granted_at": e.timestamp.isoformat(),
    }])


HANDLERS: dict[type, Callable[[Any, Any, int], None]] = {
    Institution.Added: institution_added, Institution.Granted: institution_granted,
    Institution.AccountChanged: institution_account_changed,
    Institution.Renamed: institution_renamed}
