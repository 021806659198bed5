"""Checking a roster file row by row: every problem collected, located by row and column.

A :class:`RosterChecker` reads the header once, then judges each data row on its
own (cell values, ages) and against the rows before it (duplicates, dibao and tekun:
``roster_duplicates``, digests only). It keeps the first :data:`MAX_LISTED` problems
and counts the rest, so checking a province roster holds no more than that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from ledger.adapters.input_files import MAX_LISTED, Formula
from ledger.adapters.problems import Problem as RosterProblem
from ledger.adapters.roster_cells import (
    age_problems,
    parse_area,
    parse_care_level,
    parse_grade,
    parse_household_size,
    parse_income,
    parse_programme,
    parse_start_month,
    parse_yes_no,
)
from ledger.adapters.roster_duplicates import EarlierRows
from ledger.adapters.roster_terms import (
    ALWAYS_REQUIRED,
    IGNORED_COLUMNS,
    NEEDED_BY,
    RosterRow,
    folded,
    header_key,
    is_blank,
    shown_cell,
    shown_text,
    unknown_column,
)
from ledger.domain.calendar import Month
from ledger.domain.identity import (
    BankAccountError,
    IdNumberError,
    birth_date_of,
    normalize_bank_account,
    normalize_id_number,
)
from ledger.domain.text_fields import text_problem

_T = TypeVar("_T")


@dataclass
class RosterChecker:
    """Collects problems for one file; holds where each known column is."""

    file: str
    today: date
    header_row: int = 1
    columns: dict[str, tuple[int, str]] = field(default_factory=dict)
    problems: list[RosterProblem] = field(default_factory=list)
    missing_needed_by: dict[str, list[str]] = field(default_factory=dict)
    earlier: EarlierRows = field(default_factory=EarlierRows)
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
            if key is None:  # a file without a header row: the "header" is someone's data
                if folded(written) not in IGNORED_COLUMNS:
                    self.add(RosterProblem(self.file, row, shown_text(written),
                                           unknown_column(written)))
                continue
            if key in self.columns:
                first = self.columns[key][1]
                self.add(RosterProblem(self.file, row, shown_text(written),
                                       f"column given twice (also as {first})"))
                continue
            self.columns[key] = (index, written)
        for key in ALWAYS_REQUIRED:
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

        needed = NEEDED_BY[programme] if programme is not None else ()
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

        area = optional("area", parse_area)
        household_size = optional("household_size", parse_household_size)
        income = optional("income_per_capita", parse_income)
        grade = optional("disability_grade", parse_grade)
        care_level = optional("care_level", parse_care_level)
        registered_poor = optional("registered_poor", parse_yes_no) or False

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
            for problem in age_problems(programme, birth, start_month):
                self.report(row, "start_month", problem)
        if programme is not None and id_number is not None:
            self._check_against_earlier_rows(row, programme, id_number)

        complete = all(key in self.columns for key in (*ALWAYS_REQUIRED, *needed))
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
        try:
            return parse_programme(value)
        except ValueError as e:
            self.report(row, "programme", str(e))
            return None

    def _start_month(self, row: int, value: object) -> Month | None:
        try:
            month = parse_start_month(value)
        except ValueError as e:
            self.report(row, "start_month", str(e))
            return None
        if month is None and "start_month" in self.columns:
            self.report(row, "start_month", "missing value")
        return month

    def _check_against_earlier_rows(self, row: int, programme: str, id_number: str) -> None:
        """Duplicates and dibao+tekun, which only show when rows are seen together."""
        earlier = self.earlier.duplicate_of(row, programme, id_number)
        if earlier is not None:
            self.report(row, "id_number", f"duplicate: same person and programme as row {earlier}")
            return
        other = self.earlier.other_exclusive(row, programme, id_number)
        if other is not None:
            column = self.columns["id_number"][1] if "id_number" in self.columns else "id_number"
            self.problems.append(RosterProblem(
                self.file, row, column,
                f"already in {other[0]} on row {other[1]}: one person cannot be in "
                f"both dibao and tekun", refused=True))

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

