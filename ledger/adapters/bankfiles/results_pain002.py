"""Reading an ISO 20022 ``pain.002`` payment status report (``pain.002.001.10`` per the spec;
other pain.002 versions share the parts read here).

Each ``TxInfAndSts`` gives ``OrgnlEndToEndId`` and ``TxSts`` — ``ACSC``/``ACCP`` ok,
``RJCT`` failed, anything else (``PDNG``, ``ACSP``, ...) is not final and is reported, not
applied. A missing ``TxSts`` inherits the payment-information or group status, as the
standard says. Entities are never expanded and the network never reached.
"""

from __future__ import annotations

from lxml import etree

from ledger.adapters.bankfiles import parse_payment_ref
from ledger.adapters.bankfiles.result_values import BankResult
from ledger.adapters.problems import Problem

PAIN002_PREFIX = "urn:iso:std:iso:20022:tech:xsd:pain.002."
_ISO_OK = {"ACSC", "ACCP"}
_ISO_FAILED = {"RJCT"}


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


def read_pain002(name: str, data: bytes) -> tuple[list[BankResult], list[Problem]]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return [], [Problem(name, exc.lineno or 1, "xml", f"not well-formed XML: {exc.msg}")]
    ns = etree.QName(root).namespace or ""
    report = _child(root, "CstmrPmtStsRpt")
    if _local(root) != "Document" or not ns.startswith(PAIN002_PREFIX) or report is None:
        return [], [
            Problem(
                name,
                root.sourceline or 1,
                _local(root) or "xml",
                f"not an ISO 20022 pain.002 payment status report (namespace {ns!r})",
            )
        ]

    results: list[BankResult] = []
    problems: list[Problem] = []
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
                Problem(
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
            Problem(
                name,
                (group if group is not None else report).sourceline or 0,
                "TxInfAndSts",
                f"no per-payment statuses in this report ({detail}); nothing to apply",
            )
        )
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
