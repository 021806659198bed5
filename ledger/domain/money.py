"""Money as integer fen (分), with the spec's ROUND_HALF_UP in one place.

Never float: amounts enter as yuan text ("443.00", "5316") and are held as int
fen. Every division of money in the ledger goes through :func:`divide_half_up`
so that the rounding rule lives here and nowhere else.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

Fen = int
"""An amount of money in fen (1/100 yuan). Plain int so arithmetic stays exact and fast."""


class MoneyFormatError(ValueError):
    """Raised when a text is not a valid yuan amount."""


def divide_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounding half away from zero (ROUND_HALF_UP), exactly."""
    if denominator == 0:
        raise ZeroDivisionError("division of money by zero")
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    sign = -1 if numerator < 0 else 1
    q, r = divmod(abs(numerator), denominator)
    if 2 * r >= denominator:
        q += 1
    return sign * q


_YUAN_RE = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def parse_yuan(text: str | int | Decimal) -> Fen:
    """Parse a yuan amount with at most two decimals into fen ("443.5" -> 44350).

    Commas are accepted only as thousands groups ("1,234.50"): a decimal comma
    ("443,50") would otherwise become an amount 100 times too large.
    """
    raw = str(text).strip()
    if not _YUAN_RE.match(raw) or not raw.isascii():
        raise MoneyFormatError(f"not an amount in yuan: {text!r}")
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        raise MoneyFormatError(f"not an amount in yuan: {text!r}") from None
    if not value.is_finite():
        raise MoneyFormatError(f"not an amount in yuan: {text!r}")
    fen = value * 100
    if fen != fen.to_integral_value():
        raise MoneyFormatError(f"more than two decimals (fen) in amount: {text!r}")
    return int(fen)


def format_yuan(fen: Fen) -> str:
    """Format fen as yuan with two decimals ("1234.50"); the form at every edge."""
    sign = "-" if fen < 0 else ""
    q, r = divmod(abs(fen), 100)
    return f"{sign}{q}.{r:02d}"


def monthly_from_yearly(yearly: Fen) -> Fen:
    """A yearly standard as a monthly one: round_half_up(yearly / 12, fen)."""
    return divide_half_up(yearly, 12)


def round_to_yuan(fen_times_hundred: int, denominator: int = 1) -> Fen:
    """Round (numerator/denominator) fen to whole yuan, half up, returned in fen."""
    return divide_half_up(fen_times_hundred, denominator * 100) * 100


def percent_of(amount: Fen, percent: Decimal) -> tuple[int, int]:
    """amount × percent / 100 as an exact fraction (numerator, denominator) in fen.

    Kept as a fraction so the caller rounds once, to fen or to yuan as its rule says.
    """
    num, den = percent.as_integer_ratio()
    return amount * num, den * 100
