"""Recording periodic reviews (动态管理) and listing the households due for one.

``review record`` is one command on the case: a ``Reviewed`` event and, when the
outcome is ``exit``, an ``Exited`` event from the month after the review, saved
together (all or nothing). ``review due`` reads the read model (cases and their
latest review), never the case streams.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import and_, or_, select

from ledger.domain.calendar import Month
from ledger.domain.case import Case
from ledger.domain.case_record import CaseRecord
from ledger.domain.errors import CaseStateError
from ledger.domain.identity import mask
from ledger.domain.periodic_review import (
    CLASSES,
    OUTCOMES,
    exit_month,
    is_due,
    next_review,
    review_months,
)
from ledger.services.runtime import Runtime
from projections import schema


def record_review(rt: Runtime, case_id: UUID, on: date, outcome: str,
                  household_class: str | None, by: str) -> Case:
    """Record one review; ``exit`` also ends the case from the month after ``on``."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    if household_class is not None and household_class not in CLASSES:
        raise ValueError(f"class must be one of {', '.join(CLASSES)}, not {household_class!r}")
    case: Case = rt.app.load(case_id, Case, "case")
    if case.record.programme != "dibao":
        raise CaseStateError(f"case {case_id.hex} is {case.record.programme}: only dibao "
                             "households are reviewed periodically")
    if Month.of(on) < case.record.start_month:
        raise CaseStateError(f"review date {on} is before the case started "
                             f"({case.record.start_month})")
    case.review(on, outcome, household_class, by)
    if outcome == "exit":
        case.exit(exit_month(on), f"periodic review {on.isoformat()}: exit", by)
    rt.app.save(case)
    rt.read_model.catch_up()
    return case


def due_reviews(rt: Runtime, month: Month) -> list[dict[str, Any]]:
    """Dibao households in payment in ``month`` whose review is due then or overdue."""
    c, r = schema.cases.c, schema.reviews.c
    policy = rt.app.policy_book()
    m = str(month)
    query = (
        select(c.case_id, c.name, c.town, c.village, c.start_month, c.record,
               r.last_review, r.household_class)
        .select_from(schema.cases.outerjoin(schema.reviews, r.case_id == c.case_id))
        .where(c.programme == "dibao", c.start_month <= m,
               or_(c.exit_month.is_(None), and_(c.exit_month > m)))
        .order_by(c.town, c.village, c.case_id)
    )
    due = []
    with rt.engine.connect() as conn:
        for row in conn.execute(query):
            last: date | Month = (date.fromisoformat(row.last_review) if row.last_review
                                  else Month.parse(row.start_month))
            months = review_months(policy, row.household_class, month)
            if not is_due(last, months, month):
                continue
            record = CaseRecord.from_json(row.record)
            due.append({
                "case_id": row.case_id, "name": row.name, "id_number": mask(record.id_number),
                "town": row.town, "village": row.village,
                "household_class": row.household_class,
                "last_review": row.last_review, "since": str(last),
                "interval_months": months, "due_month": str(next_review(last, months)),
                "months_overdue": month - next_review(last, months),
            })
    return due
