"""The digest an approval records over exactly the lines it approved.

A bank file is money leaving the ledger, so the approval event fixes what may
leave: a SHA-256 over a canonical serialisation of every approved transfer line
(payment id, case, programme, kind, month, amount, transfer, payee name, ID
number, bank account, bank name), in bank-file order. The export recomputes it
from the lines it writes — each built from the event log, see
:mod:`ledger.services.approved_lines` — and refuses on any difference, so neither an
edited read-model row nor changed code can send money somewhere the approver
did not see.

Canonical form (version 1): ``ledger-approved-lines/1\\n<batch id hex>\\n``, then per
line a compact JSON array of the eleven fields (text as UTF-8, integers in fen) and
``\\n``. Kept pure (standard library only) so an auditor can recompute it from the
events with nothing but this module.
"""

from __future__ import annotations

import hashlib
import json
from typing import NamedTuple

VERSION = "ledger-approved-lines/1"
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
"""``json.dumps(…, ensure_ascii=False, separators=(",", ":"))`` without building an encoder
per call (the same bytes: ``json.dumps`` makes exactly this encoder)."""


class ApprovedLine(NamedTuple):
    """One approved transfer as the event log states it."""

    payment_id: str
    """32 hex digits."""
    case_id: str
    programme: str
    kind: str
    for_month: str
    """YYYY-MM."""
    amount: int
    """Fen: the line's accounting amount."""
    transfer: int
    """Fen: what the bank is asked to send (> 0 for a line in the file)."""
    name: str
    id_number: str
    bank_account: str
    bank_name: str


class LinesDigest:
    """Running SHA-256 over approved lines, fed in file order (constant memory)."""

    def __init__(self, batch_id_hex: str) -> None:
        self._sha = hashlib.sha256(f"{VERSION}\n{batch_id_hex}\n".encode())
        self.lines = 0
        self.transfers = 0
        """Fen: the sum of the lines' transfers."""

    def add(self, line: ApprovedLine) -> None:
        self._sha.update((_ENCODE(list(line)) + "\n").encode("utf-8"))
        self.lines += 1
        self.transfers += line.transfer

    def hexdigest(self) -> str:
        return self._sha.hexdigest()
