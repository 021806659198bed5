"""Running a month's payroll: the draft batch, recorded in chunks, safe to kill and rerun.

1. Catch the read model up and open one snapshot of it for the whole run, noting
   the log position it reflects: the batch records that position, so every line
   can be recomputed and explained later (see ``case_snapshot``).
2. Stream the case read model (never replay aggregates) in parts of a few
   thousand cases, in case-id order. Each part's lines are computed by one of N
   worker processes (``payroll_workers``, ``payroll_parts``) from the snapshot's rows;
   this process, the one writer, takes the computed parts back in order and, for each,
   diffs its lines against the lines the draft already has for those cases — records
   new ones, amends changed ones, withdraws vanished ones — in one transaction, and
   adds the part to the totals and the change report. Memory holds a few parts.
3. Record ``Computed`` with the totals and the change report.

Payment ids are deterministic, so a second recording of a line fails in the
event store itself. A run killed at any moment and started again finds the
lines already recorded and finishes the same batch; two runs at once collide on
ids and the loser re-reads and carries on, so both end at the same batch.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date

from sqlalchemy import Connection, func, select

from ledger.adapters.payment_codec import Sealing
from ledger.domain import ids
from ledger.domain.batch import Batch
from ledger.domain.calendar import Month
from ledger.domain.change_report import ChangeReport
from ledger.domain.errors import RunSupersededError
from ledger.domain.price_linkage import COVERED
from ledger.services.batch_writer import CHUNK, BatchRun, Progress, await_newer_run
from ledger.services.institution_lines import record_institution_lines
from ledger.services.payroll_history import (
    net_paid,
    paid_months,
    price_months,
    price_paid,
    reissues,
    settled_since,
)
from ledger.services.payroll_months import check_month
from ledger.services.payroll_parts import PartInput, RunFacts
from ledger.services.payroll_reads import (
    CaseRange,
    case_snapshot,
    existing_lines,
    previous_lines,
    raw_pages,
)
from ledger.services.payroll_workers import PartPool
from ledger.services.price_coverage import counted_elsewhere
from ledger.services.relief_run import relief_lines, relief_reissue_lines
from ledger.services.runtime import Runtime
from projections import schema

__all__ = ["case_snapshot", "existing_lines", "raw_pages", "run_payroll"]


def run_payroll(rt: Runtime, month: Month, by: str, chunk: int = CHUNK,
                progress: Progress | None = None, today: date | None = None,
                workers: int | None = None) -> Batch:
    """Build (or refresh, while a draft) the regular batch of ``month``.

    Months run in order from the ledger's first month, and (given ``today``, as the CLI
    and the scheduler do) never beyond the next calendar month: ``ledger.domain.month_order``.

    ``workers`` processes compute the parts (default: the ``LEDGER_PAYROLL_WORKERS``
    setting, else one per core; see ``payroll_workers``); this process records them.

    When another run of the same month starts meanwhile, this one stops writing and
    waits for that run to finish; if that run stalls (killed), this one starts again.
    """
    n = rt.workers(workers)
    for _ in range(3):
        try:
            return _run_once(rt, month, by, chunk, progress, today=today, workers=n)
        except RunSupersededError:
            batch = await_newer_run(rt, ids.batch_id(month, "regular"))
            if batch is not None:
                return batch
    raise RunSupersededError(f"the {month} payroll keeps being superseded; try again")


def _run_once(rt: Runtime, month: Month, by: str, chunk: int,
              progress: Progress | None, full_history: bool = False,
              today: date | None = None, workers: int = 1) -> Batch:
    with case_snapshot(rt) as (position, snapshot):
        check_month(rt, month, today)
        return _run_in_snapshot(rt, month, by, chunk, progress, full_history, position,
                                snapshot, workers)


def _run_in_snapshot(rt: Runtime, month: Month, by: str, chunk: int,
                     progress: Progress | None, full_history: bool, position: int,
                     snapshot: Connection, workers: int) -> Batch:
    app = rt.app
    run = BatchRun(rt, month, "regular", by)
    batch = run.start(position)
    with rt.engine.connect() as conn:
        paid = paid_months(conn, month)
        to_reissue, held = reissues(conn, month, app.person_key)
        reliefs = relief_lines(conn, batch.id, month) + relief_reissue_lines(conn, to_reissue)
        settled_at, owing = settled_since(rt, conn, month) if not full_history else (None, set())
        policy = app.policy_book()
        priced_months = price_months(rt, conn, month, policy)
    facts = RunFacts(month, "regular", batch.id, by, app.standard_book(), policy,
                     paid, to_reissue, priced_months,
                     Sealing.of(app.mapper, rt.settings.cipher_key))
    price_changed = any(m.changed for m in priced_months)
    cases = snapshot.execute(select(func.count()).select_from(schema.cases)).scalar_one()
    report = ChangeReport()
    done = 0

    def parts() -> Iterator[tuple[tuple[CaseRange, int], PartInput]]:
        """Each part's range and size, and its input: the snapshot's cases, their history."""
        after = ""
        for page in raw_pages(snapshot, chunk):
            last = page[-1][0]
            history = [case_id for case_id, _, changed_at, _ in page
                       if settled_at is None or changed_at > settled_at or case_id in owing]
            history_of = set(history)
            # Price subsidies are rechecked for the cases whose history is, or for every
            # covered case when a month's CPI figures or rules changed since its batch.
            priced = [case_id for case_id, _, _, programme in page if programme in COVERED
                      and (price_changed or case_id in history_of)] if priced_months else []
            with rt.engine.connect() as conn:
                net = net_paid(conn, history) if history and paid else {}
                prices = price_paid(conn, priced) if priced else {}
            # A person counted once for a month's subsidy: by the snapshot's cases.
            counted = counted_elsewhere(snapshot, priced, [m.month for m in priced_months],
                                        facts.standards, policy)
            yield ((after, last), len(page)), PartInput(
                [(case_id, text) for case_id, text, _, _ in page], frozenset(history_of),
                frozenset(priced), net, prices, counted)
            after = last

    # Streamed: a few parts of `chunk` cases at a time are read, computed (by the workers),
    # recorded (here, in case-id order) and forgotten, so memory stays flat however many
    # cases the county (or province) has.
    with PartPool(facts, min(workers, math.ceil(cases / chunk))) as pool:
        for (part, size), computed in pool.computed(parts()):
            with rt.engine.connect() as conn:
                existing = existing_lines(conn, batch.id, part)
                previous = previous_lines(conn, month, part)
            entries = computed.entries()
            run.record_entries(entries, existing, chunk)
            report.add_rows(((p.case_id, p.programme, p.kind, p.amount) for p, _ in entries),
                            previous, computed.receivables)
            done += size
            if progress:
                progress(done, cases)
    with rt.engine.connect() as conn:
        existing = existing_lines(conn, batch.id, relief=True)
    run.record(reliefs, existing, chunk)
    record_institution_lines(run, snapshot, month, report, chunk, to_reissue)
    return run.complete(position, report.as_dict(held))
