"""What waits for the approvers: every temporary relief (临时救助) with its approvals and state.

Read from the read model. ``status``: ``awaiting approval`` (fewer approvals than
needed), ``approved`` (payable, not yet on a batch), ``in draft`` (on a payroll draft),
``paid`` (on an approved batch, whatever the bank did since), ``refused`` (finally
refused; a payment already made stands, ``recovery`` is what was decided to recover).
Awaiting ones come first, so an approver's list starts with their work.

An advance relief (先行救助, ``advance``) may be paid before its approvals (``payment``
says whether it is ``paid`` or ``in draft``); they are due by ``approvals_due``, the
``relief.advance_approval_days``-th working day after the grant (``ledger/domain/working_days``);
``overdue`` when that day has passed on ``today`` without them.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from ledger.domain.calendar import Month
from ledger.domain.identity import mask
from ledger.domain.money import format_yuan
from ledger.domain.policy import PolicyBook
from ledger.domain.statuses import PAID
from ledger.domain.working_days import add_working_days
from projections import schema
from projections.payment_lines import LINES

ORDER = ("awaiting approval", "approved", "in draft", "paid", "refused")


def approvals_due(granted_on: date, policy: PolicyBook) -> date:
    """The last day an advance relief's approvals may come, by the policy of its month."""
    month = Month.of(granted_on)
    return add_working_days(granted_on, policy.value("relief.advance_approval_days", month),
                            policy.value("calendar.holidays", month))


def relief_list(conn: Connection, today: date | None = None,
                policy: PolicyBook | None = None) -> list[dict[str, Any]]:
    policy = policy or PolicyBook()
    today = today or date.today()
    p = LINES.c
    lines: dict[str, str] = {}
    for relief_id, status in conn.execute(
            select(p.case_id, p.status).where(p.kind == "relief", p.own_status != "withdrawn")):
        paid = status in PAID
        lines[relief_id] = "paid" if paid or lines.get(relief_id) == "paid" else "in draft"
    out = []
    for row in conn.execute(select(schema.reliefs)).mappings():
        approvers = json.loads(row["approvers"])
        awaiting = len(approvers) < row["approvals_needed"]
        if row["refused_reason"] is not None:
            status = "refused"
        elif awaiting:
            status = "awaiting approval"
        else:
            status = lines.get(row["relief_id"], "approved")
        granted_on = date.fromisoformat(row["advance_on"]) if row["advance_on"] else None
        due = approvals_due(granted_on, policy) if granted_on else None
        out.append({
            "relief_id": row["relief_id"], "name": row["name"],
            "id_number": mask(row["id_number"]), "town": row["town"],
            "multiple": row["multiple"], "amount": format_yuan(row["amount"]),
            "month": row["month"], "reason": row["reason"],
            "approvals": len(approvers), "approvals_needed": row["approvals_needed"],
            "approvers": approvers, "status": status,
            "granted_by": row["granted_by"], "granted_at": row["granted_at"],
            "advance": granted_on is not None,
            "payment": lines.get(row["relief_id"]),
            "approvals_due": due.isoformat() if due else None,
            "overdue": bool(due and status == "awaiting approval" and today > due),
            "refusal": None if row["refused_reason"] is None else {
                "reason": row["refused_reason"], "by": row["refused_by"],
                "at": row["refused_at"], "recovery": format_yuan(row["recovery"] or 0)},
        })
    out.sort(key=lambda d: (ORDER.index(d["status"]), d["granted_at"] or "", d["relief_id"]))
    return out
