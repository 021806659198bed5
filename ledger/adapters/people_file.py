"""Reading a small table of people (members list, death list) like a roster.

The roster's reading is reused, not copied (ledger/adapters/roster.py, ledger/adapters/input_files.py):
the same file kinds (CSV UTF-8/GBK, XLSX's one sheet), the same header matching, the
same masked cell quoting, the same ``FILE:ROW: column: problem`` records, capped the
same way. What differs is only the columns; each file's module checks its cells with
the helpers here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ledger.adapters.input_files import MAX_LISTED, Formula, UnreadableInput
from ledger.adapters.problems import Problem
from ledger.adapters.roster import header_key, is_blank, shown_cell, shown_text, table_rows
from ledger.domain.calendar import Month, MonthFormatError
from ledger.domain.identity import IdNumberError, normalize_id_number
from ledger.domain.text_fields import text_problem


@dataclass
class PeopleTable:
    """One file being read: where each column is, and the problems found so far."""

    file: str
    columns: dict[str, tuple[int, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    unlisted: int = 0

    def report(self, row: int, key: str, problem: str, refused: bool = False) -> None:
        column = self.columns[key][1] if key in self.columns else key
        if len(self.problems) < MAX_LISTED:
            self.problems.append(Problem(self.file, row, column, problem, refused))
        else:
            self.unlisted += 1

    def finish(self) -> list[Problem]:
        """The problems in row order, with a last line counting those not listed."""
        self.problems.sort(key=lambda p: p.row)
        if self.unlisted:
            last = self.problems[-1].row if self.problems else 1
            self.problems.append(Problem(self.file, last, "file", f"and {self.unlisted} more "
                                         f"problem(s) not listed (the first {MAX_LISTED} are)",
                                         more=self.unlisted))
        return self.problems

    # --- cells ---------------------------------------------------------------------
    def raw(self, cells: tuple[object, ...], key: str) -> object:
        if key not in self.columns:
            return None
        index = self.columns[key][0]
        return cells[index] if index < len(cells) else None

    def text(self, row: int, cells: tuple[object, ...], key: str) -> str | None:
        """The cell as text; a missing value or a formula is reported (None)."""
        value = self.raw(cells, key)
        if isinstance(value, Formula):
            self.report(row, key, f"a formula {shown_cell(value)}, not a value: paste the values "
                                  "(Paste Special > Values) and save again")
            return None
        if isinstance(value, float):
            value = str(int(value)) if value.is_integer() else repr(value)
        elif isinstance(value, date):
            value = value.isoformat()
        text = "" if value is None else str(value).strip()
        if not text:
            self.report(row, key, "missing value")
            return None
        return text

    def id_number(self, row: int, cells: tuple[object, ...], key: str,
                  today: date) -> str | None:
        if isinstance(self.raw(cells, key), float):
            self.report(row, key, "stored as a spreadsheet number, digits may be lost: "
                                  "format the column as text")
            return None
        text = self.text(row, cells, key)
        if text is None:
            return None
        try:
            return normalize_id_number(text, today)
        except IdNumberError as e:
            self.report(row, key, str(e))
            return None

    def free_text(self, row: int, cells: tuple[object, ...], key: str) -> str | None:
        """A name: the one text-field rule (ledger/domain/text_fields.py)."""
        text = self.text(row, cells, key)
        problem = text_problem(text) if text else None
        if problem is not None:
            self.report(row, key, problem)
            return None
        return text

    def month(self, row: int, cells: tuple[object, ...], key: str) -> Month | None:
        value = self.raw(cells, key)
        if isinstance(value, date) and value.day == 1:  # Excel turns "2024-05" into a date
            return Month(value.year, value.month)
        text = self.text(row, cells, key)
        if text is None:
            return None
        try:
            return Month.parse(unicodedata.normalize("NFKC", text))
        except MonthFormatError:
            self.report(row, key, f"a month YYYY-MM, not {shown_cell(text)}")
            return None

    def day(self, row: int, cells: tuple[object, ...], key: str, today: date) -> date | None:
        value = self.raw(cells, key)
        text = value.isoformat()[:10] if isinstance(value, date) else self.text(row, cells, key)
        if text is None:
            return None
        try:
            day = date.fromisoformat(unicodedata.normalize("NFKC", text))
        except ValueError:
            self.report(row, key, f"a date YYYY-MM-DD, not {shown_cell(text)}")
            return None
        if day > today:
            self.report(row, key, f"{day} is in the future")
            return None
        if day.year < 1900:  # no one living was born before; the ledger's months start there
            self.report(row, key, f"{day} is before 1900")
            return None
        return day


def read_people(path: str, aliases: dict[str, str], required: tuple[str, ...],
                table: PeopleTable) -> Iterator[tuple[int, tuple[object, ...]]]:
    """Data rows (number, cells) after the header; file and header problems go to ``table``."""
    header_seen = False
    try:
        for number, cells in enumerate(table_rows(Path(path)), start=1):
            cells = tuple(cells)
            if all(is_blank(cell) for cell in cells):
                continue
            if header_seen:
                yield number, cells
                continue
            header_seen = True
            for index, cell in enumerate(cells):
                if is_blank(cell):
                    continue
                written = str(cell).strip()
                key = header_key(written, aliases)
                if key is None:  # without a header row this is someone's data: shown masked
                    table.report(number, shown_text(written), "unknown column (known: "
                                 + ", ".join(dict.fromkeys(aliases.values())) + ")")
                elif key in table.columns:
                    table.report(number, shown_text(written), "column given twice")
                else:
                    table.columns[key] = (index, written)
            for key in required:
                if key not in table.columns:
                    table.report(number, key, "missing column")
            if table.problems:
                return
    except UnreadableInput as e:
        table.report(1, "file", str(e))
        return
    except OSError as e:
        table.report(1, "file", f"cannot be read: {e.strerror}")
        return
    if not header_seen:
        table.report(1, "file", "empty: no header row")
