"""Reading a roster file (花名册) into validated rows, with every problem reported.

An import is all-or-nothing (SPEC), so a clerk fixing a 20 000-line roster
needs the whole list of problems at once, each as ``FILE:ROW: column: problem``
with the column named as it is written in the file. Hence :func:`read_roster`
never raises for anything inside the file: it returns the good rows and a
list of :class:`RosterProblem` records, in file order.

Accepted: CSV in UTF-8 (with or without BOM) or GBK/GB18030, as Excel saves
it in a Chinese locale; or XLSX (first visible sheet, the only one with data).
Headers in English or Chinese (:data:`ROSTER_COLUMNS`); an unknown column is a
problem naming the nearest known one (a misspelt optional column would
otherwise lose its values), except a row number or remarks column
(:data:`_IGNORED_COLUMNS`); fully empty rows are ignored. The file is streamed
and only the first 200 problems are listed (ledger/adapters/input_files.py).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from ledger.adapters.input_files import (
    MAX_LISTED,
    Formula,
    UnreadableInput,
    check_input_file,
    csv_records,
    xlsx_rows,
)
from ledger.adapters.problems import Problem as RosterProblem
from ledger.domain.calendar import Month, MonthFormatError
from ledger.domain.case_record import ROSTER_PROGRAMMES
from ledger.domain.identity import (
    BankAccountError,
    IdNumberError,
    age_in_month,
    birth_date_of,
    mask,
    normalize_bank_account,
    normalize_id_number,
)
from ledger.domain.money import MoneyFormatError, format_yuan, parse_yuan
from ledger.domain.programme_names import PROGRAMME_NAMES as ALL_PROGRAMME_NAMES
from ledger.domain.text_fields import text_problem

ROSTER_COLUMNS: dict[str, str] = {
    "programme": "项目",
    "name": "姓名",
    "id_number": "身份证号",
    "town": "乡镇",
    "village": "村居",
    "area": "城乡",
    "household_size": "保障人数",
    "income_per_capita": "家庭月人均收入",
    "disability_grade": "残疾等级",
    "care_level": "护理等级",
    "registered_poor": "建档立卡",
    "bank_name": "开户银行",
    "bank_account": "银行账号",
    "start_month": "起始月份",
}
"""English key -> Chinese header, in the order a roster writer should use."""

PROGRAMME_NAMES: dict[str, str] = {key: ALL_PROGRAMME_NAMES[key] for key in ROSTER_PROGRAMMES}
"""Importable programme key -> a Chinese name the reader accepts (for writers)."""

AREA_NAMES: dict[str, str] = {"urban": "城市", "rural": "农村"}
CARE_LEVEL_NAMES: dict[str, str] = {"self": "全自理", "partial": "半护理", "full": "全护理"}

_PROGRAMME_ALIASES: dict[str, str] = {
    **{key: key for key in PROGRAMME_NAMES},
    **{name: key for key, name in PROGRAMME_NAMES.items()},
    "低保": "dibao",
    "孤儿": "orphan",
    "困境儿童": "child_in_difficulty",
    "特困": "tekun",
    "特困供养": "tekun",
    "孤儿/事实无人抚养儿童基本生活费": "orphan",
    "孤儿基本生活费": "orphan",
    "事实无人抚养儿童": "orphan",
    "事实无人抚养儿童基本生活费": "orphan",
    "困境儿童基本生活费": "child_in_difficulty",
}

_NOT_IMPORTABLE: dict[str, str] = {
    "temporary": "temporary (临时救助) is not importable: use ledger relief grant",
    "临时救助": "temporary (临时救助) is not importable: use ledger relief grant",
    "price_subsidy": (
        "price_subsidy (价格临时补贴) is not importable: it is paid by the price linkage job"
    ),
    "价格临时补贴": (
        "price_subsidy (价格临时补贴) is not importable: it is paid by the price linkage job"
    ),
}

_ALWAYS_REQUIRED = (
    "programme",
    "name",
    "id_number",
    "town",
    "village",
    "bank_name",
    "bank_account",
    "start_month",
)

_NEEDED_BY: dict[str, tuple[str, ...]] = {
    "dibao": ("area", "household_size", "income_per_capita"),
    "tekun": ("area", "care_level"),
    "disability_living": ("disability_grade",),
    "disability_care": ("disability_grade",),
    "elderly": (),
    "orphan": ("area",),
    "child_in_difficulty": (),
}
"""Columns a programme needs beyond the ones every row needs (SPEC table)."""

_ELDERLY_MIN_AGE = 60
_CHILD_MAX_AGE = 18  # paid up to the 18th birthday month, stops from the month after
_MAX_INCOME_FEN = 9_999_999
"""99 999.99 yuan a month per person: beyond it the cell holds something else (an ID, an account)."""
_MAX_HOUSEHOLD = 20
"""A 21-person dibao household does not exist; such a number is a typo that would pay 21 shares."""

_HEADER_ALIASES: dict[str, str] = {
    **{key: key for key in ROSTER_COLUMNS},
    **{zh: key for key, zh in ROSTER_COLUMNS.items()},
    "身份证号码": "id_number",
    "公民身份号码": "id_number",
    "银行卡号": "bank_account",
    "开户行": "bank_name",
    "城乡类别": "area",
    "月人均收入": "income_per_capita",
}

_IGNORED_COLUMNS = frozenset({"序号", "编号", "no", "no.", "#", "备注", "remarks", "remark",
                              "note", "notes"})
"""Columns a roster may carry for people, never read: a row number and remarks."""

_AREAS = {"urban": "urban", "rural": "rural", "城市": "urban", "城镇": "urban", "农村": "rural"}
_CARE_LEVELS = {
    "self": "self",
    "partial": "partial",
    "full": "full",
    "全自理": "self",
    "自理": "self",
    "半护理": "partial",
    "半自理": "partial",
    "全护理": "full",
    "全不能自理": "full",
    "完全不能自理": "full",
}
_YES_NO = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "是": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
    "否": False,
}
_GRADES = {"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}

_T = TypeVar("_T")

_UNSHOWN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_PARENTHESISED_SUFFIX = re.compile(r"[(（][^)）]*[)）]$")
_LONG_DIGITS = re.compile(r"\d{6,}[\dXx]*")


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One valid roster line, normalized: what an enrolment is made from."""

    row: int
    programme: str
    name: str
    id_number: str
    town: str
    village: str
    area: str | None
    household_size: int | None
    income_per_capita: int | None
    disability_grade: int | None
    care_level: str | None
    registered_poor: bool
    bank_name: str
    bank_account: str
    start_month: Month


def shown_cell(text: str) -> str:
    """A cell value quoted for a message: long digit runs masked, long text cut.

    A shifted column can put an ID or account number anywhere, so no echoed
    value may carry one in full.
    """
    text = _LONG_DIGITS.sub(lambda m: mask(m.group()), text)
    text = "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch) in _UNSHOWN else ch
                   for ch in text)  # a control character would break the message line
    if len(text) > 30:
        text = text[:29] + "…"
    return f"'{text}'"


def _folded(text: str) -> str:
    """Full-width to ASCII and lower case, for matching keywords and numbers."""
    return unicodedata.normalize("NFKC", text).strip().lower()


# --- reading the file ---------------------------------------------------------


def _sniff(path: Path) -> str:
    """'xlsx', 'xls' or 'csv' from the first bytes, since suffixes get renamed."""
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    return "csv"


def table_rows(path: Path) -> Iterator[Sequence[object]]:
    """Streamed rows (ledger/adapters/input_files.py): a device, a huge line or a second sheet is refused."""
    check_input_file(path)
    kind = _sniff(path)
    if kind == "xls":
        raise UnreadableInput("old Excel .xls files are not read: save it as .xlsx or CSV")
    return xlsx_rows(path) if kind == "xlsx" else csv_records(path)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def header_key(header: str, aliases: dict[str, str] | None = None) -> str | None:
    """The English key for a header as written, tolerating case, spacing and '(元)'.

    ``aliases`` are another file's headers (members, deaths); the roster's by default.
    """
    text = unicodedata.normalize("NFKC", header).strip()
    text = _PARENTHESISED_SUFFIX.sub("", text).strip()
    text = re.sub(r"[\s\-]+", "_", text.lower())
    return (_HEADER_ALIASES if aliases is None else aliases).get(text)


# --- checking rows ------------------------------------------------------------


@dataclass
class _Checker:
    """Collects problems for one file; holds where each known column is."""

    file: str
    today: date
    header_row: int = 1
    columns: dict[str, tuple[int, str]] = field(default_factory=dict)
    problems: list[RosterProblem] = field(default_factory=list)
    missing_needed_by: dict[str, list[str]] = field(default_factory=dict)
    seen: dict[tuple[str, str], int] = field(default_factory=dict)
    dibao_or_tekun: dict[str, tuple[str, int]] = field(default_factory=dict)
    formulas: set[tuple[int, str]] = field(default_factory=set)
    unlisted: int = 0
    last_row: int = 1

    def report(self, row: int, key: str, problem: str) -> None:
        if (row, key) in self.formulas and problem.startswith("missing value"):
            return  # a formula cell is reported as such, not also as empty
        column = self.columns[key][1] if key in self.columns else key
        self.add(RosterProblem(self.file, row, column, problem))

    def add(self, problem: RosterProblem) -> None:
        """Keep the first :data:`MAX_LISTED` problems; only count the rest (bounded memory)."""
        if len(self.problems) < MAX_LISTED:
            self.problems.append(problem)
        else:
            self.unlisted += 1

    def read_header(self, row: int, cells: Sequence[object]) -> None:
        self.header_row = row
        for index, cell in enumerate(cells):
            if is_blank(cell):
                continue
            written = str(cell).strip()
            key = header_key(written)
            if key is None:
                if _folded(written) not in _IGNORED_COLUMNS:
                    self.add(RosterProblem(self.file, row, written, _unknown_column(written)))
                continue
            if key in self.columns:
                first = self.columns[key][1]
                self.add(
                    RosterProblem(self.file, row, written, f"column given twice (also as {first})")
                )
                continue
            self.columns[key] = (index, written)
        for key in _ALWAYS_REQUIRED:
            if key not in self.columns:
                self.report(row, key, "missing column")

    def check_row(self, row: int, cells: Sequence[object]) -> RosterRow | None:
        """Validate one data row, report each bad cell, return the row if it is clean."""
        before = len(self.problems) + self.unlisted
        self.last_row = row
        for key, (index, _) in self.columns.items():
            if index < len(cells) and isinstance(cells[index], Formula):
                self.formulas.add((row, key))
                self.report(row, key, f"a formula {shown_cell(str(cells[index]))}, not a value: "
                                      "paste the values (Paste Special > Values) and save again")

        def raw(key: str) -> object:
            if key not in self.columns:
                return None
            index = self.columns[key][0]
            value = cells[index] if index < len(cells) else None
            return None if isinstance(value, Formula) else value

        def text_of(key: str) -> str:
            value = raw(key)
            if value is None:
                return ""
            if isinstance(value, bool):
                return "yes" if value else "no"
            if isinstance(value, float):
                return str(int(value)) if value.is_integer() else repr(value)
            if isinstance(value, date):
                return value.isoformat()
            return str(value).strip()

        def required_text(key: str) -> str | None:
            value = text_of(key)
            if not value and key in self.columns:
                self.report(row, key, "missing value")
            return value or None

        def number_text(key: str) -> str | None:
            """ID and account numbers must reach us as text, not as a spreadsheet number."""
            value = raw(key)
            if isinstance(value, float):
                self.report(
                    row,
                    key,
                    "stored as a spreadsheet number, digits may be lost: format the column as text",
                )
                return None
            return required_text(key)

        def free_text(key: str) -> str | None:
            """A name, town, village or bank name: the one text-field rule (ledger/domain/text_fields.py)."""
            value = required_text(key)
            problem = text_problem(value) if value else None
            if problem is not None:
                self.report(row, key, problem)
                return None
            return value

        programme = self._programme(row, required_text("programme"))
        name = free_text("name")

        id_number = None
        birth = None
        id_text = number_text("id_number")
        if id_text is not None:
            try:
                id_number = normalize_id_number(id_text, self.today)
                birth = birth_date_of(id_number)
            except IdNumberError as e:
                self.report(row, "id_number", str(e))

        town = free_text("town")
        village = free_text("village")

        needed = _NEEDED_BY[programme] if programme is not None else ()
        for key in needed:
            if key not in self.columns and programme is not None:
                programmes = self.missing_needed_by.setdefault(key, [])
                if programme not in programmes:
                    programmes.append(programme)

        def optional(key: str, parse: Callable[[str], _T]) -> _T | None:
            value = text_of(key)
            if not value:
                if key in needed and key in self.columns:
                    self.report(row, key, f"missing value (needed for {programme})")
                return None
            try:
                return parse(value)
            except ValueError as e:
                self.report(row, key, str(e))
                return None

        area = optional("area", _parse_area)
        household_size = optional("household_size", _parse_household_size)
        income = optional("income_per_capita", _parse_income)
        grade = optional("disability_grade", _parse_grade)
        care_level = optional("care_level", _parse_care_level)
        registered_poor = optional("registered_poor", _parse_yes_no) or False

        bank_name = free_text("bank_name")
        bank_account = None
        account_text = number_text("bank_account")
        if account_text is not None:
            try:
                bank_account = normalize_bank_account(account_text)
            except BankAccountError as e:
                self.report(row, "bank_account", str(e))

        start_month = self._start_month(row, raw("start_month"))

        if programme == "disability_care" and grade in (3, 4):
            self.report(row, "disability_grade", "grade 3-4 not eligible for disability_care")
        if programme is not None and birth is not None and start_month is not None:
            self._check_age(row, programme, birth, start_month)
        if programme is not None and id_number is not None:
            self._check_against_earlier_rows(row, programme, id_number)

        complete = all(key in self.columns for key in (*_ALWAYS_REQUIRED, *needed))
        if len(self.problems) + self.unlisted > before or not complete:
            return None
        assert programme and name and id_number and town and village
        assert bank_name and bank_account and start_month
        return RosterRow(
            row=row,
            programme=programme,
            name=name,
            id_number=id_number,
            town=town,
            village=village,
            area=area,
            household_size=household_size,
            income_per_capita=income,
            disability_grade=grade,
            care_level=care_level,
            registered_poor=bool(registered_poor),
            bank_name=bank_name,
            bank_account=bank_account,
            start_month=start_month,
        )

    def _programme(self, row: int, value: str | None) -> str | None:
        if value is None:
            return None
        folded = _folded(value)
        folded = re.sub(r"[\s\-]+", "_", folded) if folded.isascii() else folded
        if folded in _PROGRAMME_ALIASES:
            return _PROGRAMME_ALIASES[folded]
        if folded in _NOT_IMPORTABLE:
            self.report(row, "programme", _NOT_IMPORTABLE[folded])
        else:
            keys = ", ".join(PROGRAMME_NAMES)
            self.report(row, "programme", f"unknown programme {shown_cell(value)} (one of {keys})")
        return None

    def _start_month(self, row: int, value: object) -> Month | None:
        if isinstance(value, date):
            # Excel turns a typed "2024-05" into the date 2024-05-01.
            if value.day == 1:
                return Month(value.year, value.month)
            self.report(row, "start_month", f"a month YYYY-MM, not the date {value:%Y-%m-%d}")
            return None
        if is_blank(value):
            if "start_month" in self.columns:
                self.report(row, "start_month", "missing value")
            return None
        text = unicodedata.normalize("NFKC", str(value)).strip()
        try:
            return Month.parse(text)
        except MonthFormatError:
            self.report(row, "start_month", f"a month YYYY-MM, not {shown_cell(text)}")
            return None

    def _check_age(self, row: int, programme: str, birth: date, start: Month) -> None:
        """Age limits that can be judged from the roster alone, in the start month (次月 rule)."""
        if start < Month.of(birth):
            self.report(row, "start_month", "before the birth date in the ID number")
            return
        age = age_in_month(birth, start.year, start.month)
        if programme == "elderly" and age < _ELDERLY_MIN_AGE:
            eligible = Month(birth.year + _ELDERLY_MIN_AGE, birth.month) + 1
            self.report(
                row,
                "start_month",
                f"elderly needs age {_ELDERLY_MIN_AGE}: the person is {age} in {start}, "
                f"{_ELDERLY_MIN_AGE} from {eligible}",
            )
        if programme in ("orphan", "child_in_difficulty") and age >= _CHILD_MAX_AGE:
            last = Month(birth.year + _CHILD_MAX_AGE, birth.month)
            self.report(
                row,
                "start_month",
                f"{programme} is for children under {_CHILD_MAX_AGE}: the person is {age} "
                f"in {start}, last month {last}",
            )

    def _check_against_earlier_rows(self, row: int, programme: str, id_number: str) -> None:
        """Duplicates and dibao+tekun, which only show when rows are seen together."""
        earlier = self.seen.get((id_number, programme))
        if earlier is not None:
            self.report(row, "id_number", f"duplicate: same person and programme as row {earlier}")
            return
        self.seen[(id_number, programme)] = row
        if programme not in ("dibao", "tekun"):
            return
        other = self.dibao_or_tekun.get(id_number)
        if other is not None and other[0] != programme:
            column = self.columns["id_number"][1] if "id_number" in self.columns else "id_number"
            self.problems.append(RosterProblem(
                self.file, row, column,
                f"already in {other[0]} on row {other[1]}: one person cannot be in "
                f"both dibao and tekun", refused=True))
            return
        self.dibao_or_tekun.setdefault(id_number, (programme, row))

    def finish(self) -> None:
        """Columns missing for the programmes that turned up: one problem each, on the header."""
        for key, programmes in self.missing_needed_by.items():
            names = ", ".join(programmes)
            self.report(self.header_row, key, f"missing column (needed for {names})")
        self.problems.sort(key=lambda p: p.row)  # stable: column order kept within a row
        if self.unlisted:
            self.problems.append(RosterProblem(
                self.file, self.last_row, "file",
                f"and {self.unlisted} more problem(s) not listed (the first {MAX_LISTED} are)",
                more=self.unlisted))


def _unknown_column(written: str) -> str:
    """Name the nearest known header, so a misspelt optional column is not silently lost."""
    folded = re.sub(r"[\s\-]+", "_", _folded(written))
    nearest = difflib.get_close_matches(folded, list(_HEADER_ALIASES), n=1, cutoff=0.6)
    hint = f"did you mean {nearest[0]}?" if nearest else (
        "known columns: " + ", ".join(ROSTER_COLUMNS))
    return f"unknown column: {hint} (its values would be lost)"


def _parse_area(text: str) -> str:
    area = _AREAS.get(_folded(text))
    if area is None:
        raise ValueError(f"urban or rural (城市/农村), not {shown_cell(text)}")
    return area


def _parse_household_size(text: str) -> int:
    folded = _folded(text).removesuffix("人")
    if not folded.isascii() or not folded.isdigit() or not 1 <= int(folded) <= _MAX_HOUSEHOLD:
        raise ValueError(f"a whole number of people from 1 to {_MAX_HOUSEHOLD}, not {shown_cell(text)}")
    return int(folded)


def _parse_income(text: str) -> int:
    folded = _folded(text).removesuffix("元")
    try:
        fen = parse_yuan(folded)
    except MoneyFormatError:
        raise ValueError(f"an amount in yuan with at most 2 decimals, not {shown_cell(text)}") from None
    if fen < 0:
        raise ValueError(f"an income cannot be negative: {shown_cell(text)}")
    if fen > _MAX_INCOME_FEN:
        raise ValueError(
            f"more than {format_yuan(_MAX_INCOME_FEN)} yuan a month per person is not plausible"
        )
    return fen


def _parse_grade(text: str) -> int:
    folded = _folded(text).removesuffix("级")
    grade = _GRADES.get(folded)
    if grade is None:
        raise ValueError(f"a grade from 1 to 4, not {shown_cell(text)}")
    return grade


def _parse_care_level(text: str) -> str:
    level = _CARE_LEVELS.get(_folded(text))
    if level is None:
        raise ValueError(f"self, partial or full (全自理/半护理/全护理), not {shown_cell(text)}")
    return level


def _parse_yes_no(text: str) -> bool:
    answer = _YES_NO.get(_folded(text))
    if answer is None:
        raise ValueError(f"yes or no (是/否), not {shown_cell(text)}")
    return answer


def read_roster(path: Path, today: date) -> tuple[list[RosterRow], list[RosterProblem]]:
    """Read and validate a whole roster file; problems are returned, never raised.

    ``today`` bounds birth dates (no one is born in the future). Rows with any
    problem are left out of the returned rows; the caller refuses the import
    when the problem list is not empty.
    """
    checker = _Checker(file=str(path), today=today)
    rows: list[RosterRow] = []
    header_seen = False
    try:
        for number, cells in enumerate(table_rows(path), start=1):
            if all(is_blank(cell) for cell in cells):
                continue  # blank lines, and Excel's trailing empty rows
            if not header_seen:
                checker.read_header(number, cells)
                header_seen = True
                if not checker.columns:  # junk, or another kind of file: do not read on
                    return [], checker.problems
                continue
            row = checker.check_row(number, cells)
            if row is not None:
                rows.append(row)
    except UnreadableInput as e:
        return [], [RosterProblem(str(path), 1, "file", str(e))]
    except OSError as e:
        return [], [RosterProblem(str(path), 1, "file", f"cannot be read: {e.strerror}")]
    if not header_seen:
        return [], [RosterProblem(str(path), 1, "file", "empty: no header row")]
    checker.finish()
    return rows, checker.problems
