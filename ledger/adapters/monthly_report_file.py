"""The monthly statistics (月报) as an XLSX for the report sent upward.

Chinese headers; counts and money are numeric cells (money as exact decimals with two
places, never floats), programme and area names are text cells, so the county's own
spreadsheet can sum the columns.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from ledger.adapters.private_files import write_private_file as write_private
from ledger.domain.programme_names import programme_name

AREA_NAMES = {"urban": "城市", "rural": "农村", "all": "合计"}
HEADER = ("项目", "城乡", "户数", "人数", "支出", "月人均补助水平", "新增", "减少")


def monthly_xlsx(path: Path, report: dict[str, Any]) -> None:
    """Write the workbook to ``path``, readable by its owner only."""
    write_private(path, monthly_xlsx_bytes(report))


def monthly_xlsx_bytes(report: dict[str, Any]) -> bytes:
    """The workbook itself: the console sends it as a download, the CLI writes it."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"月报{report['month']}"
    ws.append(list(HEADER))
    for r in report["rows"]:
        ws.append([programme_name(r["programme"]), AREA_NAMES[r["area"]], r["households"],
                   r["people"], Decimal(r["paid"]), Decimal(r["average_per_person"]), r["new"],
                   r["ended"]])
    for row in ws.iter_rows(min_row=2, min_col=5, max_col=6):
        for cell in row:
            cell.number_format = "0.00"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
