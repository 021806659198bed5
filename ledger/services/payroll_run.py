"""Running a month's payroll: the draft batch, recorded in chunks, safe to kill and rerun.

1. Catch the read model up and open one snapshot of it for the whole run, noting
   the log position it reflects: the batch records that position, so every line
   can be recomputed and explained later (see ``case_snapshot``).
2. Stream the case read model (never replay aggregates) in parts of a few
   thousand cases, in case-id order. For each part: compute its lines, diff them
   against the lines the draft already has for those cases — record new ones,
   amend changed ones, withdraw vanished ones — in one transaction, and add the
   part to the totals and the change report. Memory holds one part.
4. Record ``Computed`` with the totals and the change report.

Payment ids are deterministic, so a second recording of a line fails in the
event store itself. A run killed at any moment and started again finds the
lines already recorded and finishes the same batch; two runs at once collide on
ids and the loser re-reads and carries on, so both end at the same batch.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, func, select

from ledger.domain import ids
from ledger.domain.batch import Batch
from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord
from ledger.domain.change_report import ChangeReport, PreviousLine
from ledger.domain.errors import RunSupersededError
from ledger.domain.payroll import Line, OneOff, Reissue, case_lines
from ledger.domain.policy import PolicyBook
from ledger.domain.price_linkage import COVERED, Decision, case_subsidy, decide
from ledger.domain.programmes import CaseEntitlement
from ledger.domain.rulebook import CpiRecord, PolicySetting, Standard
from ledger.domain.statuses import BATCH_APPROVED as APPROVED
from ledger.domain.statuses import PAID as PAID_STATUSES
from ledger.services.batch_writer import CHUNK, BatchRun, Existing, Payee, Progress, await_newer_run
from ledger.services.institution_lines import record_institution_lines
from ledger.services.payroll_months import check_month
from ledger.services.relief_run import relief_lines
from ledger.services.runtime import SNAPSHOT_READ, Runtime
from projections import schema
from projections.tracking import read_position


def run_payroll(rt: Runtime, month: Month, by: str, chunk: int = CHUNK,
                progress: Progress | None = None, today: date | None = None) -> Batch:
    """Build (or refresh, while a draft) the regular batch of ``month``.

    Months run in order from the ledger's first month, and (given ``today``, as the CLI
    and the scheduler do) never beyond the next calendar month: ``ledger.domain.month_order``.

    When another run of the same month starts meanwhile, this one stops writing and
    waits for that run to finish; if that run stalls (killed), this one starts again.
    """
    for _ in range(3):
        try:
            return _run_once(rt, month, by, chunk, progress, today=today)
        except RunSupersededError:
            batch = await_newer_run(rt, ids.batch_id(month, "regular"))
            if batch is not None:
                return batch
    raise RunSupersededError(f"the {month} payroll keeps being superseded; try again")


def _run_once(rt: Runtime, month: Month, by: str, chunk: int,
              progress: Progress | None, full_history: bool = False,
              today: date | None = None) -> Batch:
    with case_snapshot(rt) as (position, snapshot):
        check_month(rt, month, today)
        return _run_in_snapshot(rt, month, by, chunk, progress, full_history, position,
                                snapshot)


def _run_in_snapshot(rt: Runtime, month: Month, by: str, chunk: int,
                     progress: Progress | None, full_history: bool, position: int,
                     snapshot: Connection) -> Batch:
    app = rt.app
    run = BatchRun(rt, month, "regular", by)
    batch = run.start(position)
    standards, policy = app.standard_book(), app.policy_book()
    with rt.engine.connect() as conn:
        paid_months = _paid_months(conn, month)
        reissues, held = _reissues(conn, month)
        reliefs = relief_lines(conn, batch.id, month)
        settled_at, owing = _settled_since(rt, conn, month) if not full_history else (None, set())
        price_months = _price_months(rt, conn, month, policy)
    price_changed = any(m.changed for m in price_months)
    cases = snapshot.execute(select(func.count()).select_from(schema.cases)).scalar_one()
    report = ChangeReport()
    done = 0
    # Streamed: one part of `chunk` cases at a time is read, computed, recorded and
    # forgotten, so memory stays flat however many cases the county (or province) has.
    after = ""
    for part in record_pages(snapshot, chunk):
        last = part[-1][0].case_id
        history = [record.case_id for record, changed_at in part
                   if settled_at is None or changed_at > settled_at or record.case_id in owing]
        history_of = set(history)
        # Price subsidies are rechecked for the cases whose history is, or for every covered
        # case when a month's CPI figures or rules changed since its batch.
        priced = [record.case_id for record, _ in part if record.programme in COVERED
                  and (price_changed or record.case_id in history_of)] if price_months else []
        with rt.engine.connect() as conn:
            net_paid = _net_paid(conn, history) if history and paid_months else {}
            price_paid = _price_paid(conn, priced) if priced else {}
            existing = existing_lines(conn, batch.id, (after, last))
            previous = _previous_lines(conn, month, (after, last))
        lines: list[tuple[Line, Payee]] = []
        receivables: dict[str, int] = {}
        priced_of = set(priced)
        for record, _ in part:
            entitled = CaseEntitlement(record, standards, policy)
            one_offs = (_one_offs(entitled, price_months, price_paid.get(record.case_id, {}))
                        if record.case_id in priced_of else ())
            result = case_lines(record, month,
                                paid_months if record.case_id in history_of else (),
                                net_paid.get(record.case_id, {}), standards, policy,
                                reissues.get(record.case_id, ()), one_offs, entitled)
            payee = Payee.of(record)
            lines.extend((line, payee) for line in result.lines)
            if result.receivable:
                receivables[record.case_id] = result.receivable
        run.record(lines, existing, chunk)
        report.add((line for line, _ in lines), previous, receivables)
        done += len(part)
        if progress:
            progress(done, cases)
        after = last
    with rt.engine.connect() as conn:
        existing = existing_lines(conn, batch.id, relief=True)
    run.record(reliefs, existing, chunk)
    record_institution_lines(run, snapshot, month, report, chunk)
    return run.complete(position, report.as_dict(held))


# --- reading the read model ---------------------------------------------------------
@contextmanager
def case_snapshot(rt: Runtime) -> Iterator[tuple[int, Connection]]:
    """The case read model as of one log position, and that position, for a whole run.

    A run reads its cases page by page for minutes at province scale while other
    processes may record and project changes. Every page is read in one snapshot (a
    read-only WAL transaction on SQLite, REPEATABLE READ on PostgreSQL) that also gives
    the read model's position, so the position a batch records is exactly the state its
    lines were computed from — and can be explained from later.
    """
    rt.read_model.catch_up()
    with rt.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        else:
            conn.execution_options(**{SNAPSHOT_READ: True})
        position = read_position(conn, rt.read_model.NAME)
        yield position, conn


def record_pages(conn: Connection, size: int) -> Iterator[list[tuple[CaseRecord, int]]]:
    """Every case record with the log position of its last change, in pages of case-id order.

    Keyset pages on the caller's (snapshot) connection: memory holds one page.
    """
    c = schema.cases.c
    after = ""
    while True:
        rows = conn.execute(
            select(c.case_id, c.record, c.changed_position).where(c.case_id > after)
            .order_by(c.case_id).limit(size)
        ).all()
        if not rows:
            return
        yield [(CaseRecord.from_json(text), changed_at) for _, text, changed_at in rows]
        after = rows[-1][0]


RULE_TOPICS = [get_topic(Standard.Set), get_topic(PolicySetting.Set)]
CPI_TOPICS = [*RULE_TOPICS, get_topic(CpiRecord.Recorded)]


@dataclass(frozen=True)
class _PriceMonth:
    """A measured month whose price-subsidy batch was approved, decided by today's figures."""

    month: Month
    decision: Decision
    floor: int
    changed: bool
    """Its CPI figures, a standard or the policy changed since its batch was computed."""


def _price_months(rt: Runtime, conn: Connection, month: Month,
                  policy: PolicyBook) -> list[_PriceMonth]:
    """Every approved price-subsidy month up to ``month``, as the facts known now decide it.

    A price subsidy follows the facts like any other payment (SPEC: Retroactive changes):
    a CPI correction, or a case fact recorded late that changes who was covered in the
    measured month or a household's size then, is paid or recovered by the regular payroll.
    """
    b = schema.batches.c
    found = []
    for measured, position in conn.execute(
        select(b.month, b.position).where(b.kind == "price_subsidy", b.status.in_(APPROVED),
                                          b.month <= str(month)).order_by(b.month)
    ):
        x = Month.parse(measured)
        record = rt.app.cpi(x)
        if record is None or record.cpi_yoy is None or record.food_yoy is None:
            continue
        decision = decide(record.cpi_yoy, record.food_yoy,
                          policy.value("price_linkage.cpi_threshold", x),
                          policy.value("price_linkage.food_threshold", x))
        changed = bool(rt.app.recorder.select_notifications(
            int(position), 1, topics=CPI_TOPICS, inclusive_of_start=False))
        found.append(_PriceMonth(x, decision, policy.value("price_linkage.floor", x), changed))
    return found


def _price_paid(conn: Connection, case_ids: list[str]) -> dict[str, dict[Month, int]]:
    """case -> measured month -> its price subsidy paid in approved batches (reissues not)."""
    p = schema.payments.c
    paid: dict[str, dict[Month, int]] = defaultdict(dict)
    for case_id, for_month, total in conn.execute(
        select(p.case_id, p.for_month, func.sum(p.amount))
        .where(p.case_id.in_(case_ids), p.programme == "price_subsidy",
               p.status.in_(PAID_STATUSES), p.kind != "reissue")
        .group_by(p.case_id, p.for_month)
    ):
        paid[case_id][Month.parse(for_month)] = int(total)
    return paid


def _one_offs(entitled: CaseEntitlement, months: list[_PriceMonth],
              paid: dict[Month, int]) -> list[OneOff]:
    """The price-subsidy differences of one case: due by the facts now − paid."""
    record = entitled.record
    out = []
    for s in months:
        due = case_subsidy(record, s.month, s.decision, s.floor, entitled.standards,
                           entitled.policy, entitled) if s.decision.triggered else None
        amount, formula = due if due else (0, "not covered by the facts known now"
                                           if s.decision.triggered else "suspended after correction")
        already = paid.get(s.month, 0)
        if amount != already:
            out.append(OneOff("price_subsidy", s.month, amount, already, formula))
    return out


def _settled_since(rt: Runtime, conn: Connection, month: Month) -> tuple[int | None, set[str]]:
    """The position up to which earlier months are settled, and the cases still owing.

    When the latest approved regular batch L was computed at log position P, it paid every
    case exactly its entitlement for every earlier paid month, except the recoveries it could
    not net (its receivables). Months are run and approved in order, so no other month was
    paid since. A case whose facts did not change after P, while no standard or policy
    changed after P either, therefore has nothing to pay or recover for past months: its
    history need not be recomputed. Returns (None, …) when that shortcut does not apply.
    """
    b = schema.batches.c
    latest = conn.execute(
        select(b.position, b.report).where(b.kind == "regular", b.status.in_(APPROVED),
                                           b.month < str(month))
        .order_by(b.month.desc()).limit(1)
    ).first()
    if latest is None:
        return None, set()
    position, report = int(latest[0]), json.loads(latest[1] or "{}")
    receivables = report.get("receivables", {})
    if len(receivables.get("by_case", {})) < receivables.get("cases", 0):
        return None, set()  # the list was capped: cannot tell who still owes
    if rt.app.recorder.select_notifications(position, 1, topics=RULE_TOPICS,
                                            inclusive_of_start=False):
        return None, set()  # a standard or policy changed since: every history may differ
    return position, set(receivables.get("by_case", {}))


def _paid_months(conn: Connection, month: Month) -> list[Month]:
    b = schema.batches.c
    rows = conn.execute(
        select(b.month).where(b.kind == "regular", b.status.in_(APPROVED), b.month < str(month))
    )
    return sorted(Month.parse(m) for (m,) in rows)


def _net_paid(conn: Connection, case_ids: list[str]) -> dict[str, dict[Month, int]]:
    """case -> for_month -> sum of its lines in approved batches (returns included, reissues not).

    Only the case's own programme counts: relief and price-subsidy lines (and their
    corrections, which the regular batch also carries) are one-off payments of their own.
    """
    p = schema.payments.c
    rows = conn.execute(
        select(p.case_id, p.for_month, func.sum(p.amount))
        .where(p.case_id.in_(case_ids), p.batch_kind == "regular",
               p.status.in_(PAID_STATUSES), p.kind != "reissue",
               p.programme.not_in(("temporary", "price_subsidy")))
        .group_by(p.case_id, p.for_month)
    )
    paid: dict[str, dict[Month, int]] = defaultdict(dict)
    for case_id, for_month, total in rows:
        paid[case_id][Month.parse(for_month)] = int(total)
    return paid


def _reissues(conn: Connection, month: Month) -> tuple[dict[str, list[Reissue]], list[dict[str, Any]]]:
    """Returned payments to pay again (account corrected since the return) and those held."""
    p, c = schema.payments.c, schema.cases.c
    already = set()
    for (text,) in conn.execute(
        select(p.reissue_of).where(p.reissue_of != "", p.status.in_(PAID_STATUSES))
    ):
        already.update(text.split(","))
    rows = conn.execute(
        select(p.payment_id, p.case_id, p.for_month, p.transfer, p.returned_position,
               p.programme, c.bank_changed_position)
        .join(schema.cases, c.case_id == p.case_id, isouter=True)
        .where(p.status == "returned")
    )
    reissues: dict[str, list[Reissue]] = defaultdict(list)
    held = []
    for pid, case_id, for_month, transfer, returned_at, programme, bank_at in rows:
        if pid in already or transfer <= 0:
            continue
        if bank_at is not None and bank_at > (returned_at or 0):
            reissues[case_id].append(Reissue(UUID(pid), Month.parse(for_month), int(transfer),
                                                 programme))
        else:
            held.append({"payment_id": pid, "case_id": case_id, "programme": programme,
                         "amount": int(transfer), "for_month": for_month})
    return reissues, held


CaseRange = tuple[str, str]
"""Case ids after the first and up to the second: one part of a streamed payroll."""


def _in_part(case_id: Any, part: CaseRange) -> Any:
    return (case_id > part[0]) & (case_id <= part[1])


def existing_lines(conn: Connection, batch_id: UUID, part: CaseRange | None = None,
                   relief: bool = False) -> Existing:
    """The lines a batch already has: all of them, those of one part's cases, or its reliefs.

    A relief line's case id is the relief's own id, so reliefs are never part of a range.
    """
    p = schema.payments.c
    query = select(p.payment_id, p.amount, p.transfer, p.status, p.bank_account).where(
        p.batch_id == batch_id.hex)
    if relief:
        query = query.where(p.kind == "relief")
    elif part is not None:  # an institution's line is no case's (institution_lines)
        query = query.where(_in_part(p.case_id, part), p.kind != "relief",
                            p.programme != "institution")
    return {UUID(r[0]): (int(r[1]), int(r[2]), r[3], r[4]) for r in conn.execute(query)}


def _previous_lines(conn: Connection, month: Month, part: CaseRange) -> list[PreviousLine]:
    p = schema.payments.c
    rows = conn.execute(
        select(p.case_id, p.programme, p.kind, p.amount)
        .where(p.batch_month == str(month + -1), p.batch_kind == "regular",
               p.status != "withdrawn", _in_part(p.case_id, part),
               p.programme != "institution")
    )
    return [(r[0], r[1], r[2], int(r[3])) for r in rows]
