"""Writing reports as CSV and XLSX (Chinese headers; per-town subtotals in the roster XLSX)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from ledger.adapters.output_files import write_output
from ledger.adapters.spreadsheet_safety import append_xlsx_row, csv_row


def roster_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]],
               *, force: bool = False, protected: Sequence[Path] = ()) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(csv_row(r) for r in rows)
    write_output(path, out.getvalue().encode("utf-8-sig"), force=force, protected=protected)


def roster_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]],
                *, force: bool = False, protected: Sequence[Path] = ()) -> None:
    """One sheet; after each town's rows a bold 小计 (subtotal) row; a 合计 row at the end."""
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    append_xlsx_row(ws, list(header))
    amount_col = list(header).index("金额")
    total = Decimal(0)
    town_total = Decimal(0)
    town_count = 0
    current: str | None = None

    def subtotal() -> None:
        append_xlsx_row(ws, [current, "小计", f"{town_count}人次"] + [""] * (amount_col - 3)
                  + [town_total])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)

    for row in rows:
        if current is not None and row[0] != current:
            subtotal()
            town_total, town_count = Decimal(0), 0
        current = row[0]
        amount = Decimal(row[amount_col])
        town_total += amount
        town_count += 1
        total += amount
        values: list[Any] = list(row)
        values[amount_col] = amount
        append_xlsx_row(ws, values)
    if current is not None:
        subtotal()
    append_xlsx_row(ws, ["合计", "", f"{len(rows)}人次"] + [""] * (amount_col - 3) + [total])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    _money_cells(ws, amount_col + 1, amount_col + 1)
    buffer = io.BytesIO()
    wb.save(buffer)
    write_output(path, buffer.getvalue(), force=force, protected=protected)


def funds_csv(path: Path, report: dict[str, Any],
              *, force: bool = False, protected: Sequence[Path] = ()) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["范围", "项目", "发放", "退回", "净额", "笔数"])
    for programme, t in report["programmes"].items():
        writer.writerow(csv_row([str(report["year"]), programme, t["paid"], t["returned"],
                                 t["net"], t["payments"]]))
    for scope in ("months", "towns"):
        for key, by in report[scope].items():
            for programme, t in by.items():
                writer.writerow(csv_row([key, programme, t["paid"], t["returned"], t["net"],
                                         t["payments"]]))
    write_output(path, out.getvalue().encode("utf-8-sig"), force=force, protected=protected)


def _money_cells(sheet: Any, first_col: int, last_col: int) -> None:
    """Two decimals on every money cell: yuan at the edge, as everywhere."""
    for row in sheet.iter_rows(min_row=2, min_col=first_col, max_col=last_col):
        for cell in row:
            cell.number_format = "0.00"


def funds_xlsx(path: Path, report: dict[str, Any],
               *, force: bool = False, protected: Sequence[Path] = ()) -> None:
    """Money written as exact decimals (never floats) with a two-decimal format."""
    wb = Workbook()
    ws = wb.active
    ws.title = "资金汇总"
    append_xlsx_row(ws, ["项目", "发放", "退回", "净额", "笔数"])
    for programme, t in report["programmes"].items():
        append_xlsx_row(ws, [programme, Decimal(t["paid"]), Decimal(t["returned"]), Decimal(t["net"]),
                   t["payments"]])
    _money_cells(ws, 2, 4)
    for scope, title in (("months", "按月"), ("towns", "按乡镇")):
        sheet = wb.create_sheet(title)
        append_xlsx_row(sheet, ["月份" if scope == "months" else "乡镇", "项目", "发放", "退回", "净额", "笔数"])
        for key, by in report[scope].items():
            for programme, t in by.items():
                append_xlsx_row(sheet, [key, programme, Decimal(t["paid"]), Decimal(t["returned"]),
                              Decimal(t["net"]), t["payments"]])
        _money_cells(sheet, 3, 5)
    poor = wb.create_sheet("建档立卡")
    append_xlsx_row(poor, ["月份", "项目", "人数"])
    for month, by in report["registered_poor"].items():
        for programme, count in by.items():
            append_xlsx_row(poor, [month, programme, count])
    buffer = io.BytesIO()
    wb.save(buffer)
    write_output(path, buffer.getvalue(), force=force, protected=protected)
