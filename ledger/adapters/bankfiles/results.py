"""Reading the bank's answer: which transfers were paid and which came back.

Two formats (spec, "Bank results"), told apart by content, not by file name
(banks name files however they like):

* CSV with header ``付款编号,状态,原因`` (also ``payment_id,status,reason``);
  status ``成功``/``失败`` or ``ok``/``failed``, any case; UTF-8 with or
  without BOM, or GBK — whichever decodes (UTF-8 is tried first: GBK Chinese
  text is practically never valid UTF-8). Extra columns are ignored, so a bank
  that echoes name and amount is fine.
* ISO 20022 ``pain.002`` (``pain.002.001.10`` per the spec; other pain.002
  versions share the parts read here): each ``TxInfAndSts`` gives
  ``OrgnlEndToEndId`` and ``TxSts`` — ``ACSC``/``ACCP`` ok, ``RJCT`` failed,
  anything else (``PDNG``, ``ACSP``, ...) is not final and is reported, not
  applied. A missing ``TxSts`` inherits the payment-information or group
  status, as the standard says.

Reading never stops at a bad row: every bad row becomes a
:class:`ResultProblem` with file, line and column, and all good rows are still
returned, because one typo must not hold back hundreds of returned payments.
Whether a payment id is known to the ledger is the caller's question; this
module only checks that it is a well-formed id.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from lxml import etree

from ledger.adapters.bankfiles import parse_payment_ref
from ledger.adapters.input_files import (
    MAX_LISTED,
    UnreadableInput,
    check_input_file,
    detect_encoding,
    text_lines,
)

__all__ = ["BankResult", "ResultProblem", "read_bank_results"]

PAIN002_PREFIX = "urn:iso:std:iso:20022:tech:xsd:pain.002."

_OK_STATUSES = {"成功", "ok"}
_FAILED_STATUSES = {"失败", "failed"}
_ISO_OK = {"ACSC", "ACCP"}
_ISO_FAILED = {"RJCT"}

_COLUMNS = {
    "payment_id": ("付款编号", "payment_id"),
    "status": ("状态", "status"),
    "reason": ("原因", "reason"),
}
"""Logical column -> accepted header names (Chinese as in the spec, or English)."""

_TOTAL_LABELS = {"合计", "total"}


@dataclass(frozen=True)
class BankResult:
    """The bank's final word on one payment."""

    line: int
    """Where it was read: the CSV line (1-based, header is line 1), or for
    pain.002 the source line of its ``TxInfAndSts`` element — either way,
    ``FILE:LINE`` leads an operator straight to it."""
    payment_id: UUID
    ok: bool
    reason: str
    """The bank's reason for a failure ('' when ok); pain.002: reason code and additional info."""


@dataclass(frozen=True)
class ResultProblem:
    """A row (or the whole file) that could not be read as a final result."""

    file: str
    line: int
    column: str
    problem: str
    more: int = 0
    """On a summary problem only: how many further problems were counted, not listed."""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.problem}"


def read_bank_results(path: Path) -> tuple[list[BankResult], list[ResultProblem]]:
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
            results, problems = _read_pain002(name, path.read_bytes())
        else:
            results, problems = _read_csv(name, path)
    except UnreadableInput as exc:
        return [], [ResultProblem(name, 1, "file", str(exc))]
    except csv.Error as exc:
        return [], [ResultProblem(name, 1, "file", f"not a readable CSV file: {exc}")]
    except OSError as exc:
        return [], [ResultProblem(name, 1, "file", f"cannot be read: {exc.strerror or exc}")]
    return _dedupe(name, results, problems)


def _dedupe(
    name: str, results: list[BankResult], problems: list[ResultProblem]
) -> tuple[list[BankResult], list[ResultProblem]]:
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
                ResultProblem(
                    name,
                    r.line,
                    "payment",
                    f"payment {r.payment_id.hex} has conflicting results on lines {lines}; "
                    "none applied",
                )
            )
    problems.sort(key=lambda p: p.line)
    return kept, problems


# --- CSV ---------------------------------------------------------------------


def _read_csv(name: str, path: Path) -> tuple[list[BankResult], list[ResultProblem]]:
    """Streamed a line at a time (64 KiB at most); the first 200 problems listed, the rest counted."""
    try:
        encoding = detect_encoding(path, ("utf-8-sig", "gbk"))
    except UnreadableInput:
        return [], [ResultProblem(name, 1, "file", "neither UTF-8 nor GBK text")]
    reader = csv.reader(text_lines(path, encoding))
    unlisted = 0
    results: list[BankResult] = []
    problems: list[ResultProblem] = []
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
                    ResultProblem(
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
        problems.append(ResultProblem(name, last_line, "file", f"and {unlisted} more problem(s) "
                                      f"not listed (the first {MAX_LISTED} are)", more=unlisted))
    if header is None:
        problems.append(ResultProblem(name, 1, "header", "empty file: no header"))
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
) -> tuple[BankResult | None, ResultProblem | None]:
    raw_id = _cell(cells, index, "payment_id")
    if raw_id in _TOTAL_LABELS or (cells and cells[0] in _TOTAL_LABELS):
        return None, None  # a trailing 合计 line, as in our own transfer file
    if not raw_id:
        return None, ResultProblem(name, line_no, names["payment_id"], "payment id is empty")
    try:
        payment_id = parse_payment_ref(raw_id)
    except ValueError as exc:
        return None, ResultProblem(name, line_no, names["payment_id"], str(exc))
    status = _cell(cells, index, "status")
    folded = status.lower()
    if folded in _OK_STATUSES:
        ok = True
    elif folded in _FAILED_STATUSES:
        ok = False
    else:
        return None, ResultProblem(
            name,
            line_no,
            names["status"],
            f"unknown status {status!r} for payment {payment_id.hex}; "
            "expected 成功/失败 or ok/failed",
        )
    reason = "" if ok else _cell(cells, index, "reason")
    return BankResult(line_no, payment_id, ok, reason), None


# --- pain.002 ----------------------------------------------------------------


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _child(el: etree._Element | None, name: str) -> etree._Element | None:
    if el is None:
        return None
    for c in el:
        if _local(c) == name:
            return c
    return None


def _children(el: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if el is None else [c for c in el if _local(c) == name]


def _text(el: etree._Element | None, *path: str) -> str:
    for name in path:
        el = _child(el, name)
    return (el.text or "").strip() if el is not None else ""


def _reasons(el: etree._Element | None) -> str:
    """Join the ``StsRsnInf`` of an element: ``<code>: <additional info>`` each."""
    parts: list[str] = []
    for info in _children(el, "StsRsnInf"):
        code = _text(info, "Rsn", "Cd") or _text(info, "Rsn", "Prtry")
        extra = " ".join(
            (a.text or "").strip() for a in _children(info, "AddtlInf") if (a.text or "").strip()
        )
        parts.append(": ".join(p for p in (code, extra) if p))
    return "; ".join(p for p in parts if p)


def _read_pain002(name: str, data: bytes) -> tuple[list[BankResult], list[ResultProblem]]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return [], [ResultProblem(name, exc.lineno or 1, "xml", f"not well-formed XML: {exc.msg}")]
    ns = etree.QName(root).namespace or ""
    report = _child(root, "CstmrPmtStsRpt")
    if _local(root) != "Document" or not ns.startswith(PAIN002_PREFIX) or report is None:
        return [], [
            ResultProblem(
                name,
                root.sourceline or 1,
                _local(root) or "xml",
                f"not an ISO 20022 pain.002 payment status report (namespace {ns!r})",
            )
        ]

    results: list[BankResult] = []
    problems: list[ResultProblem] = []
    group = _child(report, "OrgnlGrpInfAndSts")
    group_status = _text(group, "GrpSts")
    group_reason = _reasons(group)
    tx_count = 0
    for pmt in _children(report, "OrgnlPmtInfAndSts"):
        pmt_status = _text(pmt, "PmtInfSts") or group_status
        pmt_reason = _reasons(pmt) or group_reason
        txs = _children(pmt, "TxInfAndSts")
        tx_count += len(txs)
        if not txs and pmt_status in _ISO_FAILED:
            problems.append(
                ResultProblem(
                    name,
                    pmt.sourceline or 0,
                    "PmtInfSts",
                    f"payment block {_text(pmt, 'OrgnlPmtInfId') or '?'} rejected as a whole "
                    f"({pmt_reason or 'no reason given'}) without per-payment statuses; "
                    "ask the bank for a per-payment report",
                )
            )
        for tx in txs:
            result, problem = _tx(name, tx, pmt_status, pmt_reason)
            if result is not None:
                results.append(result)
            if problem is not None:
                problems.append(problem)
    if tx_count == 0 and not problems:
        detail = f"group status {group_status}" if group_status else "no group status"
        if group_reason:
            detail += f", {group_reason}"
        problems.append(
            ResultProblem(
                name,
                (group if group is not None else report).sourceline or 0,
                "TxInfAndSts",
                f"no per-payment statuses in this report ({detail}); nothing to apply",
            )
        )
    return results, problems


def _tx(
    name: str, tx: etree._Element, inherited_status: str, inherited_reason: str
) -> tuple[BankResult | None, ResultProblem | None]:
    line = tx.sourceline or 0
    raw_id = _text(tx, "OrgnlEndToEndId")
    if not raw_id:
        return None, ResultProblem(name, line, "OrgnlEndToEndId", "missing payment id")
    try:
        payment_id = parse_payment_ref(raw_id)
    except ValueError as exc:
        return None, ResultProblem(name, line, "OrgnlEndToEndId", str(exc))
    status = _text(tx, "TxSts") or inherited_status
    if status in _ISO_OK:
        return BankResult(line, payment_id, True, ""), None
    if status in _ISO_FAILED:
        reason = _reasons(tx) or inherited_reason or status
        return BankResult(line, payment_id, False, reason), None
    if not status:
        return None, ResultProblem(name, line, "TxSts", f"no status for payment {payment_id.hex}")
    return None, ResultProblem(
        name,
        line,
        "TxSts",
        f"status {status} for payment {payment_id.hex} is not final; "
        "only ACSC/ACCP (ok) and RJCT (failed) settle a payment",
    )
