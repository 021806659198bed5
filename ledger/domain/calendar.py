"""Months and dates of the benefit calendar.

A :class:`Month` is the unit benefits are paid for; it is its own type so it can
never be confused with a date (an effective *date* of a standard) or a string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class MonthFormatError(ValueError):
    """Raised when a text is not a month in the form YYYY-MM."""


@dataclass(frozen=True, slots=True)
class Month:
    """A calendar month, e.g. Month(2024, 7) for 2024-07."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 9999:
            raise MonthFormatError(f"not a month: {self.year}-{self.month}")

    @classmethod
    def parse(cls, text: str) -> Month:
        return _parse(str(text))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def index(self) -> int:
        """Months since year 0; differences of indexes count months."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Month:
        return cls(index // 12, index % 12 + 1)

    def __add__(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    def __sub__(self, other: Month) -> int:
        return self.index - other.index

    # Each comparison spelled out: ``functools.total_ordering`` derives <=, > and >= through
    # an extra Python call each, and a payroll compares months millions of times.
    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Month):
            return NotImplemented
        return (self.year, self.month) < (other.year, other.month)

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Month):
            return NotImplemented
        return (self.year, self.month) <= (other.year, other.month)

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Month):
            return NotImplemented
        return (self.year, self.month) > (other.year, other.month)

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Month):
            return NotImplemented
        return (self.year, self.month) >= (other.year, other.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def until(self, end: Month) -> list[Month]:
        """Months from self up to and including end."""
        return [Month.from_index(i) for i in range(self.index, end.index + 1)]

    def __str__(self) -> str:
        return _text(self.year, self.month)

    def __repr__(self) -> str:
        return f"Month({self})"


@lru_cache(maxsize=4096)
def _parse(text: str) -> Month:
    """Months are few and read back from every stored record: parse each once."""
    m = _MONTH_RE.match(text.strip())
    if not m:
        raise MonthFormatError(f"not a month in the form YYYY-MM: {text!r}")
    return Month(int(m.group(1)), int(m.group(2)))


@cache
def _text(year: int, month: int) -> str:
    """Months are few and written into every payment id and event: format each once."""
    return f"{year:04d}-{month:02d}"


def parse_date(text: str) -> date:
    """Parse YYYY-MM-DD strictly."""
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise ValueError(f"not a date in the form YYYY-MM-DD: {text!r}") from None
