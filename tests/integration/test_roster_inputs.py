"""Roster files that are not what they seem: misspelt columns, other sheets, formulas, junk."""

from __future__ import annotations

import os
import time
import tracemalloc
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from ledger.adapters.roster import ROSTER_COLUMNS, read_roster
from ledger.services.runtime import Runtime
from tests import county
from tests.integration.test_bank_roundtrip import events, run

TODAY = date(2024, 12, 31)


def lines(path: Path) -> list[str]:
    return [str(p) for p in read_roster(path, TODAY)[1]]


def _write_headers(path: Path, header: list[str], values: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in [header, *values]) + "\n", encoding="utf-8")
    return path


def test_a_misspelt_optional_column_is_an_error_naming_the_nearest_known_one(
        rt: Runtime, tmp_path: Path) -> None:
    row = county.row(1, "dibao", registered_poor="是")
    keys = list(ROSTER_COLUMNS)
    header = ["registerd_poor" if k == "registered_poor" else k for k in keys]
    path = _write_headers(tmp_path / "r.csv", header, [[str(row.get(k, "")) for k in keys]])
    before = events(rt)
    code, _, err = run("roster", "import", str(path), "--today", "2024-12-31")
    assert code == 2, err
    assert (f"{path}:1: registerd_poor: unknown column: did you mean registered_poor? "
            "(its values would be lost)") in err
    assert events(rt) == before


def test_chinese_headers_get_the_same_hint_and_remarks_columns_are_allowed(tmp_path: Path) -> None:
    header = [ROSTER_COLUMNS[k] if k != "registered_poor" else "建档立卡户"
              for k in ROSTER_COLUMNS] + ["备注", "序号"]
    row = county.row(1, "dibao")
    path = _write_headers(tmp_path / "r.csv", header,
                          [[str(row.get(k, "")) for k in ROSTER_COLUMNS] + ["去年复核", "1"]])
    assert lines(path) == [f"{path}:1: 建档立卡户: unknown column: did you mean 建档立卡? "
                           "(its values would be lost)"]


def _workbook_row() -> list[object]:
    row = county.row(1, "dibao")
    return [row.get(k, "") for k in ROSTER_COLUMNS]


def test_data_in_a_sheet_other_than_the_first_visible_one_is_reported(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.title = "说明"
    data = wb.create_sheet("花名册")
    data.append(list(ROSTER_COLUMNS.values()))
    data.append(_workbook_row())
    path = tmp_path / "r.xlsx"
    wb.save(path)
    rows, problems = read_roster(path, TODAY)
    assert rows == []
    assert [str(p) for p in problems] == [
        f"{path}:1: file: only the first visible sheet ('说明') is read, but sheet(s) '花名册' "
        "hold data too: put the whole table in that one sheet and delete the others"]


def test_a_hidden_sheet_with_data_is_reported_not_read(tmp_path: Path) -> None:
    wb = Workbook()
    hidden = wb.active
    hidden.title = "旧名单"
    hidden.append(list(ROSTER_COLUMNS.values()))
    hidden.append(_workbook_row())
    hidden.sheet_state = "hidden"
    visible = wb.create_sheet("花名册")
    visible.append(list(ROSTER_COLUMNS.values()))
    visible.append(_workbook_row())
    path = tmp_path / "r.xlsx"
    wb.save(path)
    problems = lines(path)
    assert len(problems) == 1
    assert "('花名册') is read, but sheet(s) '旧名单' (hidden) hold data too" in problems[0]


def test_formula_cells_are_reported_not_read_as_values_or_as_missing(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    keys = list(ROSTER_COLUMNS)
    ws.append(list(ROSTER_COLUMNS.values()))
    cells = _workbook_row()
    cells[keys.index("household_size")] = "=1+2"
    cells[keys.index("name")] = '=CONCAT("张","三")'
    ws.append(cells)
    path = tmp_path / "r.xlsx"
    wb.save(path)
    assert lines(path) == [
        f"{path}:2: 姓名: a formula '=CONCAT(\"张\",\"三\")', not a value: paste the values "
        "(Paste Special > Values) and save again",
        f"{path}:2: 保障人数: a formula '=1+2', not a value: paste the values "
        "(Paste Special > Values) and save again",
    ]


def test_dev_zero_and_a_fifo_are_refused_at_once(rt: Runtime, tmp_path: Path) -> None:
    before = events(rt)
    started = time.monotonic()
    code, _, err = run("roster", "import", "/dev/zero")
    assert code == 2
    assert "/dev/zero:1: file: is a device, not a regular file" in err
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    assert lines(fifo) == [f"{fifo}:1: file: is a FIFO or socket, not a regular file"]
    assert time.monotonic() - started < 5
    assert events(rt) == before


def test_junk_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    binary = tmp_path / "junk.bin"
    binary.write_bytes(b"\xff\xfe" + os.urandom(12 << 20))
    one_line = tmp_path / "one_line.csv"
    one_line.write_bytes(b"a" * (3 << 20))
    other_table = tmp_path / "other.csv"
    other_table.write_bytes(b"x,y\n" + b"1,2\n" * 1_500_000)
    tracemalloc.start()
    try:
        started = time.monotonic()
        assert lines(binary) == [f"{binary}:1: file: the file is neither UTF-8 nor GBK text"]
        assert lines(one_line) == [f"{one_line}:1: file: line 1 is longer than 64 KiB: not a "
                                   "text table (is it the right file?)"]
        other = lines(other_table)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert other[0] == f"{other_table}:1: x: unknown column: known columns: " + ", ".join(
        ROSTER_COLUMNS) + " (its values would be lost)"
    assert all(":1: " in line for line in other)  # the header only: the rows are not read
    assert peak < 16 << 20, peak  # 12 MB of junk read with a few MB
    assert time.monotonic() - started < 20


def test_only_the_first_200_problems_are_listed_and_the_rest_counted(
        rt: Runtime, tmp_path: Path) -> None:
    rows = [county.row(seq, "dibao", household_size="abc") for seq in range(1, 1000)]
    path = county.write(tmp_path / "r.csv", rows)
    problems = read_roster(path, TODAY)[1]
    assert len(problems) == 201
    assert all(p.column == "保障人数" for p in problems[:200])
    assert [p.row for p in problems[:200]] == list(range(2, 202))
    assert problems[200].more == 799
    assert str(problems[200]) == (f"{path}:1000: file: and 799 more problem(s) not listed "
                                  "(the first 200 are)")
    before = events(rt)
    code, _, err = run("roster", "import", str(path), "--today", "2024-12-31")
    assert code == 2
    assert err.count("\n") == 202 and "999 problem(s), 0 refused" in err
    assert err.splitlines()[-2].startswith(f"{path}:1000: file: and 799 more")
    assert events(rt) == before


def test_a_control_character_in_an_echoed_cell_is_shown_escaped_on_one_line(
        tmp_path: Path) -> None:
    path = county.write(tmp_path / "r.csv", [county.row(1, "dibao") | {"programme": "di\x00b\nao"}])
    assert lines(path) == [f"{path}:2: 项目: unknown programme 'di\\u0000b\\u000aao' (one of "
                           "dibao, tekun, disability_living, disability_care, elderly, orphan, "
                           "child_in_difficulty)"]


def _rezipped(source: Path, target: Path, change: dict[str, bytes]) -> Path:
    """``source`` with some of its parts' contents replaced, as a hostile tool would write it."""
    import zipfile

    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for part in old.infolist():
            new.writestr(part.filename, change.get(part.filename, old.read(part.filename)))
        for name in change.keys() - set(old.namelist()):
            new.writestr(name, change[name])
    return target


def _roster_xlsx(path: Path) -> Path:
    wb = Workbook()
    wb.active.append(list(ROSTER_COLUMNS.values()))
    wb.active.append(_workbook_row())
    wb.save(path)
    return path


def test_a_sheet_that_claims_a_million_rows_of_16384_columns_is_read_as_what_it_holds(
        tmp_path: Path) -> None:
    """A 5 KB file declaring ``A1:XFD1048576`` with one empty cell in the last row made the
    reader pad every row to 16,384 cells: about 50 minutes. Rows are as long as their cells."""
    import zipfile

    from ledger.adapters.input_files import xlsx_rows

    plain = _roster_xlsx(tmp_path / "plain.xlsx")
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(plain) as z:
        xml = z.read(sheet).decode()
    start = xml.index("<dimension ref=")
    xml = (xml[:start] + '<dimension ref="A1:XFD1048576"/>' + xml[xml.index("/>", start) + 2:])
    xml = xml.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576"/></row></sheetData>')
    hostile = _rezipped(plain, tmp_path / "claims.xlsx", {sheet: xml.encode()})
    assert hostile.stat().st_size < 10_000
    rows = xlsx_rows(hostile)
    header, first = next(rows), next(rows)
    assert len(header) == len(ROSTER_COLUMNS) and len(first) == len(ROSTER_COLUMNS)
    rows.close()
    read, problems = read_roster(hostile, TODAY)
    assert problems == [] and [r.id_number for r in read] == [county.person(1)]


def test_an_xlsx_whose_shared_strings_unpack_a_hundredfold_is_refused_unread(
        tmp_path: Path) -> None:
    """Shared strings are read whole into memory: 219 KB unpacking to 5 million strings took
    894 MB. A part unpacking to over 100 times its packed size is no spreadsheet's."""
    import zipfile

    plain = _roster_xlsx(tmp_path / "plain.xlsx")
    types, rels = "[Content_Types].xml", "xl/_rels/workbook.xml.rels"
    with zipfile.ZipFile(plain) as z:
        content_types, relationships = z.read(types).decode(), z.read(rels).decode()
    count = 300_000
    bomb = (f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{count}" uniqueCount="{count}">' + "<si><t/></si>" * count + "</sst>")
    hostile = _rezipped(plain, tmp_path / "bomb.xlsx", {  # the shared strings, declared
        "xl/sharedStrings.xml": bomb.encode(),
        types: content_types.replace("</Types>", (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxml'
            'formats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')).encode(),
        rels: relationships.replace("</Relationships>", (
            '<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        )).encode()})
    tracemalloc.start()
    try:
        rows, problems = read_roster(hostile, TODAY)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rows == [] and len(problems) == 1
    assert str(problems[0]).startswith(
        f"{hostile}:1: file: not a plausible XLSX file: its part 'xl/sharedStrings.xml' unpacks "
        "to 3 MB from ")
    assert peak < 2 << 20, peak  # refused from the archive's directory, nothing unpacked
