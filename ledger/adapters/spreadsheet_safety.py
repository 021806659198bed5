"""Keeping report cells inert in Excel/WPS: text stays text, never a formula (OWASP CSV injection).

Imports refuse text that starts like a formula (:mod:`ledger.domain.text_fields`),
but events recorded before that rule, or values that reach a report some other
way, must still not run when a clerk opens the file. So every spreadsheet-bound
report goes through here:

- XLSX: a text cell is always written as a string (``data_type`` ``'s'``);
  openpyxl would otherwise store ``"=..."`` as a formula. Characters XLSX cannot
  hold (C0 controls) are shown as ``\\xNN`` instead of failing the whole report.
- CSV: a cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading
  single quote, the OWASP rule — except a plain number such as ``-50.00`` (a
  recovery), which a spreadsheet reads as that number and nothing more.

The bank transfer CSV is not a report: what it says is what the bank pays, so
it is never altered; its writer refuses such a line instead (exit 1).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from ledger.domain.text_fields import is_live_formula

_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def csv_cell(value: Any) -> Any:
    """A CSV report cell that a spreadsheet shows as written (a formula-like text quoted)."""
    if isinstance(value, str) and is_live_formula(value) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


def append_xlsx_row(sheet: Any, values: Sequence[Any]) -> None:
    """``sheet.append(values)`` with every text cell kept a string, never a formula."""
    cleaned = [_XLSX_ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", v)
               if isinstance(v, str) else v for v in values]
    sheet.append(cleaned)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"
