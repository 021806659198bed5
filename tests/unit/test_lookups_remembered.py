"""What the payroll's speed-ups remember must never be stale, and months still order right.

A payroll asks the same few questions for every case (which standard is in force for a
month, how is it described), so `StandardBook` remembers the answers; a standard recorded
later must replace the remembered answer. `Month` spells out its comparisons instead of
deriving them with `functools.total_ordering`: each must agree with calendar order.
"""

from __future__ import annotations

import operator
from datetime import date, datetime

import pytest

from ledger.domain.calendar import Month
from ledger.domain.standards import StandardBook, StandardEntry


def _entry(amount: int, effective: date, ref: str, minute: int = 0) -> StandardEntry:
    return StandardEntry("dibao", "rural", amount, "month", effective, ref,
                         datetime(2024, 1, 1, 9, minute))


def test_a_standard_recorded_after_a_question_was_answered_replaces_the_answer() -> None:
    book = StandardBook([_entry(40000, date(2024, 1, 1), "文件1号")])
    march = Month(2024, 3)
    assert book.monthly("dibao", "rural", march) == 40000
    # Recorded later, effective from February: March is now paid 420.00, not 400.00.
    book.add(_entry(42000, date(2024, 2, 1), "文件2号", minute=5))
    assert book.monthly("dibao", "rural", march) == 42000
    assert book.monthly("dibao", "rural", Month(2024, 1)) == 40000
    # A correction recorded later for the same month wins over the earlier recording.
    book.add(_entry(41500, date(2024, 2, 1), "文件3号", minute=9))
    assert book.monthly("dibao", "rural", march) == 41500
    assert book.entry("dibao", "rural", Month(2023, 12)) is None


def test_a_standards_description_names_its_own_amount_and_reference() -> None:
    first, second = _entry(40000, date(2024, 1, 1), "文件1号"), _entry(40000, date(2024, 1, 1), "文件2号")
    assert first.describe() == "dibao/rural 400.00元/月 (monthly 400.00) from 2024-01-01 [文件1号]"
    assert second.describe().endswith("[文件2号]")
    yearly = StandardEntry("elderly", "80-89", 120006, "year", date(2024, 1, 1), "文件", datetime(2024, 1, 1))
    # 1,200.06 a year is 100.005 a month, rounded half up to 100.01.
    assert yearly.describe() == "elderly/80-89 1200.06元/年 (monthly 100.01) from 2024-01-01 [文件]"


@pytest.mark.parametrize("compare", [operator.lt, operator.le, operator.gt, operator.ge,
                                     operator.eq, operator.ne])
def test_months_compare_in_calendar_order(compare: object) -> None:
    months = [Month(y, m) for y in (1999, 2023, 2024) for m in (1, 2, 11, 12)]
    for a in months:
        for b in months:
            # Calendar order, worked out independently: year first, then month.
            assert compare(a, b) == compare((a.year, a.month), (b.year, b.month)), (a, b)  # type: ignore[operator]


def test_a_month_does_not_compare_with_other_things() -> None:
    with pytest.raises(TypeError):
        assert Month(2024, 1) < "2024-02"  # type: ignore[operator]
    with pytest.raises(TypeError):
        assert Month(2024, 1) >= date(2024, 1, 1)  # type: ignore[operator]
