"""Benefit standards (保障标准) and their history.

A standard is set per programme and category with an effective date and a
reference (the policy document). History is never overwritten: a later entry
with an earlier or equal effective date *supersedes* for the months it covers.
A standard effective on any day of a month applies to that whole month
(政策 "自某月起执行"); this is a decision written down here because the spec
gives effective *dates* but pays by *month*.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from ledger.domain.calendar import Month
from ledger.domain.money import Fen, format_yuan, monthly_from_yearly

CATEGORIES: dict[str, tuple[str, ...]] = {
    "dibao": ("urban", "rural"),
    "tekun": ("basic:urban", "basic:rural", "care:self", "care:partial", "care:full"),
    "disability_living": ("grade1-2", "grade3-4"),
    "disability_care": ("grade1", "grade2"),
    "elderly": ("60-79", "80-89", "90+"),
    "orphan": ("orphan",),
    "child_in_difficulty": ("child",),
}
"""Programme -> the categories a standard can be set for (SPEC: Programmes)."""

TEKUN_MINIMUM_RATIO = (13, 10)
"""tekun basic standard must be at least 1.3 × the dibao standard of the same area."""


@dataclass(frozen=True, slots=True)
class StandardEntry:
    """One recorded standard: what was decided, from when, on what authority."""

    programme: str
    category: str
    amount: Fen
    """The amount as decided, in fen, per ``per``."""
    per: str
    """'month' or 'year'."""
    effective: date
    ref: str
    """Reference text: the policy document that set it."""
    recorded_at: datetime
    forced: bool = False

    @property
    def monthly(self) -> Fen:
        return self.amount if self.per == "month" else monthly_from_yearly(self.amount)

    @property
    def effective_month(self) -> Month:
        return Month.of(self.effective)

    def describe(self) -> str:
        return _describe(self)


@lru_cache(maxsize=4096)
def _describe(entry: StandardEntry) -> str:
    """A standard's description: a payroll quotes the same few standards in every formula."""
    per = "月" if entry.per == "month" else "年"
    return (
        f"{entry.programme}/{entry.category} {format_yuan(entry.amount)}元/{per} "
        f"(monthly {format_yuan(entry.monthly)}) from {entry.effective} [{entry.ref}]"
    )


class UnknownCategoryError(ValueError):
    """Raised when a programme or category is not one of the spec's."""


def check_category(programme: str, category: str) -> None:
    if programme not in CATEGORIES:
        raise UnknownCategoryError(
            f"unknown programme {programme!r}; standards exist for {', '.join(CATEGORIES)}"
        )
    if category not in CATEGORIES[programme]:
        raise UnknownCategoryError(
            f"unknown category {category!r} for {programme}; use one of "
            f"{', '.join(CATEGORIES[programme])}"
        )


class StandardBook:
    """All standard entries, answering 'which standard was in force for a month'."""

    def __init__(self, entries: Iterable[StandardEntry] = ()) -> None:
        self._by_key: dict[tuple[str, str], list[StandardEntry]] = {}
        self._in_force: dict[tuple[str, str, Month], StandardEntry | None] = {}
        """``entry``'s answers so far: a payroll asks the same few questions for every case."""
        for entry in entries:
            self.add(entry)

    def add(self, entry: StandardEntry) -> None:
        history = self._by_key.setdefault((entry.programme, entry.category), [])
        history.append(entry)
        # Latest effective month wins; within the same month, the later recording wins.
        history.sort(key=lambda e: (e.effective_month.index, e.recorded_at))
        self._in_force.clear()

    def entry(self, programme: str, category: str, month: Month) -> StandardEntry | None:
        """The entry in force for ``month``, or None if no standard was set yet."""
        key = (programme, category, month)
        if key in self._in_force:
            return self._in_force[key]
        found: StandardEntry | None = None
        for candidate in self._by_key.get((programme, category), ()):
            if candidate.effective_month <= month:
                found = candidate
            else:
                break
        self._in_force[key] = found
        return found

    def monthly(self, programme: str, category: str, month: Month) -> Fen | None:
        entry = self.entry(programme, category, month)
        return None if entry is None else entry.monthly

    def entries(self) -> list[StandardEntry]:
        return [e for history in self._by_key.values() for e in history]

    def on(self, day: date) -> list[StandardEntry]:
        """The entries in force on a day, one per programme and category."""
        result = []
        for (programme, category), _ in sorted(self._by_key.items()):
            entry = self.entry(programme, category, Month.of(day))
            if entry is not None:
                result.append(entry)
        return result


def tekun_below_minimum(basic_monthly: Fen, dibao_monthly: Fen | None) -> bool:
    """True when a tekun basic standard is below 1.3 × the dibao standard (exact, no rounding)."""
    if dibao_monthly is None:
        return False
    num, den = TEKUN_MINIMUM_RATIO
    return basic_monthly * den < dibao_monthly * num
