"""The bank CSV's 项目 column tells a recipient why a second amount arrived (both backends).

Case 1 of tests/county.py: rural dibao, household of 3, income 120.00, standard 443.00:
January (443.00 − 120.00) × 3 = 969.00. In February the income is reassessed to 100.00
from January: February pays (443.00 − 100.00) × 3 = 1029.00 and January's difference
1029.00 − 969.00 = 60.00 as arrears.
"""

from __future__ import annotations

from pathlib import Path

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services.bank_export import export_batch
from ledger.services.batches import approve_batch
from ledger.services.case_changes import update_case
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from tests import county
from tests.integration.test_bank_roundtrip import csv_rows


def test_an_arrears_line_says_which_month_it_makes_up_and_reexport_is_byte_identical(
        rt: Runtime, tmp_path: Path) -> None:
    county.set_standards(rt.app)
    rows = [county.row(1, "dibao")]
    assert not import_roster(rt, county.write(tmp_path / "r.csv", rows), county.TODAY,
                             "clerk").problems
    jan = run_payroll(rt, Month(2024, 1), "clerk")
    approve_batch(rt, jan.id, "checker")
    update_case(rt.app, ids.case_id(county.person(1), "dibao"), Month(2024, 1), "clerk",
                income_per_capita=10000)
    rt.read_model.catch_up()
    feb = run_payroll(rt, Month(2024, 2), "clerk")
    approve_batch(rt, feb.id, "checker")

    export_batch(rt, feb.id, "csv", tmp_path / "feb.csv", "cashier")
    body = csv_rows(tmp_path / "feb.csv")[1:-1]
    assert sorted((r[5], r[6], r[7]) for r in body) == [
        ("1029.00", "最低生活保障", "2024-02"),
        ("60.00", "最低生活保障 补发 2024-01", "2024-01"),
    ]
    first = (tmp_path / "feb.csv").read_bytes()
    export_batch(rt, feb.id, "csv", tmp_path / "again.csv", "cashier")
    assert (tmp_path / "again.csv").read_bytes() == first
