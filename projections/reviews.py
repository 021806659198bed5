"""Projecting periodic reviews (动态管理) into ``rm_reviews``: a case's latest review and class.

Kept apart from the read model's big module; the read model registers the handler.
A review without a class keeps the class an earlier review gave.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update

from projections import schema


def case_reviewed(page: Any, e: Any, pos: int) -> None:
    """Apply a ``Case.Reviewed`` event: the case record's version, and the review row."""
    entry = page.case(e.originator_id.hex)
    e.apply_to(entry["_record"])
    entry["changed_position"] = pos
    r = schema.reviews.c
    cid = e.originator_id.hex
    conn = page.conn
    row = conn.execute(select(r.household_class, r.reviews).where(r.case_id == cid)).first()
    values = {"last_review": e.on.isoformat(), "outcome": e.outcome}
    if row is None:
        conn.execute(insert(schema.reviews).values(
            case_id=cid, household_class=e.household_class, reviews=1, **values))
    else:
        conn.execute(update(schema.reviews).where(r.case_id == cid).values(
            household_class=e.household_class or row.household_class,
            reviews=row.reviews + 1, **values))
