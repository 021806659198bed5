"""What each event does to the read model's rows: one handler per event class."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select, update

from ledger.adapters.payment_codec import RecordedPayment
from ledger.domain.accounts import Account
from ledger.domain.batch import Batch
from ledger.domain.campaign import Campaign
from ledger.domain.case import Case
from ledger.domain.payment import Payment
from ledger.domain.relief import Relief, approvals_counted
from projections import schema
from projections.accounts import account_created, account_disabled, account_role_changed
from projections.campaigns import campaign_created, campaign_handed_over
from projections.institutions import HANDLERS as INSTITUTION_HANDLERS
from projections.journal import post_approval
from projections.members import member_changed
from projections.payment_lines import FOLLOWS_BATCH
from projections.read_model_page import Page
from projections.relief_events import (
    relief_account_changed,
    relief_in_advance,
    relief_name_corrected,
    relief_refused,
)
from projections.reviews import case_reviewed

Handler = Callable[[Page, Any, int], None]


def _enrolled(page: Page, e: Case.Enrolled, pos: int) -> None:
    record = e.new_record()
    cid = e.originator_id.hex
    page.new_cases.add(cid)
    page.cases[cid] = {
        "case_id": cid, "programme": e.programme, "person_key": e.person_key, "name": e.name,
        "town": e.town, "village": e.village, "registered_poor": e.registered_poor,
        "start_month": str(e.start_month), "exit_month": None, "record": "",
        "changed_position": pos, "bank_changed_position": 0, "_record": record,
    }


def _case_changed(page: Page, e: Case.Event, pos: int) -> None:
    entry = page.case(e.originator_id.hex)
    e.apply_to(entry["_record"])
    entry["changed_position"] = pos
    if isinstance(e, (Case.BankAccountChanged, Case.PayeeNameCorrected)):
        entry["bank_changed_position"] = pos
    if isinstance(e, Case.PayeeNameCorrected):
        entry["name"] = e.name  # the row's column too: name search reads it


PAYMENT_COLUMNS = ("payment_id", "batch_id", "batch_month", "batch_kind", "case_id", "programme",
                   "kind", "for_month", "amount", "transfer", "own_status", "return_reason",
                   "returned_position", "result_position", "reissue_of", "reissued_by", "name",
                   "id_number", "bank_name", "bank_account", "town", "village", "formula",
                   "recorded_position")
"""``rm_payments``' columns in the table's order: a new payment's row is built as a list in
this order (no dict per row: a payroll and a rebuild project a million of them)."""
if PAYMENT_COLUMNS != tuple(c.name for c in schema.payments.columns):
    raise TypeError("PAYMENT_COLUMNS must name rm_payments' columns in the table's order")


def payment_recorded(page: Page, p: RecordedPayment, pos: int) -> None:
    batch = page.batch(p.batch_id)
    page.new_payments[p.payment_id] = [
        p.payment_id, p.batch_id, batch["month"], batch["kind"], p.case_id, p.programme,
        p.kind, p.for_month, p.amount, p.transfer, FOLLOWS_BATCH, "", None, None,
        ",".join(p.reissue_of), None, p.name, p.id_number, p.bank_name, p.bank_account,
        p.town, p.village, p.formula, pos]
    for original in p.reissue_of:
        page.change_payment(original, reissued_by=p.payment_id)


def _payment_amended(page: Page, e: Payment.Amended, pos: int) -> None:
    page.change_payment(e.originator_id.hex, amount=e.amount, transfer=e.transfer,
                        formula=e.formula, bank_name=e.bank_name, bank_account=e.bank_account,
                        own_status=FOLLOWS_BATCH)


def _payment_renamed(page: Page, e: Payment.Renamed, pos: int) -> None:
    page.change_payment(e.originator_id.hex, name=e.name)


def _payment_withdrawn(page: Page, e: Payment.Withdrawn, pos: int) -> None:
    page.change_payment(e.originator_id.hex, own_status="withdrawn")


def _payment_settled(page: Page, e: Payment.Settled, pos: int) -> None:
    page.change_payment(e.originator_id.hex, own_status="settled", result_position=pos)
    page.settled.append(e.originator_id.hex)


def _payment_returned(page: Page, e: Payment.Returned, pos: int) -> None:
    page.change_payment(e.originator_id.hex, own_status="returned", return_reason=e.reason,
                        returned_position=pos, result_position=pos)
    page.returned.append(e.originator_id.hex)


def _batch_drafted(page: Page, e: Batch.Drafted, pos: int) -> None:
    bid = e.originator_id.hex
    page.new_batches.add(bid)
    page.batches[bid] = {
        "batch_id": bid, "month": str(e.month), "kind": e.kind, "status": "draft",
        "line_status": "draft",
        "position": pos, "payments": 0, "total": 0, "by_programme": "{}", "report": "{}",
        "exports": "[]", "makers": json.dumps([e.by]), "approved_by": None,
        "computed": False, "running": False,
    }


def _batch_run_started(page: Page, e: Batch.RunStarted, pos: int) -> None:
    row = page.batch(e.originator_id.hex)
    makers = set(json.loads(row["makers"])) | {e.by}
    row.update(makers=json.dumps(sorted(makers)), running=True)
    if row["status"] == "discarded":  # the month is run again: its lines live again
        row["status"] = "draft"
        _set_line_status(page, e.originator_id.hex, "draft", ("discarded",))


def _batch_computed(page: Page, e: Batch.Computed, pos: int) -> None:
    page.batch(e.originator_id.hex).update(
        position=e.position, payments=e.payments, total=e.total, running=False, computed=True,
        by_programme=json.dumps(e.by_programme, sort_keys=True),
        report=json.dumps(e.report, ensure_ascii=False, sort_keys=True),
    )


def _set_line_status(page: Page, batch_id: str, status: str, from_statuses: tuple[str, ...]) -> None:
    """Move the batch's following lines on: one row, not one per line (payment_lines)."""
    row = page.batch(batch_id)
    if row["line_status"] in from_statuses:
        row["line_status"] = status


def _batch_approved(page: Page, e: Batch.Approved, pos: int) -> None:
    page.batch(e.originator_id.hex).update(status="approved", approved_by=e.by)
    _set_line_status(page, e.originator_id.hex, "approved", ("draft",))
    page.flush()  # the journal posts from the batch's lines, written first
    post_approval(page.conn, e.originator_id.hex, pos)


def _batch_discarded(page: Page, e: Batch.Discarded, pos: int) -> None:
    page.batch(e.originator_id.hex).update(status="discarded", running=False, computed=False)
    _set_line_status(page, e.originator_id.hex, "discarded", ("draft",))


def _batch_exported(page: Page, e: Batch.Exported, pos: int) -> None:
    row = page.batch(e.originator_id.hex)
    exports = json.loads(row["exports"]) + [
        {"format": e.format, "sha256": e.sha256, "encoding": e.encoding}
    ]
    row["exports"] = json.dumps(exports)
    if row["status"] == "approved":
        row["status"] = "exported"
        _set_line_status(page, e.originator_id.hex, "exported", ("approved",))


def _batch_reconciled(page: Page, e: Batch.Reconciled, pos: int) -> None:
    row = page.batch(e.originator_id.hex)
    row["status"] = "reconciled"
    # Lines with nothing to transfer (a netted recovery, a line netted to zero) were never
    # sent to the bank; they are settled when the rest of their batch is.
    if row["line_status"] not in ("approved", "exported"):
        return
    page.flush()
    p = schema.payments.c
    page.conn.execute(
        update(schema.payments)
        .where(p.batch_id == e.originator_id.hex, p.transfer == 0,
               p.own_status == FOLLOWS_BATCH)
        .values(own_status="settled")
    )


def _relief_granted(page: Page, e: Relief.Granted, pos: int) -> None:
    page.flush()
    page.conn.execute(insert(schema.reliefs), [{
        "relief_id": e.originator_id.hex, "case_id": e.case_id.hex if e.case_id else None,
        "person_key": e.person_key, "name": e.name, "id_number": e.id_number, "area": e.area,
        "town": e.town, "village": e.village, "bank_name": e.bank_name,
        "bank_account": e.bank_account, "multiple": e.multiple, "amount": e.amount,
        "month": str(e.month), "reason": e.reason, "formula": e.formula,
        "approvals_needed": e.approvals_needed, "approvers": "[]", "granted_by": e.by,
        "payable": e.approvals_needed == 0, "granted_at": e.timestamp.isoformat(),
        "bank_changed_position": 0,
    }])


def _relief_approved(page: Page, e: Relief.Approved, pos: int) -> None:
    page.flush()
    r = schema.reliefs.c
    row = page.conn.execute(
        select(r.approvers, r.approvals_needed, r.granted_by)
        .where(r.relief_id == e.originator_id.hex)
    ).one()
    approvers = json.loads(row.approvers) + [e.by]
    payable = approvals_counted(row.granted_by, approvers) >= row.approvals_needed
    page.conn.execute(
        update(schema.reliefs).where(r.relief_id == e.originator_id.hex)
        .values(approvers=json.dumps(approvers), payable=payable)
    )


HANDLERS: dict[type, Handler] = {
    Case.Enrolled: _enrolled,
    Case.FactsChanged: _case_changed,
    Case.BankAccountChanged: _case_changed,
    Case.Exited: _case_changed,
    Case.GraduationStarted: _case_changed,
    Case.GraduationCancelled: _case_changed,
    Case.AgeBandReached: _case_changed,
    Case.GraduationCompleted: _case_changed,
    Case.Reviewed: case_reviewed,
    Case.MemberAdded: member_changed,
    Case.MemberRemoved: member_changed,
    Case.MemberClassified: _case_changed,
    Case.MemberCorrected: _case_changed,
    Case.PayeeNameCorrected: _case_changed,
    Payment.Recorded: lambda page, e, pos: payment_recorded(page, RecordedPayment.of_event(e), pos),
    Payment.Amended: _payment_amended,
    Payment.Renamed: _payment_renamed,
    Payment.Withdrawn: _payment_withdrawn,
    Payment.Settled: _payment_settled,
    Payment.Returned: _payment_returned,
    Batch.Drafted: _batch_drafted,
    Batch.RunStarted: _batch_run_started,
    Batch.Computed: _batch_computed,
    Batch.Approved: _batch_approved,
    Batch.Discarded: _batch_discarded,
    Batch.Exported: _batch_exported,
    Batch.Reconciled: _batch_reconciled,
    Relief.Granted: _relief_granted,
    Relief.Approved: _relief_approved,
    Relief.AdvanceGranted: relief_in_advance,
    Relief.Refused: relief_refused,
    Relief.AccountChanged: relief_account_changed,
    Relief.PayeeNameCorrected: relief_name_corrected,
    Account.Created: account_created,
    Account.RoleChanged: account_role_changed,
    Account.Disabled: account_disabled,
    Campaign.Created: campaign_created,
    Campaign.HandedOver: campaign_handed_over,
    **INSTITUTION_HANDLERS,
}
TOPICS = {f"{cls.__module__}:{cls.__qualname__}" for cls in HANDLERS}
