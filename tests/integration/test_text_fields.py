"""Nothing typed or imported can poison the ledger: one text-field rule, and inert spreadsheets."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from uuid import UUID

import pytest
from openpyxl import Workbook, load_workbook

from ledger.adapters.report_files import roster_csv, roster_xlsx
from ledger.adapters.roster import RosterRow
from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.domain.text_fields import text_problem
from ledger.services.batches import approve_batch
from ledger.services.enrolment import _case_from_row, import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from projections.reports import ROSTER_HEADER
from tests import county
from tests.integration.test_bank_roundtrip import events, run

JAN = Month(2024, 1)


@pytest.mark.parametrize("bad", [
    "张\x00三", "张\n三", "张\r三", "张\t三", "张\x1b三", "张\x7f三", "张\x85三", "张\u2028三",
    "张\u2029三", "张\ud800三", "张\u202e三", "=1+1", "+86", "-2+3", "@SUM(A1)", "张" * 201,
])
def test_a_text_field_refuses_controls_separators_surrogates_and_formula_starts(bad: str) -> None:
    assert text_problem(bad) is not None


@pytest.mark.parametrize("good", ["张三", "欧阳·娜娜", "O'Brien", "李-四", "中国农业银行城关支行",
                                  "县民政发〔2024〕1号", "张" * 200, "a=b", "家庭变故 (火灾)"])
def test_ordinary_names_places_and_references_pass(good: str) -> None:
    assert text_problem(good) is None


def _cases(rt: Runtime) -> int:
    from sqlalchemy import func, select

    from projections import schema

    rt.read_model.catch_up()
    with rt.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(schema.cases)).scalar_one()


def test_roster_import_refuses_every_bad_text_cell_by_file_row_and_column(
        rt: Runtime, tmp_path: Path) -> None:
    county.set_standards(rt.app)
    rows = [
        county.row(1, "dibao", name="张\x00三"),
        county.row(2, "tekun", name="李\n四"),
        county.row(3, "disability_living", town="=HYPERLINK(\"http://x\",\"点击\")"),
        county.row(4, "elderly", village="@SUM(1)", birth=county.date(1950, 1, 1)),
        county.row(5, "dibao", bank_name="农村信用社\u2028城关"),
    ]
    path = county.write(tmp_path / "r.csv", rows)
    before = events(rt)
    code, out, err = run("roster", "import", str(path), "--today", "2024-12-31")
    assert code == 2, err
    # rows are records: the quoted line break in row 3 does not shift the numbering
    assert f"{path}:2: 姓名: contains NUL (U+0000), a control character" in err
    assert f"{path}:3: 姓名: contains a line break (U+000A), a control character" in err
    assert f"{path}:4: 乡镇: starts with '='" in err
    assert f"{path}:5: 村居: starts with '@'" in err
    assert f"{path}:6: 开户银行: contains a line separator (U+2028)" in err
    assert "Traceback" not in err
    assert events(rt) == before and _cases(rt) == 0
    # and the ledger still works (on PostgreSQL a NUL used to crash every later command)
    assert run("case", "show", county.person(1))[0] == 2


def test_options_refuse_bad_text_naming_the_option(rt: Runtime, tmp_path: Path) -> None:
    county.set_standards(rt.app)
    assert not import_roster(rt, county.write(tmp_path / "r.csv", [county.row(1, "dibao")]),
                             county.TODAY, "clerk").problems
    case = ids.case_id(rt.app.person_key(county.person(1)), "dibao").hex
    before = events(rt)
    attempts = [
        (("relief", "grant", county.person(9), "--multiple", "2", "--reason", "火灾",
          "--name", "王\n五", "--area", "rural", "--town", "城关镇", "--village", "东村",
          "--bank-account", county.card(9), "--bank-name", "农村信用社", "--on", "2024-03-01"),
         "--name"),
        (("relief", "grant", county.person(1), "--multiple", "2", "--reason", "火\x00灾",
          "--on", "2024-03-01"), "--reason"),
        (("case", "exit", case, "--from", "2024-03", "--reason", "=cmd|' /C calc'!A0"),
         "--reason"),
        (("case", "update", case, "--from", "2024-03", "--bank-account", county.card(7),
          "--bank-name", "银行\u2029"), "--bank-name"),
        (("standard", "set", "dibao", "--category", "rural", "--amount", "500", "--per",
          "month", "--from", "2024-03-01", "--ref", "+1"), "--ref"),
    ]
    for args, option in attempts:
        code, _, err = run(*args)
        assert code == 2, (args, err)
        assert f"Invalid value for '{option}'" in err and "Traceback" not in err
    assert events(rt) == before


# --- spreadsheet-bound outputs ---------------------------------------------------------------
FORMULA = '=HYPERLINK("http://evil.example","点此")'


def _report_rows() -> list[list[str]]:
    row = {h: "" for h in ROSTER_HEADER} | {"乡镇": "城关镇", "村居": "东村", "姓名": FORMULA,
                                             "金额": "-50.00", "状态": "approved"}
    return [[row[h] for h in ROSTER_HEADER]]


def test_xlsx_report_cells_are_strings_never_formulas(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    roster_xlsx(out, ROSTER_HEADER, _report_rows())
    sheet_xml = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    cell = load_workbook(out).active.cell(row=2, column=ROSTER_HEADER.index("姓名") + 1)
    assert (cell.value, cell.data_type) == (FORMULA, "s")


def test_csv_report_cells_get_the_owasp_quote_but_numbers_stay_numbers(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    roster_csv(out, ROSTER_HEADER, _report_rows())
    line = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))[1]
    assert line[ROSTER_HEADER.index("姓名")] == "'" + FORMULA
    assert line[ROSTER_HEADER.index("金额")] == "-50.00"


@pytest.fixture
def poisoned_january(rt: Runtime) -> UUID:
    """A case recorded below the import (as before the text rule) whose name is a formula."""
    county.set_standards(rt.app)
    r = county.row(1, "disability_living")
    row = RosterRow(row=2, programme="disability_living", name=FORMULA, id_number=r["id_number"],
                    town="城关镇", village="东村", area="rural", household_size=None,
                    income_per_capita=None, disability_grade=1, care_level=None,
                    registered_poor=False, bank_name="农村信用社", bank_account=r["bank_account"],
                    start_month=JAN)
    rt.app.save(_case_from_row(rt, row, rt.app.person_key(row.id_number), "clerk"))
    batch = run_payroll(rt, JAN, "clerk")
    approve_batch(rt, batch.id, "checker")
    return batch.id


def test_bank_export_refuses_a_line_that_would_be_a_live_formula(
        rt: Runtime, poisoned_january: UUID, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "jan.csv"
    before = events(rt)
    code, _, err = run("bankfile", "export", poisoned_january.hex, "--format", "csv", "--out",
                       str(out), by="cashier")
    assert code == 1, err
    assert "姓名 starts with '='" in err and "Traceback" not in err
    assert county.person(1) not in err
    assert list(folder.iterdir()) == []  # no file, no temp file
    assert events(rt) == before


def test_the_roster_report_of_such_a_case_holds_it_as_text(
        rt: Runtime, poisoned_january: UUID, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    code, _, err = run("report", "roster", "--month", "2024-01", "--xlsx", str(out))
    assert code == 0, err
    sheet = load_workbook(out).active
    names = [c for c in sheet["C"] if c.value == FORMULA]
    assert names and all(c.data_type == "s" for c in names)


def test_workbook_helper_is_not_needed_for_plain_values() -> None:
    ws = Workbook().active
    from ledger.adapters.spreadsheet_safety import append_xlsx_row

    append_xlsx_row(ws, ["城关镇", 3, "=1"])
    assert [c.data_type for c in ws[1]] == ["s", "n", "s"]
