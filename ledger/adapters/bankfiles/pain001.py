"""ISO 20022 ``pain.001.001.09`` (CustomerCreditTransferInitiationV09) transfer file: the writer.

Shape chosen (what a Chinese county bank needs, nothing more):

* one ``PmtInf`` per programme, sorted by programme key, because each
  programme is paid from its own fund account (资金专户, :class:`DebtorAccount`);
* accounts in ``Othr/Id`` (Chinese accounts are not IBANs), agents by name in
  ``FinInstnId/Nm`` (county bank branches rarely have a BIC);
* ``EndToEndId`` = ``payment_ref`` (32 hex digits), which the bank echoes in
  its ``pain.002`` so results map back to payments;
* the recipient's ID number as ``Cdtr/Id/PrvtId/Othr`` with scheme ``NIDN``
  (national identity number), because 一卡通 banks check it against the card;
* ``RmtInf/Ustrd`` = ``"<programme> <YYYY-MM> <中文名>"``, shown on the
  recipient's statement.

Deterministic: the same arguments give byte-identical output (no clock, no
random ids, fixed element order, fixed pretty-printing), since the file's
SHA-256 is recorded on the batch and a re-export must match it.

One writer, streaming: a province's batch has millions of transfers, so the file is never
held as one tree. :func:`stream_pain001` writes the header (with totals given up front,
rendered by lxml as the whole tree would be) and then the transfers a chunk at a time
(``pain001_elements.transfers``); the written file is validated against the XSD while
parsed incrementally (``pain001_schema``). :func:`write_pain001` is the same writer into
memory, for small files and tests.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime

from lxml import etree

from ledger.adapters.bankfiles import DebtorAccount, TransferLine, check_lines, payment_ref
from ledger.adapters.bankfiles.pain001_elements import (
    MAX_ACCOUNT,
    MAX_ID,
    NAMESPACE,
    exact,
    fit,
    path,
    sub,
    transfers,
)
from ledger.adapters.bankfiles.pain001_schema import (
    XSD_PATH,
    Pain001ValidationError,
    validate_pain001,
    validate_pain001_file,
)
from ledger.domain.money import format_yuan

__all__ = [
    "NAMESPACE",
    "XSD_PATH",
    "Pain001ValidationError",
    "payment_information_id",
    "stream_pain001",
    "validate_pain001",
    "validate_pain001_file",
    "write_pain001",
]

CHUNK = 1000
"""Transfers rendered and written together: big enough to amortise the writes, small in memory."""
_PMTINF_END = b"    </PmtInf>\n"
"""How a PmtInf closes in the pretty-printed file (depth 2); transfers go right before it."""


def payment_information_id(message_id: str, programme: str) -> str:
    """The ``PmtInfId`` of a programme's block: ``<MsgId>-<programme>``.

    When that would exceed 35 characters, the message id is shortened and a
    hash of the full ``<MsgId>-<programme>`` appended, so the id stays unique,
    stable and traceable to the message.
    """
    full = f"{message_id}-{programme}"
    if len(full) <= MAX_ID:
        return full
    digest = hashlib.sha256(full.encode("utf-8")).hexdigest()[:8]
    return f"{message_id[: MAX_ID - len(digest) - 1]}-{digest}"


def write_pain001(
    *,
    message_id: str,
    created_at: datetime,
    lines: Sequence[TransferLine],
    debtor_for: Callable[[str], DebtorAccount],
    initiating_party: str,
    execution_date: date,
) -> bytes:
    """:func:`stream_pain001` into memory, the lines grouped for it, the result validated.

    Raises :class:`ValueError` for an empty batch, an over-long id or account, a
    duplicate or a line no bank file may carry; :class:`Pain001ValidationError` if the
    result would not validate.
    """
    check_lines(lines)
    totals: dict[str, tuple[int, int]] = {}
    for line in lines:
        count, fen = totals.get(line.programme, (0, 0))
        totals[line.programme] = (count + 1, fen + line.amount)
    out = io.BytesIO()
    stream_pain001(out.write, message_id=message_id, created_at=created_at, totals=totals,
                   lines=sorted(lines, key=lambda line: line.programme),  # stable
                   debtor_for=debtor_for, initiating_party=initiating_party,
                   execution_date=execution_date)
    data = out.getvalue()
    validate_pain001(data)
    return data


def stream_pain001(
    write: Callable[[bytes], object],
    *,
    message_id: str,
    created_at: datetime,
    totals: Mapping[str, tuple[int, int]],
    lines: Iterable[TransferLine],
    debtor_for: Callable[[str], DebtorAccount],
    initiating_party: str,
    execution_date: date,
    chunk: int = CHUNK,
) -> None:
    """Write a pain.001 through ``write`` without holding its lines.

    ``message_id`` (1-35 characters) should be derived from the batch, not the clock, so
    a re-export is byte-identical; likewise ``created_at`` (written to the second, with
    its UTC offset if it has one). ``debtor_for(programme)`` gives the fund account each
    programme is paid from. The header's counts and sums come first in the file, so they
    are given up front: ``totals`` maps each programme to (transactions, fen). ``lines``
    must come grouped by programme in sorted programme order (the file's order); a line
    out of that order, or a programme whose lines disagree with its totals, raises
    :class:`ValueError` — by then part of the file is written, so the caller must discard
    the output. Each line is checked as ``check_lines`` does, except for duplicates
    across lines, which the caller's source must rule out (the read model's primary key
    does). Not validated here: validate the written file with :func:`validate_pain001_file`.
    """
    if not totals:
        raise ValueError("a pain.001 file needs at least one payment; the batch is empty")
    for programme, (n, _) in totals.items():
        if n <= 0:
            raise ValueError(f"programme {programme}: a PmtInf needs at least one transaction")
    order = sorted(totals)
    head = _skeleton(message_id, created_at, totals, debtor_for, initiating_party,
                     execution_date)
    tails = head.split(_PMTINF_END)
    if len(tails) != len(order) + 1:  # a PmtInf that does not close as expected: a bug here
        raise RuntimeError("pain.001 header does not have one PmtInf end per programme")
    write(tails[0])
    block = 0
    count = fen = 0
    pending: list[TransferLine] = []

    def close_block() -> None:
        programme = order[block]
        if pending:
            write(transfers(pending))
            pending.clear()
        if (count, fen) != tuple(totals[programme]):
            raise ValueError(
                f"programme {programme}: the lines hold {count} transfers of {fen} fen, "
                f"but its totals say {totals[programme][0]} of {totals[programme][1]} fen"
            )
        write(_PMTINF_END + tails[block + 1])

    for line in lines:
        check_lines((line,))
        while block < len(order) and line.programme != order[block]:
            close_block()
            block += 1
            count = fen = 0
        if block == len(order):
            raise ValueError(
                f"payment {payment_ref(line.payment_id)}: programme {line.programme} has no "
                "totals, or its lines are not grouped in programme order"
            )
        count += 1
        fen += line.amount
        pending.append(line)
        if len(pending) >= chunk:
            write(transfers(pending))
            pending.clear()
    while block < len(order):
        close_block()
        block += 1
        count = fen = 0


def _skeleton(
    message_id: str,
    created_at: datetime,
    totals: Mapping[str, tuple[int, int]],
    debtor_for: Callable[[str], DebtorAccount],
    initiating_party: str,
    execution_date: date,
) -> bytes:
    """The whole document without its transfers, serialised by lxml as the full tree would be."""
    msg_id = exact(message_id, MAX_ID, "MsgId", "message")
    if msg_id != message_id:
        raise ValueError(f"message id has surrounding whitespace: {message_id!r}")
    party = fit(initiating_party)
    if not party:
        raise ValueError("initiating party name is empty")

    root = etree.Element(f"{{{NAMESPACE}}}Document", nsmap={None: NAMESPACE})
    initn = sub(root, "CstmrCdtTrfInitn")
    hdr = sub(initn, "GrpHdr")
    sub(hdr, "MsgId", msg_id)
    sub(hdr, "CreDtTm", created_at.isoformat(timespec="seconds"))
    sub(hdr, "NbOfTxs", str(sum(n for n, _ in totals.values())))
    sub(hdr, "CtrlSum", format_yuan(sum(fen for _, fen in totals.values())))
    path(hdr, "InitgPty/Nm", party)

    for programme in sorted(totals):
        count, fen = totals[programme]
        debtor = debtor_for(programme)
        where = f"debtor account of {programme}"
        pmt_inf = sub(initn, "PmtInf")
        sub(pmt_inf, "PmtInfId", payment_information_id(msg_id, programme))
        sub(pmt_inf, "PmtMtd", "TRF")
        sub(pmt_inf, "NbOfTxs", str(count))
        sub(pmt_inf, "CtrlSum", format_yuan(fen))
        path(pmt_inf, "ReqdExctnDt/Dt", execution_date.isoformat())
        debtor_name = fit(debtor.name)
        bank_name = fit(debtor.bank_name)
        if not debtor_name or not bank_name:
            raise ValueError(f"{where}: name and bank name are required")
        path(pmt_inf, "Dbtr/Nm", debtor_name)
        path(pmt_inf, "DbtrAcct/Id/Othr/Id", exact(debtor.account, MAX_ACCOUNT, "account", where))
        path(pmt_inf, "DbtrAgt/FinInstnId/Nm", bank_name)

    rendered: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                     pretty_print=True)
    return rendered
