"""The result of a programme rule: an amount and why."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.domain.money import Fen


@dataclass(frozen=True, slots=True)
class Entitlement:
    amount: Fen
    kind: str
    """'regular' or 'graduation' (the payment line kind it becomes)."""
    formula: str
    """The computation with its numbers, for the trace."""
    standards: tuple[str, ...] = ()
    """Descriptions (with references) of the standards applied."""

    @classmethod
    def nothing(cls, why: str) -> Entitlement:
        return cls(0, "regular", why)
