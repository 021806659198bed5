"""The read model: cases, batches, payments and reliefs as tables, fed by the event log.

A page of notifications is applied and the tracking position advanced in one
SQLAlchemy transaction, so every event is applied exactly once whatever
crashes: a killed catch-up leaves the old position and the old rows.
Events of one page are folded in memory and written with executemany, which is
what makes catch-up fast (rows per statement, not statements per row).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Notification
from sqlalchemy import Connection, Engine, bindparam, insert, select, update

from ledger.adapters import payment_codec
from ledger.adapters.event_authentication import authenticator_of
from ledger.adapters.payment_codec import RECORDED_TOPIC, RecordedPayment
from ledger.domain.accounts import Account
from ledger.domain.batch import Batch
from ledger.domain.campaign import Campaign
from ledger.domain.case import Case
from ledger.domain.case_record import CaseRecord
from ledger.domain.payment import Payment
from ledger.domain.relief import Relief, approvals_counted
from projections import schema
from projections.accounts import account_created, account_disabled, account_role_changed
from projections.bulk import insert_rows
from projections.campaigns import campaign_created, campaign_handed_over
from projections.chain import append as append_links
from projections.enrolment_rows import ENROLLED_TOPIC, enrolled_row
from projections.institutions import HANDLERS as INSTITUTION_HANDLERS
from projections.journal import post_approval, post_results
from projections.members import member_changed
from projections.relief_events import relief_in_advance, relief_refused
from projections.reviews import case_reviewed
from projections.tracking import advance, read_position

PAGE_SIZE = 5000


class _Page:
    """Rows touched by one page of events, written together at flush."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.cases: dict[str, dict[str, Any]] = {}
        self.new_cases: set[str] = set()
        self.new_payments: dict[str, dict[str, Any]] = {}
        self.payment_changes: dict[str, dict[str, Any]] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.new_batches: set[str] = set()
        self.settled: list[str] = []
        self.returned: list[str] = []

    # --- cases -----------------------------------------------------------------
    def case(self, case_id: str) -> dict[str, Any]:
        if case_id not in self.cases:
            row = self.conn.execute(
                select(schema.cases).where(schema.cases.c.case_id == case_id)
            ).mappings().one()
            entry = dict(row)
            entry["_record"] = CaseRecord.from_json(row["record"])
            self.cases[case_id] = entry
        entry = self.cases[case_id]
        if entry["_record"] is None:  # enrolled in this page, its record still as JSON
            entry["_record"] = CaseRecord.from_json(entry["record"])
        return entry

    # --- payments ----------------------------------------------------------------
    def change_payment(self, payment_id: str, **values: Any) -> None:
        if payment_id in self.new_payments:
            self.new_payments[payment_id].update(values)
        else:
            self.payment_changes.setdefault(payment_id, {}).update(values)

    # --- batches -------------------------------------------------------------------
    def batch(self, batch_id: str) -> dict[str, Any]:
        if batch_id not in self.batches:
            row = self.conn.execute(
                select(schema.batches).where(schema.batches.c.batch_id == batch_id)
            ).mappings().one()
            self.batches[batch_id] = dict(row)
        return self.batches[batch_id]

    def flush(self) -> None:
        """Write everything folded so far (before any set-wise statement, and at the end)."""
        conn = self.conn
        if self.cases:
            new_rows: list[dict[str, Any]] = []
            old_rows: list[dict[str, Any]] = []
            for case_id, entry in self.cases.items():
                row = {k: v for k, v in entry.items() if k != "_record"}
                record: CaseRecord | None = entry["_record"]
                if record is not None:  # None: a new case's JSON, unchanged since enrolment
                    row["record"] = record.to_json()
                    row["exit_month"] = str(record.exit_month) if record.exit_month else None
                (new_rows if case_id in self.new_cases else old_rows).append(row)
            if new_rows:
                insert_rows(conn, schema.cases, new_rows)
            if old_rows:
                c = schema.cases.c
                conn.execute(
                    update(schema.cases).where(c.case_id == bindparam("b_case_id")).values(
                        record=bindparam("record"), exit_month=bindparam("exit_month"),
                        changed_position=bindparam("changed_position"),
                        bank_changed_position=bindparam("bank_changed_position"),
                    ),
                    [{**r, "b_case_id": r["case_id"]} for r in old_rows],
                )
            self.cases.clear()
            self.new_cases.clear()
        if self.new_payments:
            insert_rows(conn, schema.payments, list(self.new_payments.values()))
            self.new_payments.clear()
        if self.payment_changes:
            by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for pid, values in self.payment_changes.items():
                by_shape.setdefault(tuple(sorted(values)), []).append({**values, "b_pid": pid})
            for columns, params in by_shape.items():
                conn.execute(
                    update(schema.payments)
                    .where(schema.payments.c.payment_id == bindparam("b_pid"))
                    .values({col: bindparam(col) for col in columns}),
                    params,
                )
            self.payment_changes.clear()
        if self.settled or self.returned:
            post_results(conn, self.settled, self.returned)
            self.settled, self.returned = [], []
        for batch_id, row in self.batches.items():
            if batch_id in self.new_batches:
                conn.execute(insert(schema.batches), [row])
            else:
                conn.execute(
                    update(schema.batches).where(schema.batches.c.batch_id == batch_id)
                    .values({k: v for k, v in row.items() if k != "batch_id"})
                )
        self.batches.clear()
        self.new_batches.clear()


Handler = Callable[[_Page, Any, int], None]


def _enrolled(page: _Page, e: Case.Enrolled, pos: int) -> None:
    record = e.new_record()
    cid = e.originator_id.hex
    page.new_cases.add(cid)
    page.cases[cid] = {
        "case_id": cid, "programme": e.programme, "person_key": e.person_key, "name": e.name,
        "town": e.town, "village": e.village, "registered_poor": e.registered_poor,
        "start_month": str(e.start_month), "exit_month": None, "record": "",
        "changed_position": pos, "bank_changed_position": 0, "_record": record,
    }


def _case_changed(page: _Page, e: Case.Event, pos: int) -> None:
    entry = page.case(e.originator_id.hex)
    e.apply_to(entry["_record"])
    entry["changed_position"] = pos
    if isinstance(e, Case.BankAccountChanged):
        entry["bank_changed_position"] = pos


def _payment_recorded(page: _Page, p: RecordedPayment, pos: int) -> None:
    batch = page.batch(p.batch_id)
    page.new_payments[p.payment_id] = {
        "payment_id": p.payment_id, "batch_id": p.batch_id, "batch_month": batch["month"],
        "batch_kind": batch["kind"], "case_id": p.case_id, "programme": p.programme,
        "kind": p.kind, "for_month": p.for_month, "amount": p.amount, "transfer": p.transfer,
        "status": "draft", "return_reason": "", "returned_position": None,
        "reissue_of": ",".join(p.reissue_of), "reissued_by": None, "result_position": None,
        "name": p.name, "id_number": p.id_number, "bank_name": p.bank_name,
        "bank_account": p.bank_account, "town": p.town, "village": p.village,
        "formula": p.formula, "recorded_position": pos,
    }
    for original in p.reissue_of:
        page.change_payment(original, reissued_by=p.payment_id)


def _payment_amended(page: _Page, e: Payment.Amended, pos: int) -> None:
    page.change_payment(e.originator_id.hex, amount=e.amount, transfer=e.transfer,
                        formula=e.formula, bank_name=e.bank_name, bank_account=e.bank_account,
                        status="draft")


def _payment_withdrawn(page: _Page, e: Payment.Withdrawn, pos: int) -> None:
    page.change_payment(e.originator_id.hex, status="withdrawn")


def _payment_settled(page: _Page, e: Payment.Settled, pos: int) -> None:
    page.change_payment(e.originator_id.hex, status="settled", result_position=pos)
    page.settled.append(e.originator_id.hex)


def _payment_returned(page: _Page, e: Payment.Returned, pos: int) -> None:
    page.change_payment(e.originator_id.hex, status="returned", return_reason=e.reason,
                        returned_position=pos, result_position=pos)
    page.returned.append(e.originator_id.hex)


def _batch_drafted(page: _Page, e: Batch.Drafted, pos: int) -> None:
    bid = e.originator_id.hex
    page.new_batches.add(bid)
    page.batches[bid] = {
        "batch_id": bid, "month": str(e.month), "kind": e.kind, "status": "draft",
        "position": pos, "payments": 0, "total": 0, "by_programme": "{}", "report": "{}",
        "exports": "[]", "makers": json.dumps([e.by]), "approved_by": None,
        "computed": False, "running": False,
    }


def _batch_run_started(page: _Page, e: Batch.RunStarted, pos: int) -> None:
    row = page.batch(e.originator_id.hex)
    makers = set(json.loads(row["makers"])) | {e.by}
    row.update(makers=json.dumps(sorted(makers)), running=True)
    if row["status"] == "discarded":  # the month is run again: its lines live again
        row["status"] = "draft"
        _set_batch_status(page, e.originator_id.hex, "draft", ("discarded",))


def _batch_computed(page: _Page, e: Batch.Computed, pos: int) -> None:
    page.batch(e.originator_id.hex).update(
        position=e.position, payments=e.payments, total=e.total, running=False, computed=True,
        by_programme=json.dumps(e.by_programme, sort_keys=True),
        report=json.dumps(e.report, ensure_ascii=False, sort_keys=True),
    )


def _set_batch_status(page: _Page, batch_id: str, status: str, from_statuses: tuple[str, ...]) -> None:
    page.flush()
    page.conn.execute(
        update(schema.payments)
        .where(schema.payments.c.batch_id == batch_id, schema.payments.c.status.in_(from_statuses))
        .values(status=status)
    )


def _batch_approved(page: _Page, e: Batch.Approved, pos: int) -> None:
    page.batch(e.originator_id.hex).update(status="approved", approved_by=e.by)
    _set_batch_status(page, e.originator_id.hex, "approved", ("draft",))
    post_approval(page.conn, e.originator_id.hex, pos)


def _batch_discarded(page: _Page, e: Batch.Discarded, pos: int) -> None:
    page.batch(e.originator_id.hex).update(status="discarded", running=False, computed=False)
    _set_batch_status(page, e.originator_id.hex, "discarded", ("draft",))


def _batch_exported(page: _Page, e: Batch.Exported, pos: int) -> None:
    row = page.batch(e.originator_id.hex)
    exports = json.loads(row["exports"]) + [
        {"format": e.format, "sha256": e.sha256, "encoding": e.encoding}
    ]
    row["exports"] = json.dumps(exports)
    if row["status"] == "approved":
        row["status"] = "exported"
        _set_batch_status(page, e.originator_id.hex, "exported", ("approved",))


def _batch_reconciled(page: _Page, e: Batch.Reconciled, pos: int) -> None:
    page.batch(e.originator_id.hex)["status"] = "reconciled"
    # Lines with nothing to transfer (a netted recovery, a line netted to zero) were never
    # sent to the bank; they are settled when the rest of their batch is.
    page.flush()
    p = schema.payments.c
    page.conn.execute(
        update(schema.payments)
        .where(p.batch_id == e.originator_id.hex, p.transfer == 0,
               p.status.in_(("approved", "exported")))
        .values(status="settled")
    )


def _relief_granted(page: _Page, e: Relief.Granted, pos: int) -> None:
    page.flush()
    page.conn.execute(insert(schema.reliefs), [{
        "relief_id": e.originator_id.hex, "case_id": e.case_id.hex if e.case_id else None,
        "person_key": e.person_key, "name": e.name, "id_number": e.id_number, "area": e.area,
        "town": e.town, "village": e.village, "bank_name": e.bank_name,
        "bank_account": e.bank_account, "multiple": e.multiple, "amount": e.amount,
        "month": str(e.month), "reason": e.reason, "formula": e.formula,
        "approvals_needed": e.approvals_needed, "approvers": "[]", "granted_by": e.by,
        "payable": e.approvals_needed == 0, "granted_at": e.timestamp.isoformat(),
    }])


def _relief_approved(page: _Page, e: Relief.Approved, pos: int) -> None:
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
    Payment.Recorded: lambda page, e, pos: _payment_recorded(page, RecordedPayment.of_event(e), pos),
    Payment.Amended: _payment_amended,
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
    Account.Created: account_created,
    Account.RoleChanged: account_role_changed,
    Account.Disabled: account_disabled,
    Campaign.Created: campaign_created,
    Campaign.HandedOver: campaign_handed_over,
    **INSTITUTION_HANDLERS,
}
TOPICS = {f"{cls.__module__}:{cls.__qualname__}" for cls in HANDLERS}


class ReadModel:
    """Keeps the read-model tables caught up with the event log, exactly once."""

    NAME = "read_model"

    def __init__(self, app: Application[UUID], engine: Engine) -> None:
        self.app = app
        self.engine = engine

    def position(self) -> int:
        with self.engine.connect() as conn:
            return read_position(conn, self.NAME)

    def catch_up(self, page_size: int = PAGE_SIZE,
                 after_page: Callable[[int], None] | None = None) -> int:
        """Apply every event recorded so far; returns the position reached."""
        while True:
            with self.engine.begin() as conn:
                start = read_position(conn, self.NAME, for_update=True)
                notifications = self.app.recorder.select_notifications(
                    start, page_size, inclusive_of_start=False
                )
                if not notifications:
                    return start
                self._apply(conn, notifications)
                advance(conn, self.NAME, start, notifications[-1].id)
            if after_page is not None:
                after_page(notifications[-1].id)

    def apply_recorded(self, notifications: Sequence[Notification],
                       known: Mapping[int, RecordedPayment]) -> None:
        """Project what this process just recorded, without reading it back.

        ``notifications`` are the events one transaction just recorded (with their
        positions), ``known`` the payments among them already decoded. Taken only when
        they follow the tracked position with nothing in between, and are contiguous;
        otherwise (another writer interleaved) this is a plain :meth:`catch_up`.
        """
        first, last = notifications[0].id, notifications[-1].id
        if last - first + 1 == len(notifications):
            with self.engine.begin() as conn:
                start = read_position(conn, self.NAME, for_update=True)
                if self._nothing_between(start, first):
                    self._apply(conn, notifications, known)
                    advance(conn, self.NAME, start, last)
                    return
        self.catch_up()

    def _nothing_between(self, start: int, first: int) -> bool:
        """True when ``first`` is the next event after the tracked position ``start``.

        Positions may have gaps (a rolled-back insert on PostgreSQL uses up ids), so an
        empty range is asked of the log rather than assumed from the numbers.
        """
        if start >= first:
            return False  # someone (the follower) projected these already
        return start == first - 1 or not self.app.recorder.select_notifications(
            start, 1, stop=first - 1, inclusive_of_start=False)

    def _apply(self, conn: Connection, notifications: Sequence[Notification],
               known: Mapping[int, RecordedPayment] | None = None) -> None:
        mapper = self.app.mapper
        append_links(conn, notifications, authenticator_of(mapper))
        page = _Page(conn)
        for n in notifications:
            if n.topic == RECORDED_TOPIC:
                # The payroll's bulk: read without building domain events (payment_codec).
                payment = (known.get(n.id) if known else None) or payment_codec.decode(mapper, n)
                if payment is not None:
                    _payment_recorded(page, payment, n.id)
                    continue
            elif n.topic == ENROLLED_TOPIC:
                # Roster imports' bulk, also without domain events (projections/enrolment_rows).
                case = enrolled_row(mapper, n, n.id)
                if case is not None:
                    page.new_cases.add(case["case_id"])
                    page.cases[case["case_id"]] = case
                    continue
            if n.topic not in TOPICS:
                continue
            event = mapper.to_domain_event(n)
            HANDLERS[type(event)](page, event, n.id)
        page.flush()
