"""Issue 12, "no month silently unpaid": payroll months run in order, drafts can be discarded.

Both backends. The county's cases start in 2024-01 (tests/county.py); dates are chosen
by each test and passed in (`--on`, ``today=``), never read from a clock.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from jobs.runner import payroll_draft
from ledger.bootstrap import open_runtime
from ledger.cli.main import main
from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.domain.errors import BatchStateError
from ledger.domain.month_order import LedgerMonths, refusal
from ledger.services.bank_export import export_batch
from ledger.services.batches import approve_batch, discard_batch
from ledger.services.case_changes import update_case
from ledger.services.enrolment import import_roster
from ledger.services.payroll_months import MonthOrderError
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from projections.payment_lines import LINES
from tests import county


def cli(*args: str, by: str = "clerk") -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={"LEDGER_USER": by})
    return result.exit_code, result.stdout, result.stderr


def enrol(rt: Runtime, tmp_path: Path, *rows: dict[str, object]) -> None:
    county.set_standards(rt.app)
    rows = rows or (county.row(1, "dibao"), county.row(2, "tekun"))
    import_roster(rt, county.write(tmp_path / "roster.csv", list(rows)), county.TODAY, "clerk")


def events(rt: Runtime) -> int:
    return rt.app.recorder.max_notification_id() or 0


def lines(rt: Runtime, batch_id: str) -> list[tuple[str, str, str, int, str]]:
    p = LINES.c
    rt.read_model.catch_up()
    with rt.engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(
            select(p.payment_id, p.kind, p.for_month, p.amount, p.status)
            .where(p.batch_id == batch_id, p.own_status != "withdrawn")))


# --- the rule, pure ---------------------------------------------------------------------------
def test_the_rule_allows_only_the_next_month_in_order() -> None:
    jan, feb, mar = Month(2024, 1), Month(2024, 2), Month(2024, 3)
    new = LedgerMonths(earliest_start=jan)
    assert refusal(jan, new, date(2024, 1, 5)) is None
    assert "first payroll is 2024-01" in (refusal(Month(2023, 12), new, None) or "")
    assert "2024-01 has not been run" in (refusal(mar, new, None) or "")
    paid = LedgerMonths(jan, {jan: "approved"})
    assert refusal(feb, paid, date(2024, 2, 1)) is None
    assert "2024-02 has not been run" in (refusal(mar, paid, None) or "")
    assert "later than the next calendar month (2024-03)" in (
        refusal(Month(2062, 2), paid, date(2024, 2, 1)) or "")
    assert refusal(jan, LedgerMonths(None), date(2024, 1, 5)) is None  # no case: nothing to skip


# --- the payroll refuses what would skip a month --------------------------------------------------
def test_a_payroll_for_a_month_after_a_month_never_run_is_refused_and_changes_nothing(
        rt: Runtime, tmp_path: Path) -> None:
    enrol(rt, tmp_path)
    approve_batch(rt, run_payroll(rt, Month(2024, 1), "clerk").id, "checker")
    before = events(rt)
    with pytest.raises(MonthOrderError, match="2024-02 has not been run"):
        run_payroll(rt, Month(2024, 3), "clerk", today=date(2024, 3, 1))
    assert events(rt) == before
    assert rt.app.maybe(ids.batch_id(Month(2024, 3), "regular")) is None


def test_the_first_payroll_is_the_month_the_earliest_case_starts(rt: Runtime,
                                                                  tmp_path: Path) -> None:
    enrol(rt, tmp_path, county.row(1, "dibao", start_month="2024-01"),
          county.row(2, "tekun", start_month="2024-04"))
    before = events(rt)
    with pytest.raises(MonthOrderError, match="2024-01 has not been run"):
        run_payroll(rt, Month(2024, 4), "clerk")
    with pytest.raises(MonthOrderError, match="nothing is due before 2024-01"):
        run_payroll(rt, Month(2023, 12), "clerk")
    assert events(rt) == before
    assert run_payroll(rt, Month(2024, 1), "clerk").payments == 1


def test_cli_refuses_2062_typed_for_2026_and_a_skipped_february_with_exit_1(
        ledger_url: str, tmp_path: Path) -> None:
    assert cli("init")[0] == 0
    rows = [county.row(1, "dibao", start_month="2026-01")]
    assert cli("standard", "set", "dibao", "--category", "rural", "--amount", "5316", "--per",
               "year", "--from", "2024-01-01")[0] == 0
    code, _, err = cli("roster", "import", str(county.write(tmp_path / "r.csv", rows)),
                       "--today", "2026-01-05")
    assert code == 0, err
    code, _, err = cli("payroll", "run", "--month", "2062-01", "--on", "2026-01-05")
    assert code == 1
    assert "later than the next calendar month (2026-02)" in err and "Traceback" not in err
    code, out, err = cli("payroll", "run", "--month", "2026-01", "--on", "2026-01-05", "--json")
    assert code == 0, err
    assert cli("payroll", "approve", json.loads(out)["batch_id"], by="chief")[0] == 0
    code, _, err = cli("payroll", "run", "--month", "2026-03", "--on", "2026-03-01")
    assert code == 1
    assert "2026-02 has not been run" in err
    code, out, _ = cli("payroll", "list", "--json")
    assert [b["month"] for b in json.loads(out)["batches"]] == ["2026-01"]
    assert cli("payroll", "run", "--month", "bad")[0] == 2


# --- discarding a draft -------------------------------------------------------------------------
def test_a_discarded_draft_can_be_neither_approved_nor_exported_and_its_month_runs_again(
        rt: Runtime, tmp_path: Path) -> None:
    enrol(rt, tmp_path)
    draft = run_payroll(rt, Month(2024, 1), "clerk")
    first = lines(rt, draft.id.hex)
    assert len(first) == 2 and {line[4] for line in first} == {"draft"}
    discard_batch(rt, draft.id, "clerk")
    assert {line[4] for line in lines(rt, draft.id.hex)} == {"discarded"}
    before = events(rt)
    with pytest.raises(BatchStateError, match="discarded: run the month again"):
        approve_batch(rt, draft.id, "checker")
    with pytest.raises(BatchStateError, match="discarded"):
        export_batch(rt, draft.id, "csv", tmp_path / "jan.csv", "checker")
    with pytest.raises(MonthOrderError, match="2024-01 has not been run"):
        run_payroll(rt, Month(2024, 2), "clerk")  # January is not paid by the discarded draft
    assert events(rt) == before and not (tmp_path / "jan.csv").exists()
    # Facts change; the month is run again: the same batch and payment ids come back to life.
    household = ids.case_id(county.person(1), "dibao")
    update_case(rt.app, household, Month(2024, 1), "clerk", income_per_capita=20000)
    again = run_payroll(rt, Month(2024, 1), "clerk2")
    assert again.id == draft.id
    second = lines(rt, again.id.hex)
    assert [line[0] for line in second] == [line[0] for line in first]
    assert {line[4] for line in second} == {"draft"}
    tekun = next(line[3] for line in first if line[3] != (44300 - 12000) * 3)
    # dibao (443.00 − 120.00) × 3 = 969.00 in the discarded draft; now (443.00 − 200.00) × 3.
    assert sorted(line[3] for line in first) == sorted([96900, tekun])
    assert sorted(line[3] for line in second) == sorted([72900, tekun])
    approve_batch(rt, again.id, "checker")
    assert {line[4] for line in lines(rt, again.id.hex)} == {"approved"}


def test_an_approved_batch_is_never_discarded(rt: Runtime, tmp_path: Path) -> None:
    enrol(rt, tmp_path)
    batch = approve_batch(rt, run_payroll(rt, Month(2024, 1), "clerk").id, "checker")
    before = events(rt)
    with pytest.raises(BatchStateError, match="only a draft can be discarded"):
        discard_batch(rt, batch.id, "clerk")
    assert events(rt) == before


def test_cli_discard_is_recorded_and_refuses_an_approved_batch(ledger_url: str,
                                                              tmp_path: Path) -> None:
    assert cli("init")[0] == 0
    rt = open_runtime(ledger_url)
    try:
        enrol(rt, tmp_path)
    finally:
        rt.close()
    code, out, err = cli("payroll", "run", "--month", "2024-01", "--on", "2024-01-02", "--json")
    assert code == 0, err
    batch_id = json.loads(out)["batch_id"]
    code, out, err = cli("payroll", "discard", batch_id, "--by", "clerk.wang")
    assert code == 0, err
    assert "discarded" in out
    code, out, _ = cli("payroll", "show", batch_id, "--json")
    assert json.loads(out)["status"] == "discarded"
    code, out, _ = cli("audit", "--since", "2000-01-01", "--json")
    assert "Discarded" in out and "clerk.wang" in out
    assert cli("payroll", "run", "--month", "2024-01", "--on", "2024-01-02")[0] == 0
    assert cli("payroll", "approve", batch_id, by="chief")[0] == 0
    code, _, err = cli("payroll", "discard", batch_id)
    assert code == 1 and "only a draft can be discarded" in err
    assert cli("payroll", "discard", "not-an-id")[0] == 2


# --- the scheduler's draft ------------------------------------------------------------------------
def test_the_scheduler_drafts_only_the_next_month_in_order(rt: Runtime, tmp_path: Path) -> None:
    enrol(rt, tmp_path)  # cases from 2024-01
    assert payroll_draft(rt, date(2024, 3, 1)) is None  # a new ledger: 2024-01 comes first
    assert rt.app.maybe(ids.batch_id(Month(2024, 3), "regular")) is None
    january = payroll_draft(rt, date(2024, 1, 1))
    assert january is not None and january.month == Month(2024, 1)
    approve_batch(rt, january.id, "checker")
    assert payroll_draft(rt, date(2024, 3, 1)) is None  # February was never run
    assert rt.app.maybe(ids.batch_id(Month(2024, 3), "regular")) is None
    assert payroll_draft(rt, date(2024, 2, 1)) is not None
