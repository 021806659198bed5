"""Reading and approving batches (maker–checker)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from sqlalchemy import func, select

from ledger.domain.batch import Batch
from ledger.domain.errors import BatchStateError, NotFoundError
from ledger.domain.money import format_yuan
from ledger.services.approved_lines import digest_batch
from ledger.services.draft_freshness import check_fresh
from ledger.services.runtime import Runtime
from projections import schema
from projections.payment_lines import LINES


def approve_batch(rt: Runtime, batch_id: UUID, by: str) -> Batch:
    """Approve a computed draft (maker–checker); regular months are approved in order.

    The approval records a digest of exactly the transfer lines approved, each proven
    from the event log (``ledger.services.approved_lines``); the export must reproduce it.
    """
    rt.read_model.catch_up()
    batch: Batch = rt.app.load(batch_id, Batch, "batch")
    if batch.kind == "regular":
        b = schema.batches.c
        with rt.engine.connect() as conn:
            earlier = conn.execute(
                select(b.month).where(b.kind == "regular", b.status == "draft",
                                      b.month < str(batch.month)).order_by(b.month)
            ).scalars().first()
        if earlier is not None:
            raise BatchStateError(
                f"the {earlier} payroll is still a draft: approve months in order")
    batch.check_approvable(by)
    if batch.kind in ("regular", "relief", "campaign"):
        # A price-subsidy run leaves an unchanged draft as it was (its position too); later
        # facts about its measured month reach people through the regular payroll's arrears.
        check_fresh(rt, batch)
    if batch.kind == "campaign":
        from ledger.services.campaign_run import check_campaigns_fresh

        check_campaigns_fresh(rt, batch)
    digest = digest_batch(rt, batch.id, batch.total)
    batch.approve(by, digest.hexdigest(), digest.lines)
    rt.app.save(batch)
    rt.read_model.catch_up()
    return batch


def discard_batch(rt: Runtime, batch_id: UUID, by: str) -> Batch:
    """Throw away a regular draft (recorded); its month can then be run again.

    The payments stay in the log under the discarded batch, which can never be approved
    or exported; a new run of the month takes the same batch and payment ids up again.
    """
    for _ in range(10):
        batch: Batch = rt.app.load(batch_id, Batch, "batch")
        if batch.kind != "regular":
            raise BatchStateError(
                f"batch {batch_id.hex} is a {batch.kind} batch: only a regular payroll draft "
                "can be discarded (a price-subsidy draft is refreshed by its own run)")
        batch.discard(by)
        try:
            rt.app.save(batch)
        except IntegrityError:
            continue  # a run recorded a chunk meanwhile: discard the batch as it is now
        rt.read_model.catch_up()
        return batch
    raise BatchStateError(f"batch {batch_id.hex} keeps changing: try discarding it again")


def batch_row(rt: Runtime, batch_id: UUID) -> dict[str, Any]:
    with rt.engine.connect() as conn:
        row = conn.execute(
            select(schema.batches).where(schema.batches.c.batch_id == batch_id.hex)
        ).mappings().first()
        if row is None:
            raise NotFoundError(f"no batch {batch_id.hex}")
        return dict(row) | {"transfers": _transfer_counts(conn, [batch_id.hex])[batch_id.hex]}


def _transfer_counts(conn: Any, batch_ids: list[str]) -> dict[str, int]:
    """Lines the bank is asked to pay (transfer > 0): the bank file's NbOfTxs."""
    p = schema.payments.c
    counts = dict.fromkeys(batch_ids, 0)
    for batch_id, n in conn.execute(
        select(p.batch_id, func.count())
        .where(p.batch_id.in_(batch_ids), p.transfer > 0, p.own_status != "withdrawn")
        .group_by(p.batch_id)
    ):
        counts[batch_id] = int(n)
    return counts


def batch_summary(row: dict[str, Any]) -> dict[str, Any]:
    """A batch as the spec's JSON object (money as yuan strings), without lines."""
    by_programme = {
        key: {"payments": count, "total": format_yuan(total)}
        for key, (count, total) in sorted(json.loads(row["by_programme"]).items())
    }
    return {
        "batch_id": row["batch_id"],
        "month": row["month"],
        "kind": row["kind"],
        "status": row["status"],
        "payments": row["payments"],
        "total": format_yuan(row["total"]),
        # `payments` counts every line, netted recoveries included; `transfers` counts the
        # lines of the bank file (its NbOfTxs). Both files' CtrlSum/合计 equal `total`.
        "transfers": row.get("transfers", 0),
        "by_programme": by_programme,
        "position": row["position"],
        "made_by": json.loads(row["makers"]),
        "approved_by": row["approved_by"],
        "exports": json.loads(row["exports"]),
    }


def batch_lines(rt: Runtime, batch_id: UUID) -> list[dict[str, Any]]:
    p = LINES.c
    with rt.engine.connect() as conn:
        rows = conn.execute(
            select(p.payment_id, p.case_id, p.programme, p.kind, p.for_month, p.amount,
                   p.transfer, p.status, p.reissue_of)
            .where(p.batch_id == batch_id.hex, p.own_status != "withdrawn")
            .order_by(p.case_id, p.for_month, p.kind)
        ).all()
    return [
        {"payment_id": r.payment_id, "case_id": r.case_id, "programme": r.programme,
         "kind": r.kind, "for_month": r.for_month, "amount": format_yuan(r.amount),
         "transfer": format_yuan(r.transfer), "status": r.status,
         "reissue_of": r.reissue_of.split(",") if r.reissue_of else []}
        for r in rows
    ]


def list_batches(rt: Runtime, month: str | None = None) -> list[dict[str, Any]]:
    b = schema.batches.c
    query = select(schema.batches).order_by(b.month, b.kind)
    if month:
        query = query.where(b.month == month)
    with rt.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
        counts = _transfer_counts(conn, [r["batch_id"] for r in rows])
    return [batch_summary(r | {"transfers": counts[r["batch_id"]]}) for r in rows]


def report_json(row: dict[str, Any]) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(row["report"])
    for key in ("arrears", "recoveries", "receivables"):
        if key in report:
            report[key]["total"] = format_yuan(report[key]["total"])
    if "receivables" in report:
        report["receivables"]["by_case"] = {
            k: format_yuan(v) for k, v in report["receivables"]["by_case"].items()}
    for change in report.get("amount_changes", []):
        change["before"] = format_yuan(change["before"])
        change["now"] = format_yuan(change["now"])
    for held in report.get("held", []):
        held["amount"] = format_yuan(held["amount"])
    return report
