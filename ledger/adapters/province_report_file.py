"""The province report as an XLSX: one row per county and programme, then the province's.

Counts and money are numeric cells (money exact decimals, never floats), names are text
cells kept as text, so the province's own spreadsheet can sum and check the columns.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from ledger.adapters.output_files import write_output
from ledger.adapters.spreadsheet_safety import append_xlsx_row
from ledger.domain.programme_names import programme_name

HEADER = ("县", "项目", "户数", "人数", "支出", "新增", "减少")
PROVINCE = "全省合计"


def province_xlsx(path: Path, report: dict[str, Any], *, force: bool = False,
                  protected: Sequence[Path] = ()) -> None:
    write_output(path, province_xlsx_bytes(report), force=force, protected=protected)


def province_xlsx_bytes(report: dict[str, Any]) -> bytes:
    """The workbook's bytes (the console's download; ``province_xlsx`` writes them)."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"全省月报{report['month']}"
    append_xlsx_row(ws, list(HEADER))
    blocks = [(c["county"], c) for c in report["counties"]] + [(PROVINCE, report["province"])]
    for name, block in blocks:
        for programme, f in block["programmes"].items():
            append_xlsx_row(ws, [name, programme_name(programme), f["households"], f["people"],
                                 Decimal(f["paid"]), f["new"], f["ended"]])
        append_xlsx_row(ws, [name, "合计", None, None, Decimal(block["total"]["paid"]), None, None])
    for row in ws.iter_rows(min_row=2, min_col=5, max_col=5):
        for cell in row:
            cell.number_format = "0.00"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
