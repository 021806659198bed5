"""A payroll streamed in small parts makes exactly the batch one big part makes.

Parts are ranges of case ids; lines, amendments and withdrawals of a re-run draft,
totals and the change report must not depend on where the ranges fall.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ledger.bootstrap import open_runtime
from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services import payroll_run
from ledger.services.batches import approve_batch, batch_lines
from ledger.services.case_changes import exit_case, update_case
from ledger.services.enrolment import import_roster
from ledger.services.runtime import Runtime
from projections import schema
from projections.payment_lines import LINES
from tests import county

ROWS = [county.row(i, "dibao", household_size=1 + i % 3, income_per_capita=f"{100 + i}.00")
        for i in range(1, 10)] + [county.row(10, "tekun"),
                                  county.row(11, "elderly", birth=date(1944, 2, 10))]


def _scenario(rt: Runtime, tmp_path: Path, chunk: int) -> list[Any]:
    county.set_standards(rt.app)
    assert not import_roster(rt, county.write(tmp_path / "r.csv", ROWS), county.TODAY,
                             "clerk").problems
    dibao = sorted(ids.case_id(county.person(i), "dibao") for i in range(1, 10))
    seen: list[Any] = []

    def run(month: str) -> None:
        rt.read_model.catch_up()
        batch = payroll_run.run_payroll(rt, Month.parse(month), "clerk", chunk=chunk)
        p = LINES.c
        with rt.engine.connect() as conn:
            lines = sorted(conn.execute(
                select(p.case_id, p.kind, p.for_month, p.amount, p.status)
                .where(p.batch_id == batch.id.hex)).all())
        live = [ln for ln in lines if ln.status != "withdrawn"]
        # the batch's totals are those of its lines, however many parts recorded them
        assert batch.payments == len(live) == len(batch_lines(rt, batch.id))
        assert batch.total == sum(ln.amount for ln in live)
        seen.append((batch.payments, batch.total, batch.by_programme, batch.report,
                     [tuple(ln) for ln in lines]))

    run("2024-01")
    approve_batch(rt, ids.batch_id(Month(2024, 1), "regular"), "chief")
    run("2024-02")
    # Changes in the first, a middle and the last part, then the draft is run again:
    # one line withdrawn, two amended, arrears and a recovery appear.
    exit_case(rt.app, dibao[0], Month(2024, 2), "moved away", "clerk")
    update_case(rt.app, dibao[4], Month(2024, 1), "clerk", income_per_capita=5000)
    update_case(rt.app, dibao[-1], Month(2024, 1), "clerk", household_size=5)
    run("2024-02")
    return seen


def test_small_parts_make_the_same_batches_as_one_part(rt: Runtime, tmp_path: Path) -> None:
    streamed = _scenario(rt, tmp_path, chunk=2)
    statuses = {ln[4] for ln in streamed[-1][4]}
    kinds = {ln[1] for ln in streamed[-1][4]}
    assert "withdrawn" in statuses and {"arrears", "recovery"} & kinds
    ref_dir = tmp_path / "one_part"
    ref_dir.mkdir()
    reference = open_runtime(f"sqlite:///{ref_dir / 'ledger.db'}", init=True)
    try:
        assert _scenario(reference, ref_dir, chunk=1000) == streamed
    finally:
        reference.close()


def test_a_change_projected_during_a_run_waits_for_the_next_run(rt: Runtime,
                                                                tmp_path: Path) -> None:
    """The run reads one snapshot: the position it records is the state its lines came from."""
    county.set_standards(rt.app)
    rows = [county.row(i, "dibao", household_size=1, income_per_capita="100.00")
            for i in range(1, 7)]
    assert not import_roster(rt, county.write(tmp_path / "r.csv", rows), county.TODAY,
                             "clerk").problems
    last = max(ids.case_id(county.person(i), "dibao") for i in range(1, 7))
    changed: list[int] = []

    def meanwhile(done: int, total: int) -> None:
        if not changed:  # after the first part: another clerk reassesses the last case
            update_case(rt.app, last, Month(2024, 1), "clerk2", income_per_capita=20000)
            changed.append(rt.read_model.catch_up())

    month = Month.parse("2024-01")
    batch = payroll_run.run_payroll(rt, month, "clerk", chunk=2, progress=meanwhile)
    assert batch.position < changed[0]

    def amount_of_last() -> int:
        p = schema.payments.c
        with rt.engine.connect() as conn:
            return conn.execute(select(p.amount).where(
                p.batch_id == batch.id.hex, p.case_id == last.hex,
                p.own_status != "withdrawn")).scalar_one()

    assert amount_of_last() == 443_00 - 100_00  # rural standard 443.00 less income 100.00
    again = payroll_run.run_payroll(rt, month, "clerk", chunk=2)
    assert again.position >= changed[0]
    assert amount_of_last() == 443_00 - 200_00  # the next run sees the reassessment
