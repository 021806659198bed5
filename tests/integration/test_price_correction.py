"""A CPI correction recorded after the price subsidy was paid flows into the next payroll."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services.batches import approve_batch, batch_lines
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.price_subsidy_run import run_price_linkage
from ledger.services.runtime import Runtime
from tests import county

JAN, FEB, MAR = Month(2024, 1), Month(2024, 2), Month(2024, 3)


def _paid_january_subsidy(rt: Runtime, tmp_path: Path) -> str:
    county.set_standards(rt.app)
    rows = [county.row(1, "dibao")]  # rural, household of 3, income 120.00: 969.00 a month
    assert not import_roster(rt, county.write(tmp_path / "r.csv", rows), county.TODAY,
                             "clerk").problems
    approve_batch(rt, run_payroll(rt, JAN, "clerk").id, "chief")
    rt.app.record_cpi(JAN, Decimal("3.6"), Decimal("2.0"), "clerk")
    subsidy = run_price_linkage(rt, JAN, "scheduler")
    assert subsidy is not None
    # 443.00 × 3.6% = 15.948 → 16 yuan a person; 3 people: 48.00
    assert subsidy.total == 48_00
    approve_batch(rt, subsidy.id, "chief")
    return ids.case_id(county.person(1), "dibao").hex


def _lines(rt: Runtime, month: Month) -> list[tuple[str, str, str, str, str]]:
    batch = run_payroll(rt, month, "clerk")
    return sorted((ln["programme"], ln["kind"], ln["for_month"], ln["amount"], ln["transfer"])
                  for ln in batch_lines(rt, batch.id))


def test_a_cpi_corrected_upwards_after_payment_is_paid_as_arrears(rt: Runtime, tmp_path) -> None:
    _paid_january_subsidy(rt, tmp_path)
    rt.app.record_cpi(JAN, Decimal("4.0"), Decimal("2.0"), "clerk")
    # 443.00 × 4.0% = 17.72 → 18 yuan a person: (18 − 16) × 3 = 6.00 more
    assert _lines(rt, FEB) == [
        ("dibao", "regular", "2024-02", "969.00", "969.00"),
        ("price_subsidy", "arrears", "2024-01", "6.00", "6.00"),
    ]
    approve_batch(rt, run_payroll(rt, FEB, "clerk").id, "chief")
    # A later standard change makes March recompute every case's history: the subsidy
    # arrears are not mistaken for an overpayment of January's dibao.
    rt.app.set_standard("elderly", "90+", 21000, "month", JAN.first_day, "x", False, "clerk")
    assert _lines(rt, MAR) == [("dibao", "regular", "2024-03", "969.00", "969.00")]


def test_a_cpi_corrected_below_the_threshold_is_recovered_from_the_next_payment(
        rt: Runtime, tmp_path) -> None:
    _paid_january_subsidy(rt, tmp_path)
    rt.app.record_cpi(JAN, Decimal("3.0"), Decimal("2.0"), "clerk")  # suspended after all
    # 48.00 recovered, netted against February's 969.00: 921.00 sent
    assert _lines(rt, FEB) == [
        ("dibao", "regular", "2024-02", "969.00", "921.00"),
        ("price_subsidy", "recovery", "2024-01", "-48.00", "0.00"),
    ]
    approve_batch(rt, run_payroll(rt, FEB, "clerk").id, "chief")
    # settled: March has no further price-subsidy line
    assert _lines(rt, MAR) == [("dibao", "regular", "2024-03", "969.00", "969.00")]


def test_no_correction_no_line(rt: Runtime, tmp_path) -> None:
    _paid_january_subsidy(rt, tmp_path)
    assert _lines(rt, FEB) == [("dibao", "regular", "2024-02", "969.00", "969.00")]
