"""分类施保 (classified top-ups): extra dibao for seriously ill, severely disabled,
elderly (70+) and minor members.

Each class adds ``dibao.classified.<class>`` percent of the monthly standard for the
member who carries it. ``combine`` says what a member with several classes gets: the
highest percent (``max``, the default) or their ``sum``. The household's top-up is the
sum over its members, each member's share rounded half up to the fen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ledger.domain.money import Fen, divide_half_up, format_yuan


@dataclass(frozen=True, slots=True)
class TopUp:
    """A household's classified top-up for one month."""

    amount: Fen
    """The sum of the members' shares, in fen."""
    description: str
    """'serious_illness 30% + minor 10% of 900.00 = 360.00' (empty when nothing)."""


def member_percent(classes: Sequence[str], percents: Mapping[str, Decimal],
                   combine: str) -> Decimal:
    """The percent of the standard one member with ``classes`` adds."""
    values = [percents[c] for c in classes]
    if not values:
        return Decimal(0)
    return sum(values, Decimal(0)) if combine == "sum" else max(values)


def top_up(standard: Fen, member_classes: Sequence[Sequence[str]],
           percents: Mapping[str, Decimal], combine: str) -> TopUp:
    """The top-up for a household whose members in force carry ``member_classes``."""
    total = 0
    parts: list[str] = []
    for classes in member_classes:
        percent = member_percent(classes, percents, combine)
        if not percent:
            continue
        num, den = percent.as_integer_ratio()
        total += divide_half_up(standard * num, den * 100)
        joined = "+".join(classes) if combine == "sum" else "|".join(classes)
        parts.append(f"{joined} {percent}%")
    if not total:
        return TopUp(0, "")
    return TopUp(total, f"classified ({combine}) {' + '.join(parts)} of "
                        f"{format_yuan(standard)} = {format_yuan(total)}")
