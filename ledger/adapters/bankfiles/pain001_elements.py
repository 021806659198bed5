"""The elements of a pain.001: texts fitted to the schema, and one transfer's ``CdtTrfTxInf``.

Elements are built with lxml — never by string concatenation — so a name containing
``<`` or ``&`` cannot break the file. A transfer's element is built by
:func:`transfer_element` once, with placeholders, and lxml's rendering of it is the
template every transfer is written through (:func:`transfers`): building ~17 elements
per transfer was most of an export's time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from lxml import etree

from ledger.adapters.bankfiles import PROGRAMME_NAMES, TransferLine, payment_ref
from ledger.domain.money import format_yuan

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
CURRENCY = "CNY"
MAX_ID = 35  # Max35Text: MsgId, PmtInfId, EndToEndId, person Id
MAX_ACCOUNT = 34  # Max34Text: Othr/Id of an account
MAX_TEXT = 140  # Max140Text: names, RmtInf/Ustrd
TX_INDENT = b"    "
"""A transfer's element sits at depth 3 in the file: two levels below its holder's children."""

_NOT_XML = re.compile("[\ufffe\uffff]")
"""Characters XML cannot carry that ``check_lines`` lets through (it refuses the controls
and lone surrogates)."""


def fit(text: str, limit: int = MAX_TEXT) -> str:
    """Trim to an XSD maxLength, counted in characters as XSD counts them.

    Python strings index code points, which is what XSD length counts, so a
    4-byte character such as 𠀋 counts once and is never split. After cutting,
    trailing combining marks, variation selectors and joiners are dropped so
    the last kept character is whole.
    """
    s = text.strip()
    if len(s) <= limit:
        return s
    s = s[:limit]
    while s and (
        unicodedata.combining(s[-1])
        or unicodedata.category(s[-1]) in ("Mn", "Me", "Cf")
        or 0xFE00 <= ord(s[-1]) <= 0xFE0F
        or 0xE0100 <= ord(s[-1]) <= 0xE01EF
    ):
        s = s[:-1]
    return s.rstrip()


def exact(text: str, limit: int, what: str, ref: str) -> str:
    """An identifier that must fit whole: truncating it would pay the wrong account."""
    s = text.strip()
    if not s or len(s) > limit:
        raise ValueError(f"{ref}: {what} must be 1 to {limit} characters, got {len(s)}")
    return s


def sub(parent: etree._Element, tag: str, text: str | None = None,
        **attrib: str) -> etree._Element:
    """Append a child in the pain.001 namespace."""
    el = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attrib)
    if text is not None:
        el.text = text
    return el


def path(parent: etree._Element, tags: str, text: str) -> etree._Element:
    """Create a chain of single children (``"Id/Othr/Id"``) and set the last one's text."""
    el = parent
    for tag in tags.split("/"):
        el = sub(el, tag)
    el.text = text
    return el


ORGANISATION_PROGRAMMES = frozenset({"institution"})
"""Programmes whose creditors are organisations: the id is a unified social credit code."""


def creditor_id(cdtr: etree._Element, id_number: str, organisation: bool = False) -> None:
    """The recipient's ``Cdtr/Id``: a person's ID number (``PrvtId``, scheme ``NIDN``: 一卡通
    banks check it), or an organisation's unified social credit code (``OrgId``, scheme
    ``COID``: the registration number a country's authority gives an organisation)."""
    kind, scheme = ("OrgId", "COID") if organisation else ("PrvtId", "NIDN")
    othr = sub(sub(sub(cdtr, "Id"), kind), "Othr")
    sub(othr, "Id", id_number)
    path(othr, "SchmeNm/Cd", scheme)


def transfer_element(pmt_inf: etree._Element, values: Sequence[str],
                     organisation: bool = False) -> None:
    """Append one ``CdtTrfTxInf`` with these texts, in the order :func:`transfer_texts` gives."""
    ref, amount, bank_name, name, id_number, bank_account, remittance = values
    tx = sub(pmt_inf, "CdtTrfTxInf")
    path(tx, "PmtId/EndToEndId", ref)
    sub(sub(tx, "Amt"), "InstdAmt", amount, Ccy=CURRENCY)
    path(tx, "CdtrAgt/FinInstnId/Nm", bank_name)
    cdtr = sub(tx, "Cdtr")
    sub(cdtr, "Nm", name)
    creditor_id(cdtr, id_number, organisation)
    path(tx, "CdtrAcct/Id/Othr/Id", bank_account)
    path(tx, "RmtInf/Ustrd", remittance)


def transfer_texts(line: TransferLine) -> tuple[str, str, str, str, str, str, str]:
    """The texts of a line's ``CdtTrfTxInf``, in document order, fitted and checked."""
    ref = payment_ref(line.payment_id)
    texts = (
        ref,
        format_yuan(line.amount),
        fit(line.bank_name),
        fit(line.name),
        exact(line.id_number, MAX_ID, "ID number", f"payment {ref}"),
        exact(line.bank_account, MAX_ACCOUNT, "bank account", f"payment {ref}"),
        fit(f"{line.programme} {line.for_month} {PROGRAMME_NAMES[line.programme]}"),
    )
    for text in texts:
        bad = _NOT_XML.search(text)
        if bad is not None:
            raise ValueError(f"payment {ref}: U+{ord(bad.group()):04X} cannot be written in XML")
    return texts


def transfers(lines: Sequence[TransferLine]) -> bytes:
    """These lines' ``CdtTrfTxInf`` elements, byte for byte as lxml writes the whole tree."""
    return "".join(_template(line.programme in ORGANISATION_PROGRAMMES)
                   % tuple(map(_escaped, transfer_texts(line)))
                   for line in lines).encode("utf-8")


def _escaped(text: str) -> str:
    """Text as lxml writes element text: ``& < >`` escaped, nothing else (no control reaches here)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@lru_cache(maxsize=2)
def _template(organisation: bool = False) -> str:
    """A ``%s`` template of one ``CdtTrfTxInf`` (a person's or an organisation's), rendered by
    lxml from :func:`transfer_element`.

    Built under a namespaced holder and pretty-printed; the holder's own lines are cut
    and every line indented two levels deeper, so the template has lxml's tags, quoting
    and indentation at the element's depth in the file.
    """
    marks = tuple(f"@@{i}@@" for i in range(7))
    holder = etree.Element(f"{{{NAMESPACE}}}PmtInf", nsmap={None: NAMESPACE})
    transfer_element(holder, marks, organisation)
    rendered: bytes = etree.tostring(holder, encoding="UTF-8", pretty_print=True)
    end = b"</PmtInf>\n"
    if not rendered.endswith(end):  # lxml changed its pretty-printing: refuse, never guess
        raise RuntimeError("unexpected serialisation of a pain.001 transaction")
    body = rendered[rendered.index(b"\n") + 1:-len(end)]
    text = (TX_INDENT + body[:-1].replace(b"\n", b"\n" + TX_INDENT) + b"\n").decode("utf-8")
    text = text.replace("%", "%%")
    for mark in marks:
        if text.count(mark) != 1:
            raise RuntimeError("unexpected serialisation of a pain.001 transaction")
        text = text.replace(mark, "%s")
    return text
