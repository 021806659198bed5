"""Policy settings with effective dates (graduation length, taper, thresholds...).

Values are kept as the text the officer typed and parsed by key into exact
types (int, Decimal percentages, fen), so no float ever enters a money rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ledger.domain.calendar import Month
from ledger.domain.money import parse_yuan


class PolicyValueError(ValueError):
    """Raised when a policy key is unknown or its value cannot be parsed."""


def _int_at_least(low: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise PolicyValueError(f"not a whole number: {text!r}") from None
        if value < low:
            raise PolicyValueError(f"must be at least {low}: {text!r}")
        return value

    return parse


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.strip().rstrip("%"))
    except InvalidOperation:
        raise PolicyValueError(f"not a number: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise PolicyValueError(f"must be a number of at least 0: {text!r}")
    return value


def _taper(text: str) -> tuple[Decimal, ...]:
    """'100' or '100,80,60' (percent per graduation month; the last repeats)."""
    parts = tuple(_decimal(p) for p in text.split(",") if p.strip())
    if not parts:
        raise PolicyValueError("taper needs at least one percentage")
    if any(p > 100 for p in parts):
        raise PolicyValueError(f"taper percentages must not exceed 100: {text!r}")
    return parts


def _share(text: str) -> Decimal:
    value = _decimal(text)
    if value > 1:
        raise PolicyValueError(f"a share is between 0 and 1: {text!r}")
    return value


def _yuan(text: str) -> int:
    try:
        value = parse_yuan(text)
    except ValueError as e:
        raise PolicyValueError(str(e)) from None
    if value < 0:
        raise PolicyValueError(f"must not be negative: {text!r}")
    return value


def _day_of_month(text: str) -> int:
    value = _int_at_least(1)(text)
    if value > 31:
        raise PolicyValueError(f"a day of the month is 1 to 31: {text!r}")
    return value


def _combine(text: str) -> str:
    if text.strip() not in ("max", "sum"):
        raise PolicyValueError(f"max or sum: {text!r}")
    return text.strip()


def _dates(text: str) -> frozenset[date]:
    """'2026-10-01,2026-10-02' (ISO dates, comma separated; empty: none)."""
    try:
        return frozenset(date.fromisoformat(p.strip()) for p in text.split(",") if p.strip())
    except ValueError:
        raise PolicyValueError(f"dates YYYY-MM-DD separated by commas: {text!r}") from None


POLICY_KEYS: dict[str, tuple[Callable[[str], Any], str, str]] = {
    "graduation.months": (_int_at_least(0), "6", "months a graduating dibao household keeps being paid"),
    "graduation.taper": (_taper, "100", "percent of the last regular amount per graduation month"),
    "dibao.floor_share": (_share, "0", "minimum per-person dibao as a share of the standard"),
    "price_linkage.cpi_threshold": (_decimal, "3.5", "CPI year-on-year % that triggers"),
    "price_linkage.food_threshold": (_decimal, "6.0", "food CPI year-on-year % that triggers"),
    "price_linkage.floor": (_yuan, "0", "minimum price subsidy per person, yuan"),
    "temporary.max_multiple": (_int_at_least(1), "12", "highest multiple of the dibao standard"),
    "temporary.town_approval_multiple": (_int_at_least(0), "3", "multiple up to which one approval suffices"),
    "review.months": (_int_at_least(1), "12", "months between periodic reviews of a dibao household"),
    **{f"review.months.{c}": (_int_at_least(0), "0",
                              f"months between reviews of a class {c} household (0: review.months)")
       for c in ("A", "B", "C")},
    **{f"dibao.classified.{c}": (_decimal, d, f"percent of the dibao standard a {c} member adds")
       for c, d in (("serious_illness", "30"), ("severe_disability", "20"), ("elderly70", "10"),
                    ("minor", "10"))},
    "dibao.classified.combine": (_combine, "max", "a member with several classes: max or sum"),
    "relief.advance_approval_days": (_int_at_least(0), "20",
                                     "working days an advance relief's approvals may follow"),
    "calendar.holidays": (_dates, "", "dates that are not working days, YYYY-MM-DD,..."),
    "payroll.pay_by_day": (_day_of_month, "10", "day of the month payments reach people by"),
    "payroll.reconcile_days": (_int_at_least(0), "30", "days after the pay-by day for the bank's results"),
}
"""key -> (parser, default text, meaning)."""


def parse_policy_value(key: str, text: str) -> Any:
    if key not in POLICY_KEYS:
        raise PolicyValueError(f"unknown policy key {key!r}; known: {', '.join(POLICY_KEYS)}")
    return POLICY_KEYS[key][0](str(text))


@dataclass(frozen=True, slots=True)
class PolicyEntry:
    key: str
    value: str
    effective: date
    recorded_at: datetime


class PolicyBook:
    """Policy values in force for a month, falling back to the spec's defaults."""

    def __init__(self, entries: Iterable[PolicyEntry] = ()) -> None:
        self._by_key: dict[str, list[PolicyEntry]] = {}
        for entry in entries:
            self.add(entry)

    def add(self, entry: PolicyEntry) -> None:
        history = self._by_key.setdefault(entry.key, [])
        history.append(entry)
        history.sort(key=lambda e: (Month.of(e.effective).index, e.recorded_at))

    def text(self, key: str, month: Month) -> str:
        value = POLICY_KEYS[key][1]
        for entry in self._by_key.get(key, ()):
            if Month.of(entry.effective) <= month:
                value = entry.value
        return value

    def value(self, key: str, month: Month) -> Any:
        return parse_policy_value(key, self.text(key, month))

    def entries(self) -> list[PolicyEntry]:
        return [e for history in self._by_key.values() for e in history]
