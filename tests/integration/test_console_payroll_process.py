"""The console's payroll run, in its child process, with worker processes of its own.

A county of more than one part of cases makes the payroll start its workers; the child
must be allowed to (a daemonic child failed every such run with ``AssertionError``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import func, select

from ledger.adapters.roster_writer import write_roster_csv
from ledger.console.payroll_process import run_in_child
from ledger.services.batch_writer import CHUNK
from ledger.services.demo_county import county_roster, set_county_standards
from ledger.services.enrolment import import_roster
from ledger.services.runtime import Runtime
from projections import schema


def test_a_payroll_of_several_parts_runs_in_the_consoles_child_with_two_workers(
        rt: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_PAYROLL_WORKERS", "2")  # the child reads it from its environment
    cases = CHUNK + 100  # two parts: the run starts its two workers
    set_county_standards(rt, "clerk")
    roster = write_roster_csv(tmp_path / "roster.csv", county_roster(cases, 7))
    assert not import_roster(rt, roster, date(2024, 1, 1), "clerk").problems
    seen: list[tuple[int, int]] = []
    batch_id = run_in_child(rt, "2024-01", "clerk", date(2024, 1, 1),
                            lambda done, total: seen.append((done, total)))
    rt.read_model.catch_up()
    b, p = schema.batches.c, schema.payments.c
    with rt.engine.connect() as conn:
        status, payments = conn.execute(
            select(b.status, b.payments).where(b.batch_id == UUID(batch_id).hex)).one()
        lines = conn.execute(select(func.count()).where(p.batch_id == UUID(batch_id).hex)).scalar()
    assert status == "draft"
    assert payments == lines > CHUNK  # both parts recorded, as the batch counts them
    assert seen[-1][0] == seen[-1][1] > 0  # the progress the page shows reached its end
