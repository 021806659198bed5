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

A :class:`RosterScan` streams: it yields the valid rows one at a time and keeps only
what the checks across rows need (digests, ``roster_duplicates``), so an import can
validate a million-row file in one pass and read it again to enrol it, in flat memory.
The vocabulary is in ``roster_terms``, the cell parsers in ``roster_cells`` and the
row checks in ``roster_checker``; the names other modules import are re-exported here.
"""


from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

from ledger.adapters.input_files import UnreadableInput, check_input_file, csv_records, xlsx_rows
from ledger.adapters.problems import Problem as RosterProblem
from ledger.adapters.roster_checker import RosterChecker
from ledger.adapters.roster_terms import (
    AREA_NAMES,
    CARE_LEVEL_NAMES,
    PROGRAMME_NAMES,
    ROSTER_COLUMNS,
    RosterRow,
    header_key,
    is_blank,
    shown_cell,
    shown_text,
)

__all__ = ["AREA_NAMES", "CARE_LEVEL_NAMES", "PROGRAMME_NAMES", "ROSTER_COLUMNS", "RosterProblem",
           "RosterRow", "RosterScan", "file_digest", "header_key", "is_blank", "read_roster",
           "shown_cell", "shown_text", "table_rows"]


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


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes: an import reading a file twice checks it did not change."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


class RosterScan:
    """One streamed pass over a roster file: iterate for the valid rows, then read ``problems``.

    ``today`` bounds birth dates (no one is born in the future). Rows with any problem
    are not yielded; ``problems`` is complete once the iteration has ended, and the
    caller refuses the import when it is not empty. Nothing inside the file raises.
    """

    def __init__(self, path: Path, today: date) -> None:
        self.path = path
        self.today = today
        self.problems: list[RosterProblem] = []
        self.rows = 0
        """Valid rows yielded so far."""
        self.unreadable = False
        """The file could not be read to its end (rows already yielded are not to be used)."""

    def __iter__(self) -> Iterator[RosterRow]:
        path = self.path
        checker = RosterChecker(file=str(path), today=self.today)
        self.problems, self.rows, self.unreadable = checker.problems, 0, False
        header_seen = False
        try:
            for number, cells in enumerate(table_rows(path), start=1):
                if all(is_blank(cell) for cell in cells):
                    continue  # blank lines, and Excel's trailing empty rows
                if not header_seen:
                    checker.read_header(number, cells)
                    header_seen = True
                    if not checker.columns:  # junk, or another kind of file: do not read on
                        return
                    continue
                row = checker.check_row(number, cells)
                if row is not None:
                    self.rows += 1
                    yield row
        except UnreadableInput as e:
            self.unreadable = True
            self.problems = [RosterProblem(str(path), 1, "file", str(e))]
            return
        except OSError as e:
            self.unreadable = True
            self.problems = [RosterProblem(str(path), 1, "file", f"cannot be read: {e.strerror}")]
            return
        if not header_seen:
            self.problems = [RosterProblem(str(path), 1, "file", "empty: no header row")]
            return
        checker.finish()
        self.problems = checker.problems


def read_roster(path: Path, today: date) -> tuple[list[RosterRow], list[RosterProblem]]:
    """Read and validate a whole roster file into memory (a preview; imports stream)."""
    scan = RosterScan(path, today)
    rows = list(scan)
    return ([] if scan.unreadable else rows), scan.problems
