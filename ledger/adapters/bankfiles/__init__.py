"""Files exchanged with the paying bank: transfer files out, results files in.

Pure functions over plain values: nothing here touches the database or the
command line, so the same code serves the CLI, the scheduler and the tests, and
a bank file can be regenerated years later from the recorded lines alone.

The submodules are:

* :mod:`ledger.adapters.bankfiles.transfer_csv` — the GBK CSV most county banks take;
* :mod:`ledger.adapters.bankfiles.pain001` — ISO 20022 ``pain.001.001.09``, one streaming
  writer; its elements in ``pain001_elements``, the check against the official XSD shipped
  beside it in ``pain001_schema``;
* :mod:`ledger.adapters.bankfiles.results` — the bank's answer as CSV (``pain.002`` in
  ``results_pain002``), each as :class:`~ledger.adapters.bankfiles.result_values.BankResult`.

What they share lives here: the line of a transfer, the paying account, the one
way a payment id is written, and the programmes' Chinese names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from ledger.domain.calendar import Month
from ledger.domain.identity import mask
from ledger.domain.programme_names import PROGRAMME_NAMES as ALL_PROGRAMME_NAMES

__all__ = [
    "PROGRAMME_NAMES",
    "DebtorAccount",
    "TransferLine",
    "check_lines",
    "mask_id_number",
    "parse_payment_ref",
    "payment_ref",
]

PROGRAMME_NAMES = ALL_PROGRAMME_NAMES
"""Programme key -> Chinese name, as printed in the bank files (ledger.domain.programme_names)."""


@dataclass(frozen=True)
class TransferLine:
    """One transfer to one recipient: what the bank needs, and nothing else.

    Kept free of ledger types (cases, batches) so a bank file depends only on
    what was approved, and can be rebuilt byte for byte from these values.
    """

    payment_id: UUID
    name: str
    id_number: str
    bank_account: str
    bank_name: str
    amount: int
    """Fen, > 0: a bank transfer is never zero or negative (recoveries are netted before)."""
    programme: str
    for_month: Month
    kind: str = "regular"
    """The line's kind (``regular``, ``arrears``, ``reissue`` …): the CSV's 项目 says 补发/重发."""
    item_name: str = ""
    """What the CSV's 项目 says instead of the programme's name (a campaign's own name)."""


@dataclass(frozen=True)
class DebtorAccount:
    """The fund account a programme is paid from (资金专户), one per programme."""

    name: str
    account: str
    bank_name: str


def payment_ref(payment_id: UUID) -> str:
    """The one way a payment id is written in every output: 32 lowercase hex digits.

    ISO 20022 ``EndToEndId`` holds at most 35 characters, so the hyphenated
    36-character form cannot be used there; writing the same short form
    everywhere (CSV, XML, messages) lets an operator grep any file for a payment.
    """
    if not isinstance(payment_id, UUID):
        raise TypeError(f"payment id must be a UUID, not {type(payment_id).__name__}")
    return payment_id.hex


_REF_PLAIN = re.compile(r"[0-9a-fA-F]{32}")
_REF_HYPHENATED = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


def parse_payment_ref(text: str) -> UUID:
    """Read a payment id as a bank gives it back: with or without hyphens, any case.

    Stricter than :class:`uuid.UUID` (no braces, no ``urn:uuid:``, no stray
    hyphens) because a mangled id in a bank file means the file was edited by
    hand or truncated by a spreadsheet, and that must be reported, not guessed.
    """
    s = str(text).strip()
    if _REF_PLAIN.fullmatch(s) or _REF_HYPHENATED.fullmatch(s):
        return UUID(s)
    raise ValueError(f"not a payment id (32 hex digits, hyphens optional): {text!r}")


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters (Unicode category Cc) and lone surrogates (Cs)."""


def mask_id_number(id_number: str) -> str:
    """Mask an ID number for messages and logs: the ledger's one masking rule (first 4, last 4).

    The bank file itself carries the full number; error messages about it end
    up in terminals and logs, where only enough to recognise the row belongs.
    """
    return mask(id_number.strip())


def check_lines(lines: Sequence[TransferLine]) -> None:
    """Refuse lines no bank file may carry, naming the payment.

    Both writers call this first, so a bad line fails before any byte is
    produced and the message says which payment to fix.
    """
    seen: set[UUID] = set()
    for line in lines:
        ref = payment_ref(line.payment_id)
        if line.payment_id in seen:
            raise ValueError(f"payment {ref} appears twice; a bank file has one line per payment")
        seen.add(line.payment_id)
        if isinstance(line.amount, bool) or not isinstance(line.amount, int):
            raise ValueError(f"payment {ref}: amount must be integer fen, got {line.amount!r}")
        if line.amount <= 0:
            raise ValueError(f"payment {ref}: amount must be positive, got {line.amount} fen")
        if line.programme not in PROGRAMME_NAMES:
            raise ValueError(f"payment {ref}: unknown programme {line.programme!r}")
        if not isinstance(line.for_month, Month):
            raise ValueError(f"payment {ref}: for_month must be a Month, got {line.for_month!r}")
        for field, label in (
            ("name", "name"),
            ("id_number", "ID number"),
            ("bank_account", "bank account"),
            ("bank_name", "bank name"),
        ):
            value = getattr(line, field)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"payment {ref}: {label} is empty")
            bad = _CONTROL.search(value)
            if bad is not None:
                # A tab, newline or NUL splits a CSV row in a bank's parser and is
                # not allowed in XML at all; it can only come from a bad import.
                raise ValueError(
                    f"payment {ref}: {label} contains control character U+{ord(bad.group()):04X}"
                )
