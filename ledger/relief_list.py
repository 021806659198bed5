"""What waits for the approvers: every temporary relief (临时救助) with its approvals and state.

Read from the read model. ``status``: ``awaiting approval`` (fewer approvals than
needed), ``approved`` (payable, not yet on a batch), ``in draft`` (on a payroll draft),
``paid`` (on an approved batch, whatever the bank did since). Awaiting ones come first,
so an approver's list starts with their work.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from ledger.identity import mask
from ledger.money import format_yuan
from projections import schema
from projections.reports import PAID_STATUSES

ORDER = ("awaiting approval", "approved", "in draft", "paid")


def relief_list(conn: Connection) -> list[dict[str, Any]]:
    p = schema.payments.c
    lines: dict[str, str] = {}
    for relief_id, status in conn.execute(
            select(p.case_id, p.status).where(p.kind == "relief", p.status != "withdrawn")):
        paid = status in PAID_STATUSES
        lines[relief_id] = "paid" if paid or lines.get(relief_id) == "paid" else "in draft"
    out = []
    for row in conn.execute(select(schema.reliefs)).mappings():
        approvers = json.loads(row["approvers"])
        if len(approvers) < row["approvals_needed"]:
            status = "awaiting approval"
        else:
            status = lines.get(row["relief_id"], "approved")
        out.append({
            "relief_id": row["relief_id"], "name": row["name"],
            "id_number": mask(row["id_number"]), "town": row["town"],
            "multiple": row["multiple"], "amount": format_yuan(row["amount"]),
            "month": row["month"], "reason": row["reason"],
            "approvals": len(approvers), "approvals_needed": row["approvals_needed"],
            "approvers": approvers, "status": status,
            "granted_by": row["granted_by"], "granted_at": row["granted_at"],
        })
    out.sort(key=lambda d: (ORDER.index(d["status"]), d["granted_at"] or "", d["relief_id"]))
    return out
