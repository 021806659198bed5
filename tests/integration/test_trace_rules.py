"""The trace shows the rules a line was computed with, on both backends.

Case 1 of tests/county.py: rural dibao, household of 3, income 120.00; rural standard
5316/12 = 443.00 (ref 县民政发〔2024〕1号), urban 600.00 (same ref).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services.batches import approve_batch, batch_lines
from ledger.services.case_changes import update_case
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.price_subsidy_run import run_price_linkage
from ledger.services.runtime import Runtime
from ledger.services.trace import trace_payment
from tests import county

RURAL_443 = {"programme": "dibao", "category": "rural", "monthly": "443.00",
             "ref": "县民政发〔2024〕1号", "effective": "2024-01-01"}


def enrol(rt: Runtime, tmp_path: Path) -> UUID:
    county.set_standards(rt.app)
    assert not import_roster(rt, county.write(tmp_path / "r.csv", [county.row(1, "dibao")]),
                             county.TODAY, "clerk").problems
    return ids.case_id(county.person(1), "dibao")


def standards(trace: dict) -> list[dict]:
    return [{k: e[k] for k in RURAL_443} for e in trace["events"] if e["type"] == "Standard.Set"]


def test_an_arrears_line_shows_the_standard_in_force_for_the_month_it_pays_for(
        rt: Runtime, tmp_path: Path) -> None:
    case = enrol(rt, tmp_path)
    approve_batch(rt, run_payroll(rt, Month(2024, 1), "clerk").id, "checker")
    # recorded in February: a rise from March (not January's), and January's income 100.00:
    # arrears for January (443.00 − 100.00) × 3 − 969.00 = 60.00
    rt.app.set_standard("dibao", "rural", 44800, "month", date(2024, 3, 1), "三月提标", False,
                        "clerk")
    update_case(rt.app, case, Month(2024, 1), "clerk", income_per_capita=10000)
    rt.read_model.catch_up()
    feb = run_payroll(rt, Month(2024, 2), "clerk")
    approve_batch(rt, feb.id, "checker")
    arrears, = [ln for ln in batch_lines(rt, feb.id) if ln["kind"] == "arrears"]
    assert (arrears["for_month"], arrears["amount"]) == ("2024-01", "60.00")
    # recorded after the line was computed: another line's story, not this one's
    rt.app.set_standard("dibao", "rural", 44500, "month", date(2024, 1, 1), "补发文件2号", False,
                        "clerk")

    trace = trace_payment(rt, UUID(arrears["payment_id"]))
    # only the rural standard in force for January as known then: not the urban one,
    # not March's, not the later back-dated one
    assert standards(trace) == [RURAL_443]


def test_a_price_subsidy_shows_the_cpi_record_the_decision_and_the_dibao_standard(
        rt: Runtime, tmp_path: Path) -> None:
    enrol(rt, tmp_path)
    rt.app.record_cpi(Month(2024, 1), Decimal("3.8"), Decimal("6.5"), "clerk")
    batch = run_price_linkage(rt, Month(2024, 1), "scheduler")
    assert batch is not None
    line, = batch_lines(rt, batch.id)
    # both indices trigger, rise 6.5: 443.00 × 6.5% = 28.795 → 29 yuan × 3 people = 87.00
    assert line["amount"] == "87.00"
    trace = trace_payment(rt, UUID(line["payment_id"]))
    assert standards(trace) == [RURAL_443]
    recorded, = [e for e in trace["events"] if e["type"] == "CpiRecord.Recorded"]
    assert (recorded["cpi_yoy"], recorded["food_yoy"], recorded["subject"]) == ("3.8", "6.5", "cpi")
    decided, = [e for e in trace["events"] if e["type"] == "CpiRecord.PriceLinkageDecided"]
    assert (decided["triggered"], decided["rise"], decided["index"], decided["thresholds"]) == (
        True, "6.5", "both", {"cpi": "3.5", "food": "6.0"})
