"""Projecting household members into ``rm_members``: who belongs to which household, when.

The rows are the case record's membership periods (ledger/domain/household.py), rewritten for
the case on each member event, so they always equal the fold whatever the order the
facts were recorded in. Kept apart from the read model's big module, which registers it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert

from ledger.domain.household import spells
from projections import schema


def member_changed(page: Any, e: Any, pos: int) -> None:
    """Apply a member event to the case record, then rewrite the case's member rows."""
    entry = page.case(e.originator_id.hex)
    record = entry["_record"]
    e.apply_to(record)
    entry["changed_position"] = pos
    cid = e.originator_id.hex
    page.conn.execute(delete(schema.members).where(schema.members.c.case_id == cid))
    rows = [{"case_id": cid, "person_key": s.person_key, "from_month": str(s.start),
             "to_month": str(s.end) if s.end else None} for s in spells(record.members)]
    if rows:
        page.conn.execute(insert(schema.members), rows)
