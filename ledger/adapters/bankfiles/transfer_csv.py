"""The CSV transfer file for the paying bank (惠民惠农"一卡通" batch upload).

Layout (spec, "Bank transfer file")::

    序号,姓名,身份证号,银行账号,开户银行,金额,项目,发放月份,付款编号
    1,张三,110101199001011234,6222020200001234567,中国农业银行某县支行,443.00,最低生活保障,2024-05,<32 hex>
    2,张三,110101199001011234,6222020200001234567,中国农业银行某县支行,20.00,最低生活保障 补发 2024-03,2024-03,<32 hex>
    ...
    合计,<count>,<total>

CRLF line endings (the csv module's default, and what Windows bank clients
expect), amounts in yuan with two decimals, full ID and account numbers — the
bank file is the one output where they are not masked, because the bank checks
them against the card holder.

Encoding decision: GBK by default, **strictly**. A name with a character
outside GBK (e.g. 𠀋 U+2000B, 䶮 U+4DAE, or any other CJK extension character)
raises :class:`BankFileEncodingError` naming every such row, instead of being
silently replaced with ``?`` (the bank would then reject the transfer, or worse,
pay a name that does not match the card) or written as GB18030 (a superset of
GBK whose four-byte sequences many bank upload tools reject or mis-split, and
which the spec does not promise). The message tells the operator to export with
``--encoding utf-8`` — which the spec offers for exactly this — or to agree the
spelling with the bank.

Streaming: :func:`stream_transfer_csv` writes the rows to a binary file a
chunk at a time (both encodings are stateless, so chunks encode to the same
bytes as the whole), so a province's millions of lines are never in memory;
the 合计 line comes last, so its count and total are summed on the way.
:func:`write_transfer_csv` is the same writer into memory.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable, Sequence

from ledger.adapters.bankfiles import (
    PROGRAMME_NAMES,
    TransferLine,
    check_lines,
    mask_id_number,
    payment_ref,
)
from ledger.domain.errors import LedgerRefusal
from ledger.domain.money import format_yuan
from ledger.domain.programme_names import KIND_NAMES
from ledger.domain.text_fields import is_live_formula

__all__ = [
    "HEADER",
    "BankFileEncodingError",
    "BankFileFormulaError",
    "stream_transfer_csv",
    "write_transfer_csv",
]

HEADER: tuple[str, ...] = (
    "序号",
    "姓名",
    "身份证号",
    "银行账号",
    "开户银行",
    "金额",
    "项目",
    "发放月份",
    "付款编号",
)
"""The header the spec fixes; banks map columns by it, so it never changes."""

TOTAL_LABEL = "合计"
CHUNK = 2000
"""Rows formatted and encoded together before they are written."""

_ENCODINGS = {"gbk": "gbk", "utf-8": "utf-8"}
"""The encodings the CLI offers (``--encoding gbk|utf-8``), by codec name."""


class BankFileEncodingError(ValueError):
    """A transfer file cannot be written in the requested encoding.

    Carries the offending rows so a caller can list them; the message already
    names each row (序号, payment id, masked ID number, column, character) and
    says what to do.
    """

    def __init__(self, encoding: str, problems: list[str]) -> None:
        self.encoding = encoding
        self.problems = problems
        shown = problems[:20]
        more = (
            f"\n  ... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        )
        super().__init__(
            f"{len(problems)} value(s) cannot be written in {encoding.upper()}:\n  "
            + "\n  ".join(shown)
            + more
            + "\nExport with --encoding utf-8 (if the bank accepts UTF-8), "
            "or agree the spelling of these names with the bank."
        )


class BankFileFormulaError(LedgerRefusal):
    """Raised when a transfer line holds text a spreadsheet would run as a formula.

    The bank file pays exactly what was approved, so its bytes are never
    quietly altered (no OWASP quote as in reports); since imports refuse such
    text, only data recorded before that rule can reach here, and the export
    is refused (exit 1) naming the payment, never the full ID number.
    """


def _refuse_formula(row: list[str], line: TransferLine) -> None:
    for column, value in zip(HEADER[1:], row[1:], strict=True):
        if is_live_formula(value):
            raise BankFileFormulaError(
                f"payment {payment_ref(line.payment_id)} (ID {mask_id_number(line.id_number)}): "
                f"{column} starts with {value[0]!r}, which a spreadsheet would run as a "
                "formula; no bank file was written: correct the record and export again"
            )


def _codec(encoding: str) -> str:
    """Normalise an encoding name ('GBK', 'utf8', ...) to one of those offered."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        name = ""
    if name not in _ENCODINGS:
        raise ValueError(f"unsupported bank file encoding {encoding!r}; use gbk or utf-8")
    return _ENCODINGS[name]


def item(line: TransferLine) -> str:
    """The 项目 cell: the programme's Chinese name, and what kind of money an extra line is.

    A recipient (and the bank's counter clerk) reading a statement must see why a second
    amount arrived: ``最低生活保障 补发 2024-03`` for arrears paid for March,
    ``最低生活保障 重发`` for a returned payment sent again. Regular lines say only the
    programme, as before.
    """
    if line.item_name:
        return line.item_name  # a campaign (救助活动) is known by its own name
    name = PROGRAMME_NAMES[line.programme]
    if line.kind == "arrears":
        return f"{name} {KIND_NAMES['arrears']} {line.for_month}"
    if line.kind == "reissue":
        return f"{name} {KIND_NAMES['reissue']}"
    return name


def _row(seq: int, line: TransferLine) -> list[str]:
    return [
        str(seq),
        line.name.strip(),
        line.id_number.strip(),
        line.bank_account.strip(),
        line.bank_name.strip(),
        format_yuan(line.amount),
        item(line),
        str(line.for_month),
        payment_ref(line.payment_id),
    ]


def _unencodable(
    rows: Iterable[tuple[list[str], TransferLine]], codec: str
) -> list[str]:
    """Describe every field of every row that the codec cannot represent."""
    problems: list[str] = []
    for row, line in rows:
        for column, value in zip(HEADER, row, strict=True):
            try:
                value.encode(codec)
            except UnicodeEncodeError as exc:
                ch = value[exc.start]
                problems.append(
                    f"序号 {row[0]} (payment {payment_ref(line.payment_id)}, "
                    f"ID {mask_id_number(line.id_number)}): {column} contains "
                    f"{ch!s} U+{ord(ch):04X}"
                )
    return problems


def write_transfer_csv(lines: Sequence[TransferLine], encoding: str = "gbk") -> bytes:
    """Render the bank transfer CSV for these lines, in their given order.

    Returns bytes, not text, because the encoding is part of the contract with
    the bank and the file's SHA-256 is recorded on the batch: the same lines
    always give the same bytes. An empty batch gives the header and
    ``合计,0,0.00`` (a valid, if pointless, file).

    Raises :class:`BankFileEncodingError` when a value cannot be written in the
    encoding (see the module docstring), and :class:`ValueError` for lines no
    bank file may carry (non-positive amount, duplicate payment, ...).
    """
    codec = _codec(encoding)
    check_lines(lines)
    out = io.BytesIO()
    stream_transfer_csv(out.write, lines, codec)
    return out.getvalue()


def stream_transfer_csv(
    write: Callable[[bytes], object],
    lines: Iterable[TransferLine],
    encoding: str = "gbk",
    chunk: int = CHUNK,
) -> tuple[int, int]:
    """Write the CSV of :func:`write_transfer_csv` through ``write``; return (lines, total fen).

    Lines are read once, in their given order, and never held beyond a chunk.
    Each is checked as :func:`check_lines` does, except for duplicates across
    lines, which the caller's source must rule out (the read model's primary
    key does). On a value the encoding cannot hold, writing stops but the
    remaining lines are still read, so :class:`BankFileEncodingError` names
    every offending row at once; a :class:`ValueError` for a bad line may come
    after part of the file is written. Either way the caller discards the output.
    """
    codec = _codec(encoding)
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    problems: list[str] = []
    pending: list[tuple[list[str], TransferLine]] = []

    def flush() -> None:
        data = text.getvalue()
        text.seek(0)
        text.truncate()
        try:
            encoded = data.encode(codec)
        except UnicodeEncodeError:
            # Only now look field by field, to name every offending row.
            problems.extend(_unencodable(pending, codec))
        else:
            if not problems:
                write(encoded)
        pending.clear()

    writer.writerow(HEADER)
    count = total = 0
    for line in lines:
        check_lines((line,))
        count += 1
        total += line.amount
        row = _row(count, line)
        _refuse_formula(row, line)
        writer.writerow(row)
        pending.append((row, line))
        if len(pending) >= chunk:
            flush()
    writer.writerow([TOTAL_LABEL, str(count), format_yuan(total)])
    flush()
    if problems:
        raise BankFileEncodingError(codec, problems)
    return count, total
