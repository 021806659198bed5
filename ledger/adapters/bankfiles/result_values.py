"""The bank's final word on one payment, as both results readers (CSV, pain.002) give it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from uuid import UUID

from ledger.domain.identity import mask_numbers

REASON_LIMIT = 200
"""The longest reason kept: a bank's reason is a phrase or a code, never a document."""
_UNSHOWN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_SPACES = re.compile(r"\s+")


def bank_reason(text: str) -> str:
    """The bank's reason as the ledger keeps it: one line (control and format characters,
    which could rewrite a terminal or hide text, become spaces), ID and account numbers
    masked (a bank may quote the payee's; the ledger has them already, the reason needs them
    not), at most :data:`REASON_LIMIT` characters. A failure is never refused for its
    reason: a returned payment must not be lost to a badly written reason."""
    shown = "".join(" " if unicodedata.category(ch) in _UNSHOWN else ch for ch in text)
    shown = mask_numbers(_SPACES.sub(" ", shown).strip())
    return shown if len(shown) <= REASON_LIMIT else shown[:REASON_LIMIT - 1] + "…"


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
    """The bank's reason for a failure ('' when ok); pain.002: reason code and additional
    info. Kept as :func:`bank_reason` makes it, whichever reader read it."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", bank_reason(self.reason))
