"""Fund totals from the double-entry journal, and the monthly roster files, on both backends."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from ledger.adapters.report_files import roster_csv, roster_xlsx
from ledger.domain.calendar import Month
from ledger.services.bank_export import export_batch
from ledger.services.bank_results_import import import_results
from ledger.services.batches import approve_batch, batch_lines
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from projections.reports import ROSTER_HEADER, funds_report, journal_balance, roster_rows
from tests import county


def _january_paid_with_one_return(rt: Runtime, tmp_path: Path) -> list[dict]:
    county.set_standards(rt.app)
    rows = [
        county.row(1, "dibao", town="太平镇", village="一村"),          # (443.00 − 120.00) × 3 = 969.00
        county.row(2, "tekun", town="城关镇", village="二村"),          # 583.33 + 25.00 = 608.33
        county.row(3, "disability_living", town="城关镇", village="一村"),  # grade 1: 100.00
    ]
    assert not import_roster(rt, county.write(tmp_path / "r.csv", rows), county.TODAY,
                             "clerk").problems
    jan = run_payroll(rt, Month(2024, 1), "clerk")
    approve_batch(rt, jan.id, "chief")
    export_batch(rt, jan.id, "csv", tmp_path / "jan.csv", "clerk")
    lines = batch_lines(rt, jan.id)
    tekun = next(ln for ln in lines if ln["programme"] == "tekun")
    results = ["付款编号,状态,原因"] + [
        f"{ln['payment_id']},{'失败' if ln is tekun else '成功'},{'账户冻结' if ln is tekun else ''}"
        for ln in lines
    ]
    (tmp_path / "res.csv").write_text("\n".join(results), encoding="utf-8")
    import_results(rt, tmp_path / "res.csv", "clerk")
    return rows


def test_fund_totals_show_paid_returned_and_net_by_programme_month_and_town(
        rt: Runtime, tmp_path: Path) -> None:
    _january_paid_with_one_return(rt, tmp_path)
    with rt.engine.connect() as conn:
        report = funds_report(conn, 2024)
        debit, credit = journal_balance(conn)
    assert report["programmes"] == {
        "dibao": {"paid": "969.00", "returned": "0.00", "net": "969.00", "payments": 1},
        "disability_living": {"paid": "100.00", "returned": "0.00", "net": "100.00", "payments": 1},
        "tekun": {"paid": "608.33", "returned": "608.33", "net": "0.00", "payments": 1},
    }
    assert report["months"]["2024-01"]["tekun"]["returned"] == "608.33"
    assert set(report["towns"]) == {"太平镇", "城关镇"}
    assert report["towns"]["城关镇"]["disability_living"]["paid"] == "100.00"
    # every row is registered-poor (是): one person per programme in January
    assert report["registered_poor"] == {"2024-01": {"dibao": 1, "disability_living": 1, "tekun": 1}}
    # approval 1677.33 both sides; two settlements 1069.00; one return 608.33
    assert debit == credit == 1677_33 + 1069_00 + 608_33


def test_roster_files_are_sorted_by_town_and_village_with_masked_ids_and_town_subtotals(
        rt: Runtime, tmp_path: Path) -> None:
    rows = _january_paid_with_one_return(rt, tmp_path)
    with rt.engine.connect() as conn:
        lines = roster_rows(conn, "2024-01")
    roster_csv(tmp_path / "roster.csv", ROSTER_HEADER, lines)
    roster_xlsx(tmp_path / "roster.xlsx", ROSTER_HEADER, lines)
    text = (tmp_path / "roster.csv").read_bytes().decode("utf-8-sig")
    for r in rows:
        assert r["id_number"] not in text
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == list(ROSTER_HEADER)
    assert [(t[0], t[1]) for t in table[1:]] == [("城关镇", "一村"), ("城关镇", "二村"),
                                                 ("太平镇", "一村")]
    assert table[1][3] == rows[2]["id_number"][:4] + "*" * 10 + rows[2]["id_number"][-4:]
    account = rows[2]["bank_account"]
    assert table[1][5] == account[:4] + "*" * (len(account) - 8) + account[-4:]
    for r in rows:
        assert r["bank_account"] not in text
    assert (tmp_path / "roster.csv").stat().st_mode & 0o777 == 0o600
    sheet = load_workbook(tmp_path / "roster.xlsx").active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    subtotals = [v for v in values if v[1] == "小计"]
    assert [(v[0], v[9]) for v in subtotals] == [("城关镇", 708.33), ("太平镇", 969.0)]
    assert values[-1][0] == "合计" and values[-1][9] == 1677.33
    assert not any(r["id_number"] in str(values) for r in rows)


def test_report_funds_for_a_year_without_payments_is_empty(rt: Runtime) -> None:
    with rt.engine.connect() as conn:
        report = funds_report(conn, 2023)
    assert report == {"year": 2023, "programmes": {}, "months": {}, "towns": {},
                      "registered_poor": {}}


def test_standard_dates_do_not_leak_into_other_years(rt: Runtime, tmp_path: Path) -> None:
    _january_paid_with_one_return(rt, tmp_path)
    with rt.engine.connect() as conn:
        assert funds_report(conn, date(2025, 1, 1).year)["programmes"] == {}
