"""Reading an ISO 20022 ``pain.002`` payment status report (``pain.002.001.10`` per the spec;
other pain.002 versions share the parts read here).

Each ``TxInfAndSts`` gives ``OrgnlEndToEndId`` and ``TxSts`` — ``ACSC``/``ACCP`` ok,
``RJCT`` failed, anything else (``PDNG``, ``ACSP``, ...) is not final and is reported, not
applied. A missing ``TxSts`` inherits the payment-information or group status, as the
standard says. Entities are never expanded and the network never reached.

The file is streamed, twice, never held as a tree: a province's answer can list a million
payments (hundreds of MB of XML, several GB as a tree). The first pass reads each payment
block's status and reason and the group's, which a transaction without its own status
inherits, wherever in its block or file the bank put them; the second reads the
transactions. Each element is dropped once read. Only the first ``MAX_LISTED`` problems
are kept; the rest are counted, as for a CSV results file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ledger.adapters.bankfiles import parse_payment_ref
from ledger.adapters.bankfiles.result_values import BankResult
from ledger.adapters.input_files import MAX_LISTED
from ledger.adapters.problems import Problem

PAIN002_PREFIX = "urn:iso:std:iso:20022:tech:xsd:pain.002."
_ISO_OK = {"ACSC", "ACCP"}
_ISO_FAILED = {"RJCT"}


def _local(el: etree._Element) -> str:
    """The tag without its namespace (cut from the string: a ``QName`` each was a third of
    the reading time)."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""  # a comment or processing instruction
    return tag[tag.index("}") + 1:] if tag.startswith("{") else tag


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


@dataclass
class _Block:
    """One ``OrgnlPmtInfAndSts``: what its transactions without a status inherit."""

    line: int
    info_id: str
    status: str
    reason: str
    transactions: int


@dataclass
class _Outline:
    """The first pass: the group's status and every payment block's, in file order."""

    group_line: int = 0
    group_status: str = ""
    group_reason: str = ""
    report_line: int = 0
    blocks: list[_Block] = field(default_factory=list)
    ns: str = ""


_SAFE: dict[str, bool] = {"resolve_entities": False, "no_network": True, "load_dtd": False,
                          "huge_tree": False}
"""Every parse here: no entity expanded, no DTD or network read, lxml's size limits kept."""


class _Ignore:
    """A parser target that keeps nothing: checks a file is well-formed in flat memory."""

    def close(self) -> None:
        return None


def _root(path: Path) -> etree._Element:
    """The document element, read from the start of the file alone."""
    for _, el in etree.iterparse(str(path), events=("start",), **_SAFE):
        return el
    raise etree.XMLSyntaxError("no document element", None, 1, 1)  # not reached: lxml raises


def _check_well_formed(path: Path) -> None:
    parser = etree.XMLParser(target=_Ignore(), **_SAFE)
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            parser.feed(chunk)
    parser.close()


_ABOVE = {"CstmrPmtStsRpt": ("Document",),
          "OrgnlGrpInfAndSts": ("CstmrPmtStsRpt", "Document"),
          "OrgnlPmtInfAndSts": ("CstmrPmtStsRpt", "Document"),
          "TxInfAndSts": ("OrgnlPmtInfAndSts", "CstmrPmtStsRpt", "Document")}
"""What each element read must sit in, up to the document element."""


def _ends(path: Path, ns: str) -> Iterator[tuple[str, etree._Element]]:
    """(local name, element) at the end of each report, group, block and transaction that
    sits where the schema puts it, in the document's first report (as a tree read would
    take them); any other element is never handed to Python."""
    tags = {f"{{{ns}}}{name}": name for name in _ABOVE}
    first_report: etree._Element | None = None
    for _, el in etree.iterparse(str(path), events=("end",), tag=list(tags), **_SAFE):
        name = tags[el.tag]
        report, up = (el if name == "CstmrPmtStsRpt" else None), el.getparent()
        for expected in _ABOVE[name]:
            if up is None or _local(up) != expected:
                break
            report = up if expected == "CstmrPmtStsRpt" else report
            root, up = up, up.getparent()
        else:
            if up is None and report is not None:  # the chain ended at the document element
                if first_report is None:  # it has begun by now: it holds this element or
                    first_report = next(  # comes before it
                        c for c in root if _local(c) == "CstmrPmtStsRpt")
                if report is first_report:
                    yield name, el


def _drop(el: etree._Element, previous: etree._Element | None) -> etree._Element:
    """Empty an element once read and unhook the one of its kind read before it. Never the
    element just closed itself: the parser is past the earlier one, not yet past this one."""
    el.clear()
    if previous is not None and previous.getparent() is not None:
        previous.getparent().remove(previous)
    return el


def _outline(name: str, path: Path) -> _Outline | Problem:
    root = _root(path)
    ns = etree.QName(root).namespace or ""
    if _local(root) != "Document" or not ns.startswith(PAIN002_PREFIX):
        _check_well_formed(path)  # a broken file is said to be broken, not foreign
        return _foreign(name, root, ns)
    outline = _Outline()
    last_tx: etree._Element | None = None
    last_block: etree._Element | None = None
    count = 0
    for what, el in _ends(path, ns):
        if what == "TxInfAndSts":
            count += 1
            last_tx = _drop(el, last_tx)
        elif what == "OrgnlPmtInfAndSts":
            outline.blocks.append(_Block(el.sourceline or 0, _text(el, "OrgnlPmtInfId"),
                                         _text(el, "PmtInfSts"), _reasons(el), count))
            count, last_tx = 0, None
            last_block = _drop(el, last_block)
        elif what == "OrgnlGrpInfAndSts" and not outline.group_line:
            outline.group_line = el.sourceline or 1
            outline.group_status, outline.group_reason = _text(el, "GrpSts"), _reasons(el)
        else:
            outline.report_line = el.sourceline or 0
    if not outline.report_line:
        return _foreign(name, root, ns)
    outline.ns = ns
    return outline


def _foreign(name: str, root: etree._Element, ns: str) -> Problem:
    return Problem(name, root.sourceline or 1, _local(root) or "xml",
                   f"not an ISO 20022 pain.002 payment status report (namespace {ns!r})")


def read_pain002(name: str, path: Path) -> tuple[list[BankResult], list[Problem]]:
    try:
        outline = _outline(name, path)
        if isinstance(outline, Problem):
            return [], [outline]
        return _transactions(name, path, outline)
    except etree.XMLSyntaxError as exc:
        return [], [Problem(name, exc.lineno or 1, "xml", f"not well-formed XML: {exc.msg}")]


def _transactions(name: str, path: Path,
                  outline: _Outline) -> tuple[list[BankResult], list[Problem]]:
    results: list[BankResult] = []
    problems: list[Problem] = []
    unlisted = 0

    def report(problem: Problem) -> None:
        nonlocal unlisted
        if len(problems) < MAX_LISTED:
            problems.append(problem)
        else:
            unlisted += 1

    for block in outline.blocks:
        status = block.status or outline.group_status
        if not block.transactions and status in _ISO_FAILED:
            report(Problem(
                name, block.line, "PmtInfSts",
                f"payment block {block.info_id or '?'} rejected as a whole "
                f"({block.reason or outline.group_reason or 'no reason given'}) without "
                "per-payment statuses; ask the bank for a per-payment report"))
    n = 0
    last_tx: etree._Element | None = None
    last_block: etree._Element | None = None
    last_line = 1
    for what, el in _ends(path, outline.ns):
        last_line = max(last_line, el.sourceline or 0)
        if what == "TxInfAndSts":
            block = outline.blocks[n]
            result, problem = _tx(name, el, block.status or outline.group_status,
                                  block.reason or outline.group_reason)
            if result is not None:
                results.append(result)
            if problem is not None:
                report(problem)
            last_tx = _drop(el, last_tx)
        elif what == "OrgnlPmtInfAndSts":
            n, last_tx = n + 1, None
            last_block = _drop(el, last_block)
    if not any(block.transactions for block in outline.blocks) and not problems:
        detail = (f"group status {outline.group_status}" if outline.group_status
                  else "no group status")
        if outline.group_reason:
            detail += f", {outline.group_reason}"
        report(Problem(name, outline.group_line or outline.report_line, "TxInfAndSts",
                       f"no per-payment statuses in this report ({detail}); nothing to apply"))
    if unlisted:
        problems.append(Problem(name, last_line, "file", f"and {unlisted} more problem(s) "
                                f"not listed (the first {MAX_LISTED} are)", more=unlisted))
    return results, problems


def _tx(
    name: str, tx: etree._Element, inherited_status: str, inherited_reason: str
) -> tuple[BankResult | None, Problem | None]:
    line = tx.sourceline or 0
    raw_id = _text(tx, "OrgnlEndToEndId")
    if not raw_id:
        return None, Problem(name, line, "OrgnlEndToEndId", "missing payment id")
    try:
        payment_id = parse_payment_ref(raw_id)
    except ValueError as exc:
        return None, Problem(name, line, "OrgnlEndToEndId", str(exc))
    status = _text(tx, "TxSts") or inherited_status
    if status in _ISO_OK:
        return BankResult(line, payment_id, True, ""), None
    if status in _ISO_FAILED:
        reason = _reasons(tx) or inherited_reason or status
        return BankResult(line, payment_id, False, reason), None
    if not status:
        return None, Problem(name, line, "TxSts", f"no status for payment {payment_id.hex}")
    return None, Problem(
        name,
        line,
        "TxSts",
        f"status {status} for payment {payment_id.hex} is not final; "
        "only ACSC/ACCP (ok) and RJCT (failed) settle a payment",
    )
