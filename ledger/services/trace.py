"""Why a payment is what it is: every event that made it, in order.

The trace gathers the case's (or relief's) own history, the standards in force
for the month paid, the batch (run, approval, exports), the payment's own
events (recording, amendments, the bank's answer) and the reissue chain in
both directions. It reads a handful of short aggregate streams, so it answers
in milliseconds however long the log is.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import select

from ledger.domain.batch import Batch
from ledger.domain.calendar import Month
from ledger.domain.case import Case
from ledger.domain.identity import mask
from ledger.domain.money import format_yuan
from ledger.domain.payment import Payment
from ledger.domain.trace_rules import categories_used, cpi_record_events, standards_applied
from ledger.services.runtime import Runtime
from projections import schema

MASKED = {"id_number", "bank_account"}
MONEY = {"amount", "transfer", "base", "total", "income_per_capita"}
SKIP = {"originator_id", "originator_version", "timestamp", "originator_topic", "person_key",
        "report", "by_programme"}


def _plain(value: Any) -> Any:
    if isinstance(value, UUID):
        return value.hex
    if isinstance(value, (Month, Decimal)):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def describe(event: Any, subject: str) -> dict[str, Any]:
    """One event as a trace entry: type, when recorded, effective month, its fields (masked)."""
    fields = {k: v for k, v in vars(event).items() if k not in SKIP}
    out: dict[str, Any] = {
        "type": type(event).__qualname__.replace(".", "."),
        "subject": subject,
        "recorded_at": event.timestamp.isoformat(),
        "effective": _plain(fields.pop("effective", None) or fields.get("for_month") or
                            fields.get("start_month") or fields.get("month")),
    }
    for key, value in fields.items():
        if key in MASKED and isinstance(value, str):
            out[key] = mask(value)
        elif key == "birth_date" and isinstance(value, date):
            out["birth_year"] = value.year  # the full date is digits 7–14 of the ID number
        elif key in MONEY and isinstance(value, int):
            out[key] = format_yuan(value)
        elif key == "values" and isinstance(value, dict):  # a change of facts
            out[key] = {k: format_yuan(v) if k in MONEY and isinstance(v, int) else _plain(v)
                        for k, v in value.items()}
        else:
            out[key] = _plain(value)
    return out


def trace_payment(rt: Runtime, payment_id: UUID) -> dict[str, Any]:
    app = rt.app
    payment: Payment = app.load(payment_id, Payment, "payment")
    events: list[dict[str, Any]] = []
    subject = {"temporary": "relief", "campaign": "campaign",
               "institution": "institution"}.get(payment.programme, "case")
    for event in app.events.get(payment.case_id):
        events.append(describe(event, subject))
    own_events = list(app.events.get(payment_id))
    computed_at = max(e.timestamp for e in own_events
                      if isinstance(e, (Payment.Recorded, Payment.Amended)))
    case = app.maybe(payment.case_id)
    if isinstance(case, Case):
        used = categories_used(payment.programme, case.record, payment.for_month)
        events.extend(standards_applied(app, used, payment.for_month, computed_at))
    if payment.programme == "price_subsidy":
        events.extend(describe(e, "cpi") for e in cpi_record_events(app, payment.for_month))
    for event in app.events.get(payment.batch_id):
        if not isinstance(event, Batch.LinesRecorded):  # chunk bookkeeping, not a decision
            events.append(describe(event, "batch"))
    for event in own_events:
        events.append(describe(event, "payment"))
    p = schema.payments.c
    with rt.engine.connect() as conn:
        reissued_by = conn.execute(
            select(p.reissued_by).where(p.payment_id == payment_id.hex)).scalar()
    later = [reissued_by] if reissued_by else []
    for other in [UUID(h) for h in later] + list(payment.reissue_of):
        for event in app.events.get(other):
            events.append(describe(event, "reissue" if other.hex in later else "original"))
    events.sort(key=lambda e: e["recorded_at"])
    status = payment.result or ("withdrawn" if payment.withdrawn else _batch_status(rt, payment))
    return {
        "payment_id": payment_id.hex,
        "case_id": payment.case_id.hex,
        "programme": payment.programme,
        "kind": payment.kind,
        "for_month": str(payment.for_month),
        "amount": format_yuan(payment.amount),
        "transfer": format_yuan(payment.transfer),
        "status": status,
        "formula": payment.formula,
        "reissued_by": later,
        "reissue_of": [u.hex for u in payment.reissue_of],
        "events": events,
    }


def _batch_status(rt: Runtime, payment: Payment) -> str:
    b = schema.batches.c
    with rt.engine.connect() as conn:
        status = conn.execute(select(b.status).where(b.batch_id == payment.batch_id.hex)).scalar()
    return {"reconciled": "settled"}.get(status or "draft", status or "draft")
