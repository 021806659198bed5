"""The bank's final word on one payment, as both results readers (CSV, pain.002) give it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


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
