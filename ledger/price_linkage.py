"""Price linkage (社会救助和保障标准与物价上涨挂钩联动机制): the pure rules, no I/O.

For a measured month the mechanism is triggered when ``cpi_yoy ≥ cpi_threshold``
or ``food_yoy ≥ food_threshold``; the rise used is the higher of the
*triggering* rises. Each covered person then gets
``round_half_up(dibao monthly standard[area] × rise / 100, yuan)``, not less
than the floor.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ledger.money import Fen, divide_half_up


@dataclass(frozen=True, slots=True)
class Decision:
    triggered: bool
    rise: Decimal | None
    """The higher of the triggering rises (%), None when suspended."""
    index: str | None
    """'cpi', 'food' or 'both' (which indices triggered), None when suspended."""


def decide(cpi_yoy: Decimal, food_yoy: Decimal, cpi_threshold: Decimal,
           food_threshold: Decimal) -> Decision:
    cpi = cpi_yoy >= cpi_threshold
    food = food_yoy >= food_threshold
    if cpi and food:
        return Decision(True, max(cpi_yoy, food_yoy), "both")
    if cpi:
        return Decision(True, cpi_yoy, "cpi")
    if food:
        return Decision(True, food_yoy, "food")
    return Decision(False, None, None)


def subsidy_per_person(dibao_monthly_fen: Fen, rise: Decimal, floor_fen: Fen) -> Fen:
    """round_half_up(standard × rise / 100, whole yuan), in fen, not less than ``floor_fen``."""
    num, den = rise.as_integer_ratio()
    # fen × num / (den × 100) is the subsidy in fen; one more × 100 rounds it to yuan.
    yuan = divide_half_up(dibao_monthly_fen * num, den * 100 * 100)
    return max(yuan * 100, floor_fen)
