"""Reading the bank's answer: which transfers were paid and which came back.

Two formats (spec, "Bank results"), told apart by content, not by file name
(banks name files however they like):

* CSV with header ``付款编号,状态,原因`` (also ``payment_id,status,reason``);
  status ``成功``/``失败`` or ``ok``/``failed``, any case; UTF-8 with or
  without BOM, or GBK — whichever decodes (UTF-8 is tried first: GBK Chinese
  text is practically never valid UTF-8). Extra columns are ignored, so a bank
  that echoes name and amount is fine.
* ISO 20022 ``pain.002``, read in ``results_pain002``.

Reading never stops at a bad row: every bad row becomes a
:class:`~ledger.adapters.problems.Problem` with file, line and column, and all good rows
are still returned, because one typo must not hold back hundreds of returned payments.
Whether a payment id is known to the ledger is the caller's question; this
module only checks that it is a well-formed id.
"""

from __future__ import annotations

import csv
from pathlib import Path
from uuid import UUID

from ledger.adapters.bankfiles import parse_payment_ref
from ledger.adapters.bankfiles.result_values import BankResult
from ledger.adapters.bankfiles.results_pain002 import read_pain002
from ledger.adapters.input_files import (
    MAX_LISTED,
    UnreadableInput,
    check_input_file,
    detect_encoding,
    text_lines,
)
from ledger.adapters.problems import Problem

__all__ = ["BankResult", "Problem", "read_bank_results"]

_OK_STATUSES = {"成功", "ok"}
_FAILED_STATUSES = {"失败", "failed"}

_COLUMNS = {
    "payment_id": ("付款编号", "payment_id"),
    "status": ("状态", "status"),
    "reason": ("原因", "reason"),
}
"""Logical column -> accepted header names (Chinese as in the spec, or English)."""

_TOTAL_LABELS = {"合计", "total"}


def read_bank_results(path: Path) -> tuple[list[BankResult], list[Problem]]:
    """Read a bank results file; return the good results and the problems.

    A payment listed twice with the same outcome counts once; listed with
    conflicting outcomes, neither line is applied and both are reported,
    because guessing which one the bank meant could lose a returned payment.
    """
    path = Path(path)
    name = str(path)
    try:
        check_input_file(path)  # never /dev/zero, a FIFO ...: they were read whole
        with path.open("rb") as f:
            head = f.read(4096)
        head = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
        if head.lstrip()[:1] == b"<":
            results, problems = read_pain002(name, path)
        else:
            results, problems = _read_csv(name, path)
    except UnreadableInput as exc:
        return [], [Problem(name, 1, "file", str(exc))]
    except csv.Error as exc:
        return [], [Problem(name, 1, "file", f"not a readable CSV file: {exc}")]
    except OSError as exc:
        return [], [Problem(name, 1, "file", f"cannot be read: {exc.strerror or exc}")]
    return _dedupe(name, results, problems)


def _dedupe(
    name: str, results: list[BankResult], problems: list[Problem]
) -> tuple[list[BankResult], list[Problem]]:
    first: dict[UUID, BankResult] = {}
    conflicted: dict[UUID, list[BankResult]] = {}
    for r in results:
        seen = first.get(r.payment_id)
        if seen is None:
            first[r.payment_id] = r
        elif seen.ok != r.ok:
            conflicted.setdefault(r.payment_id, [seen]).append(r)
    kept = [r for r in first.values() if r.payment_id not in conflicted]
    for group in conflicted.values():
        lines = ", ".join(str(r.line) for r in group)
        for r in group:
            problems.append(
                Problem(
                    name,
                    r.line,
                    "payment",
                    f"payment {r.payment_id.hex} has conflicting results on lines {lines}; "
                    "none applied",
                )
            )
    problems.sort(key=lambda p: p.row)
    return kept, problems


def _read_csv(name: str, path: Path) -> tuple[list[BankResult], list[Problem]]:
    """Streamed a line at a time (64 KiB at most); the first 200 problems listed, the rest counted."""
    try:
        encoding = detect_encoding(path, ("utf-8-sig", "gbk"))
    except UnreadableInput:
        return [], [Problem(name, 1, "file", "neither UTF-8 nor GBK text")]
    reader = csv.reader(text_lines(path, encoding))
    unlisted = 0
    results: list[BankResult] = []
    problems: list[Problem] = []
    header: dict[str, int] | None = None
    header_names: dict[str, str] = {}
    last_line = 0
    for row in reader:
        line_no = last_line + 1  # first physical line of this record
        last_line = reader.line_num
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if header is None:
            header, header_names, missing = _header(cells)
            if missing:
                wanted = ",".join(_COLUMNS[c][0] for c in ("payment_id", "status", "reason"))
                problems.append(
                    Problem(
                        name,
                        line_no,
                        "header",
                        f"missing column(s) {', '.join(missing)}; expected header {wanted}",
                    )
                )
                return [], problems
            continue
        result, problem = _csv_row(name, line_no, cells, header, header_names)
        if result is not None:
            results.append(result)
        if problem is not None:
            if len(problems) < MAX_LISTED:
                problems.append(problem)
            else:
                unlisted += 1
    if unlisted:
        problems.append(Problem(name, last_line, "file", f"and {unlisted} more problem(s) "
                                      f"not listed (the first {MAX_LISTED} are)", more=unlisted))
    if header is None:
        problems.append(Problem(name, 1, "header", "empty file: no header"))
    return results, problems


def _header(cells: list[str]) -> tuple[dict[str, int], dict[str, str], list[str]]:
    """Locate the columns by name; return (index, printed name, missing names)."""
    lowered = [c.lower() for c in cells]
    index: dict[str, int] = {}
    names: dict[str, str] = {}
    missing: list[str] = []
    for key, accepted in _COLUMNS.items():
        for candidate in accepted:
            if candidate in lowered:
                index[key] = lowered.index(candidate)
                names[key] = cells[index[key]]
                break
        else:
            if key != "reason":  # a bank that gives no reasons is still usable
                missing.append(accepted[0])
            names[key] = accepted[0]
    return index, names, missing


def _cell(cells: list[str], index: dict[str, int], key: str) -> str:
    i = index.get(key)
    return cells[i] if i is not None and i < len(cells) else ""


def _csv_row(
    name: str, line_no: int, cells: list[str], index: dict[str, int], names: dict[str, str]
) -> tuple[BankResult | None, Problem | None]:
    raw_id = _cell(cells, index, "payment_id")
    if raw_id in _TOTAL_LABELS or (cells and cells[0] in _TOTAL_LABELS):
        return None, None  # a trailing 合计 line, as in our own transfer file
    if not raw_id:
        return None, Problem(name, line_no, names["payment_id"], "payment id is empty")
    try:
        payment_id = parse_payment_ref(raw_id)
    except ValueError as exc:
        return None, Problem(name, line_no, names["payment_id"], str(exc))
    status = _cell(cells, index, "status")
    folded = status.lower()
    if folded in _OK_STATUSES:
        ok = True
    elif folded in _FAILED_STATUSES:
        ok = False
    else:
        return None, Problem(
            name,
            line_no,
            names["status"],
            f"unknown status {status!r} for payment {payment_id.hex}; "
            "expected 成功/失败 or ok/failed",
        )
    reason = "" if ok else _cell(cells, index, "reason")
    return BankResult(line_no, payment_id, ok, reason), None


