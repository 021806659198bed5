"""The CSV transfer file for the paying bank (惠民惠农"一卡通" batch upload).

Layout (spec, "Bank transfer file")::

    序号,姓名,身份证号,银行账号,开户银行,金额,项目,发放月份,付款编号
    1,张三,110101199001011234,6222020200001234567,中国农业银行某县支行,443.00,最低生活保障,2024-05,<32 hex>
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
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence

from ledger.bankfiles import PROGRAMME_NAMES, TransferLine, check_lines, mask_id_number, payment_ref
from ledger.money import format_yuan

__all__ = ["HEADER", "BankFileEncodingError", "write_transfer_csv"]

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


def _codec(encoding: str) -> str:
    """Normalise an encoding name ('GBK', 'utf8', ...) to one of those offered."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        name = ""
    if name not in _ENCODINGS:
        raise ValueError(f"unsupported bank file encoding {encoding!r}; use gbk or utf-8")
    return _ENCODINGS[name]


def _row(seq: int, line: TransferLine) -> list[str]:
    return [
        str(seq),
        line.name.strip(),
        line.id_number.strip(),
        line.bank_account.strip(),
        line.bank_name.strip(),
        format_yuan(line.amount),
        PROGRAMME_NAMES[line.programme],
        str(line.for_month),
        payment_ref(line.payment_id),
    ]


def _unencodable(rows: list[list[str]], lines: Sequence[TransferLine], codec: str) -> list[str]:
    """Describe every field of every row that the codec cannot represent."""
    problems: list[str] = []
    for row, line in zip(rows, lines, strict=True):
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
    rows = [_row(i, line) for i, line in enumerate(lines, start=1)]
    total = sum(line.amount for line in lines)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    writer.writerow([TOTAL_LABEL, str(len(rows)), format_yuan(total)])
    try:
        return out.getvalue().encode(codec)
    except UnicodeEncodeError:
        # Only now look field by field, to name every offending row at once.
        raise BankFileEncodingError(codec, _unencodable(rows, lines, codec)) from None
