"""Roster files in: every problem reported as FILE:ROW: column: problem."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from ledger.adapters.problems import Problem
from ledger.adapters.roster import ROSTER_COLUMNS, RosterRow, read_roster
from ledger.domain.calendar import Month
from ledger.domain.identity import generate_card_number, generate_id_number

TODAY = date(2024, 6, 15)


def person(seq: int, birth: date = date(1970, 5, 12)) -> str:
    return generate_id_number("420106", birth, seq)


def card(seq: int) -> str:
    return generate_card_number("622848", seq)


def hand_check_digit(body: str) -> str:
    """GB 11643 check digit, independent of ledger.domain.identity."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def bad_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def dibao(**changes: str) -> dict[str, str]:
    """A valid dibao row (English keys); tests change one or two cells."""
    row = {
        "programme": "dibao",
        "name": "张三",
        "id_number": person(1),
        "town": "城关镇",
        "village": "东街社区",
        "area": "urban",
        "household_size": "3",
        "income_per_capita": "350.50",
        "disability_grade": "",
        "care_level": "",
        "registered_poor": "no",
        "bank_name": "中国农业银行",
        "bank_account": card(1),
        "start_month": "2024-05",
    }
    row.update(changes)
    return row


def write_csv(
    path: Path,
    rows: list[dict[str, str]],
    *,
    chinese: bool = False,
    encoding: str = "utf-8",
    columns: list[str] | None = None,
    extra_lines: str = "",
) -> Path:
    keys = columns if columns is not None else list(ROSTER_COLUMNS)
    header = [ROSTER_COLUMNS.get(k, k) if chinese else k for k in keys]
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(k, "") for k in keys])
        f.write(extra_lines)
    return path


def problem_lines(path: Path) -> list[str]:
    return [str(p) for p in read_roster(path, TODAY)[1]]


# --- good files -----------------------------------------------------------------


def test_utf8_csv_with_english_headers_gives_normalized_rows(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "roster.csv",
        [
            dibao(id_number=person(1).lower(), registered_poor="yes"),
            dibao(
                programme="tekun",
                id_number=person(3),
                area="rural",
                household_size="",
                income_per_capita="",
                care_level="partial",
                bank_account=card(3),
            ),
            dibao(programme="disability_living", id_number=person(5), disability_grade="3"),
            dibao(programme="disability_care", id_number=person(7), disability_grade="1"),
            dibao(programme="elderly", id_number=person(9, date(1944, 3, 15)), area=""),
            dibao(programme="orphan", id_number=person(11, date(2010, 1, 1))),
            dibao(programme="child_in_difficulty", id_number=person(13, date(2012, 2, 2))),
        ],
    )
    rows, problems = read_roster(path, TODAY)
    assert problems == []
    assert [r.row for r in rows] == [2, 3, 4, 5, 6, 7, 8]
    assert rows[0] == RosterRow(
        row=2,
        programme="dibao",
        name="张三",
        id_number=person(1),
        town="城关镇",
        village="东街社区",
        area="urban",
        household_size=3,
        income_per_capita=35050,
        disability_grade=None,
        care_level=None,
        registered_poor=True,
        bank_name="中国农业银行",
        bank_account=card(1),
        start_month=Month(2024, 5),
    )
    assert (rows[1].programme, rows[1].area, rows[1].care_level) == ("tekun", "rural", "partial")
    assert rows[1].household_size is None and rows[1].registered_poor is False
    assert rows[2].disability_grade == 3
    assert rows[4].area is None


def test_gbk_csv_with_chinese_headers_and_values_is_read(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "花名册.csv",
        [
            dibao(programme="低保", area="城市", registered_poor="是"),
            dibao(
                programme="特困人员救助供养",
                id_number=person(3),
                area="农村",
                care_level="全护理",
                registered_poor="否",
            ),
            dibao(programme="困难残疾人生活补贴", id_number=person(5), disability_grade="二级"),
        ],
        chinese=True,
        encoding="gbk",
    )
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    rows, problems = read_roster(path, TODAY)
    assert problems == []
    assert [(r.programme, r.area, r.registered_poor) for r in rows] == [
        ("dibao", "urban", True),
        ("tekun", "rural", False),
        ("disability_living", "urban", False),
    ]
    assert rows[1].care_level == "full"
    assert rows[2].disability_grade == 2
    assert rows[0].name == "张三" and rows[0].town == "城关镇"


def test_utf8_csv_with_bom_as_excel_saves_it_is_read(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [dibao()], chinese=True, encoding="utf-8-sig")
    rows, problems = read_roster(path, TODAY)
    assert problems == [] and len(rows) == 1


def test_xlsx_first_sheet_is_read_with_spreadsheet_typed_cells(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([*ROSTER_COLUMNS.values(), "备注"])
    good = dibao()
    cells: list[object] = [good[k] for k in ROSTER_COLUMNS]
    keys = list(ROSTER_COLUMNS)
    cells[keys.index("household_size")] = 3
    cells[keys.index("income_per_capita")] = 350.5
    cells[keys.index("start_month")] = datetime(2024, 5, 1)
    cells[keys.index("registered_poor")] = True
    sheet.append([*cells, "去年复核"])
    sheet.append([None] * 15)
    sheet.append([None] * 15)
    workbook.create_sheet("其他")  # an empty extra sheet is fine (one with data is reported)
    path = tmp_path / "roster.xlsx"
    workbook.save(path)

    rows, problems = read_roster(path, TODAY)
    assert problems == []
    assert len(rows) == 1
    row = rows[0]
    assert (row.row, row.household_size, row.income_per_capita) == (2, 3, 35050)
    assert row.start_month == Month(2024, 5) and row.registered_poor is True


def test_xlsx_problems_carry_the_sheet_row_number_and_chinese_column(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(ROSTER_COLUMNS.values()))
    sheet.append([dibao()[k] for k in ROSTER_COLUMNS])
    broken = dibao(id_number=person(3), bank_account=card(3))
    cells: list[object] = [broken[k] for k in ROSTER_COLUMNS]
    cells[list(ROSTER_COLUMNS).index("id_number")] = float(person(3)[:17])
    sheet.append(cells)
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    assert problem_lines(path) == [
        f"{path}:3: 身份证号: stored as a spreadsheet number, digits may be lost: "
        "format the column as text"
    ]


def test_empty_trailing_rows_and_unknown_columns_are_ignored(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        [dibao(remarks="checked 2023")],
        columns=[*ROSTER_COLUMNS, "remarks"],
        extra_lines=",,,,,,,,,,,,,,\r\n\r\n , ,\r\n",
    )
    rows, problems = read_roster(path, TODAY)
    assert problems == [] and len(rows) == 1


def test_headers_with_unit_suffix_and_spacing_are_recognised(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    write_csv(path, [dibao()], chinese=True)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("家庭月人均收入", "家庭月人均收入（元）", 1), encoding="utf-8")
    rows, problems = read_roster(path, TODAY)
    assert problems == [] and rows[0].income_per_capita == 35050


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("Y", True), ("1", True), ("false", False), ("N", False), ("0", False)],
)
def test_registered_poor_accepts_common_yes_no_spellings(
    tmp_path: Path, text: str, expected: bool
) -> None:
    path = write_csv(tmp_path / "r.csv", [dibao(registered_poor=text)])
    rows, problems = read_roster(path, TODAY)
    assert problems == [] and rows[0].registered_poor is expected


def test_age_limits_hold_exactly_at_the_month_after_the_birthday_month(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        [
            # 60th birthday in 2024-04: 60 from 2024-05
            dibao(programme="elderly", id_number=person(1, date(1964, 4, 30))),
            # 18th birthday in 2024-05: still paid in 2024-05
            dibao(programme="orphan", id_number=person(3, date(2006, 5, 10))),
        ],
    )
    rows, problems = read_roster(path, TODAY)
    assert problems == [] and len(rows) == 2


# --- bad cells ------------------------------------------------------------------

BAD_CELLS = [
    ({"id_number": bad_check_digit(person(1))}, "id_number", "wrong check digit"),
    ({"id_number": person(1)[:17]}, "id_number", "must be 18 characters, not 17"),
    (
        {"id_number": person(1)[:16] + "A" + person(1)[17]},
        "id_number",
        "must be 17 digits followed by a digit or X",
    ),
    (
        {"id_number": generate_id_number("110101", date(1990, 2, 28), 123).replace("0228", "0230")},
        "id_number",
        "wrong check digit",
    ),
    (
        {"id_number": "11010119900230123" + hand_check_digit("11010119900230123")},
        "id_number",
        "impossible birth date 19900230",
    ),
    (
        {"id_number": person(1, date(2024, 6, 16))},
        "id_number",
        "birth date in the future",
    ),
    (
        {"bank_account": card(1)[:-1] + str((int(card(1)[-1]) + 1) % 10)},
        "bank_account",
        "UnionPay card number (16-19 digits from 62) fails the Luhn check",
    ),
    ({"bank_account": "6228-4800"}, "bank_account", "must contain only digits"),
    ({"bank_account": "12345"}, "bank_account", "must be 6 to 32 digits, not 5"),
    ({"start_month": "2024/05"}, "start_month", "a month YYYY-MM, not '2024/05'"),
    ({"start_month": "2024-13"}, "start_month", "a month YYYY-MM, not '2024-13'"),
    (
        {"programme": "pension"},
        "programme",
        "unknown programme 'pension' (one of dibao, tekun, disability_living, "
        "disability_care, elderly, orphan, child_in_difficulty)",
    ),
    (
        {"programme": "temporary"},
        "programme",
        "temporary (临时救助) is not importable: use ledger relief grant",
    ),
    (
        {"programme": "价格临时补贴"},
        "programme",
        "price_subsidy (价格临时补贴) is not importable: it is paid by the price linkage job",
    ),
    ({"area": "city"}, "area", "urban or rural (城市/农村), not 'city'"),
    ({"household_size": "0"}, "household_size", "a whole number of people from 1 to 20, not '0'"),
    (
        {"household_size": "three"},
        "household_size",
        "a whole number of people from 1 to 20, not 'three'",
    ),
    (
        {"income_per_capita": "12.345"},
        "income_per_capita",
        "an amount in yuan with at most 2 decimals, not '12.345'",
    ),
    ({"income_per_capita": "-5"}, "income_per_capita", "an income cannot be negative: '-5'"),
    (
        {"income_per_capita": "100000"},
        "income_per_capita",
        "more than 99999.99 yuan a month per person is not plausible",
    ),
    (
        {"programme": "disability_living", "disability_grade": "5"},
        "disability_grade",
        "a grade from 1 to 4, not '5'",
    ),
    (
        {"programme": "tekun", "care_level": "some"},
        "care_level",
        "self, partial or full (全自理/半护理/全护理), not 'some'",
    ),
    ({"registered_poor": "maybe"}, "registered_poor", "yes or no (是/否), not 'maybe'"),
    ({"name": ""}, "name", "missing value"),
    ({"bank_name": "  "}, "bank_name", "missing value"),
    ({"start_month": ""}, "start_month", "missing value"),
    ({"household_size": ""}, "household_size", "missing value (needed for dibao)"),
    ({"area": ""}, "area", "missing value (needed for dibao)"),
    ({"programme": "tekun"}, "care_level", "missing value (needed for tekun)"),
    (
        {"programme": "disability_care"},
        "disability_grade",
        "missing value (needed for disability_care)",
    ),
    (
        {"programme": "disability_care", "disability_grade": "3"},
        "disability_grade",
        "grade 3-4 not eligible for disability_care",
    ),
    (
        {"programme": "elderly", "id_number": person(1, date(1964, 8, 20))},
        "start_month",
        "elderly needs age 60: the person is 59 in 2024-05, 60 from 2024-09",
    ),
    (
        {"programme": "orphan", "id_number": person(1, date(2006, 3, 10))},
        "start_month",
        "orphan is for children under 18: the person is 18 in 2024-05, last month 2024-03",
    ),
    (
        {"programme": "child_in_difficulty", "id_number": person(1, date(2006, 4, 10))},
        "start_month",
        "child_in_difficulty is for children under 18: the person is 18 in 2024-05, "
        "last month 2024-04",
    ),
    (
        {"programme": "child_in_difficulty", "id_number": person(1, date(2024, 6, 1))},
        "start_month",
        "before the birth date in the ID number",
    ),
]


@pytest.mark.parametrize(("changes", "column", "message"), BAD_CELLS)
def test_each_kind_of_bad_cell_is_reported_with_file_row_and_column(
    tmp_path: Path, changes: dict[str, str], column: str, message: str
) -> None:
    path = write_csv(
        tmp_path / "roster.csv", [dibao(), dibao(**{"id_number": person(3), **changes})]
    )
    rows, problems = read_roster(path, TODAY)
    assert [str(p) for p in problems] == [f"{path}:3: {column}: {message}"]
    assert [r.row for r in rows] == [2]


def test_wrong_id_check_digit_is_reported_with_row_and_chinese_column(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        [dibao(id_number=bad_check_digit(person(1)))],
        chinese=True,
        encoding="gbk",
    )
    assert problem_lines(path) == [f"{path}:2: 身份证号: wrong check digit"]


def test_every_problem_in_every_row_is_reported_in_file_order(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        [
            dibao(id_number=bad_check_digit(person(1)), area="city", start_month="May"),
            dibao(id_number=person(3), bank_account=card(3)),
            dibao(id_number=person(5), bank_account="", household_size="-1"),
        ],
    )
    rows, problems = read_roster(path, TODAY)
    assert [str(p) for p in problems] == [
        f"{path}:2: id_number: wrong check digit",
        f"{path}:2: area: urban or rural (城市/农村), not 'city'",
        f"{path}:2: start_month: a month YYYY-MM, not 'May'",
        f"{path}:4: household_size: a whole number of people from 1 to 20, not '-1'",
        f"{path}:4: bank_account: missing value",
    ]
    assert [r.row for r in rows] == [3]


def test_problem_prints_like_a_compiler_error() -> None:
    problem = Problem("r.csv", 7, "身份证号", "wrong check digit")
    assert str(problem) == "r.csv:7: 身份证号: wrong check digit"


# --- columns --------------------------------------------------------------------


def test_missing_required_column_is_one_problem_on_the_header_row(tmp_path: Path) -> None:
    columns = [k for k in ROSTER_COLUMNS if k != "bank_name"]
    path = write_csv(
        tmp_path / "r.csv", [dibao(), dibao(id_number=person(3))], chinese=True, columns=columns
    )
    rows, problems = read_roster(path, TODAY)
    assert [str(p) for p in problems] == [f"{path}:1: bank_name: missing column"]
    assert rows == []


def test_column_needed_by_a_programme_in_the_file_is_reported_once(tmp_path: Path) -> None:
    columns = [k for k in ROSTER_COLUMNS if k != "household_size"]
    path = write_csv(
        tmp_path / "r.csv",
        [
            dibao(),
            dibao(id_number=person(3)),
            dibao(programme="elderly", id_number=person(5, date(1940, 1, 1))),
        ],
        columns=columns,
    )
    rows, problems = read_roster(path, TODAY)
    assert [str(p) for p in problems] == [
        f"{path}:1: household_size: missing column (needed for dibao)"
    ]
    assert [r.programme for r in rows] == ["elderly"]


def test_columns_no_programme_in_the_file_needs_may_be_left_out(tmp_path: Path) -> None:
    columns = [
        "programme",
        "name",
        "id_number",
        "town",
        "village",
        "bank_name",
        "bank_account",
        "start_month",
    ]
    path = write_csv(
        tmp_path / "r.csv",
        [dibao(programme="elderly", id_number=person(1, date(1940, 1, 1)))],
        columns=columns,
    )
    rows, problems = read_roster(path, TODAY)
    assert problems == []
    assert rows[0].area is None and rows[0].registered_poor is False


def test_column_given_twice_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    write_csv(path, [dibao()], columns=[*ROSTER_COLUMNS, "name"])
    path.write_text(
        path.read_text(encoding="utf-8").replace(",name\n", ",姓名\n", 1), encoding="utf-8"
    )
    assert problem_lines(path) == [f"{path}:1: 姓名: column given twice (also as name)"]


# --- across rows ----------------------------------------------------------------


def test_same_person_in_dibao_and_tekun_is_reported_on_the_later_row(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        [
            dibao(),
            dibao(programme="elderly", id_number=person(3, date(1950, 1, 1))),
            dibao(programme="tekun", care_level="full", bank_account=card(2)),
        ],
    )
    rows, problems = read_roster(path, TODAY)
    assert [str(p) for p in problems] == [
        f"{path}:4: id_number: already in dibao on row 2: "
        "one person cannot be in both dibao and tekun"
    ]
    assert [r.row for r in rows] == [2, 3]


def test_same_person_and_programme_twice_is_a_duplicate(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [dibao(), dibao(name="张三 ")])
    assert problem_lines(path) == [
        f"{path}:3: id_number: duplicate: same person and programme as row 2"
    ]


def test_same_person_in_compatible_programmes_is_fine(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "r.csv",
        [dibao(), dibao(programme="disability_living", disability_grade="1")],
    )
    rows, problems = read_roster(path, TODAY)
    assert problems == [] and len(rows) == 2


# --- privacy and whole-file failures --------------------------------------------


def test_messages_never_contain_a_full_id_or_account_number(tmp_path: Path) -> None:
    ids = [person(i) for i in range(1, 12, 2)]
    accounts = [card(i) for i in range(1, 12, 2)]
    rows = [
        dibao(id_number=bad_check_digit(ids[0]), bank_account=accounts[0] + "1"),
        dibao(id_number=ids[1], bank_account=accounts[1][:-1] + "0" + "x"),
        dibao(id_number=ids[2], programme=ids[2], area=accounts[2], bank_account=accounts[2]),
        dibao(id_number=ids[3], programme="tekun", care_level=ids[3], bank_account=accounts[3]),
        dibao(id_number=ids[3], bank_account=accounts[4], household_size=accounts[4]),
        dibao(id_number=ids[3], bank_account=accounts[4]),
        dibao(id_number=ids[5], bank_account=accounts[5][:-1] + "9", income_per_capita=ids[5]),
    ]
    problems = problem_lines(write_csv(tmp_path / "r.csv", rows))
    assert len(problems) == 10
    text = "\n".join(problems)
    for number in [*ids, *accounts, bad_check_digit(ids[0]), accounts[0] + "1"]:
        assert number not in text
        assert number[:17] not in text
    assert "4201**********" in text  # a shifted ID number is shown masked


def test_an_empty_file_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert problem_lines(path) == [f"{path}:1: file: empty: no header row"]


def test_an_old_xls_file_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "roster.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    assert problem_lines(path) == [
        f"{path}:1: file: old Excel .xls files are not read: save it as .xlsx or CSV"
    ]


def test_a_damaged_xlsx_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"garbage" * 50)
    problems = problem_lines(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:1: file: not a readable XLSX file")


def test_a_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    assert problem_lines(path) == [f"{path}:1: file: cannot be read: No such file or directory"]


def test_roster_columns_name_every_column_in_english_and_chinese() -> None:
    assert list(ROSTER_COLUMNS) == [
        "programme",
        "name",
        "id_number",
        "town",
        "village",
        "area",
        "household_size",
        "income_per_capita",
        "disability_grade",
        "care_level",
        "registered_poor",
        "bank_name",
        "bank_account",
        "start_month",
    ]
    assert ROSTER_COLUMNS["id_number"] == "身份证号"
    assert ROSTER_COLUMNS["start_month"] == "起始月份"
