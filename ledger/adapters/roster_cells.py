"""One roster cell's value: parsed, or a problem saying what was expected.

Each parser takes the cell's text and returns the normalized value or raises
``ValueError`` with a message a clerk can act on (the cell quoted by
:func:`shown_cell`); the checks judged from a whole row (programme, start month,
age limits) return their problem text instead of raising.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from ledger.adapters.roster_terms import (
    NOT_IMPORTABLE,
    PROGRAMME_ALIASES,
    PROGRAMME_NAMES,
    folded,
    is_blank,
    shown_cell,
)
from ledger.domain.calendar import Month, MonthFormatError
from ledger.domain.identity import age_in_month
from ledger.domain.money import MoneyFormatError, format_yuan, parse_yuan

_ELDERLY_MIN_AGE = 60
_CHILD_MAX_AGE = 18  # paid up to the 18th birthday month, stops from the month after
_MAX_INCOME_FEN = 9_999_999
"""99 999.99 yuan a month per person: beyond it the cell holds something else (an ID, an account)."""
_MAX_HOUSEHOLD = 20
"""A 21-person dibao household does not exist; such a number is a typo that would pay 21 shares."""

_AREAS = {"urban": "urban", "rural": "rural", "城市": "urban", "城镇": "urban", "农村": "rural"}
_CARE_LEVELS = {
    "self": "self",
    "partial": "partial",
    "full": "full",
    "全自理": "self",
    "自理": "self",
    "半护理": "partial",
    "半自理": "partial",
    "全护理": "full",
    "全不能自理": "full",
    "完全不能自理": "full",
}
_YES_NO = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "是": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
    "否": False,
}
_GRADES = {"1": 1, "2": 2, "3": 3, "4": 4, "一": 1, "二": 2, "三": 3, "四": 4}


def parse_area(text: str) -> str:
    area = _AREAS.get(folded(text))
    if area is None:
        raise ValueError(f"urban or rural (城市/农村), not {shown_cell(text)}")
    return area


def parse_household_size(text: str) -> int:
    plain = folded(text).removesuffix("人")
    if not plain.isascii() or not plain.isdigit() or not 1 <= int(plain) <= _MAX_HOUSEHOLD:
        raise ValueError(f"a whole number of people from 1 to {_MAX_HOUSEHOLD}, not {shown_cell(text)}")
    return int(plain)


def parse_income(text: str) -> int:
    plain = folded(text).removesuffix("元")
    try:
        fen = parse_yuan(plain)
    except MoneyFormatError:
        raise ValueError(f"an amount in yuan with at most 2 decimals, not {shown_cell(text)}") from None
    if fen < 0:
        raise ValueError(f"an income cannot be negative: {shown_cell(text)}")
    if fen > _MAX_INCOME_FEN:
        raise ValueError(
            f"more than {format_yuan(_MAX_INCOME_FEN)} yuan a month per person is not plausible"
        )
    return fen


def parse_grade(text: str) -> int:
    plain = folded(text).removesuffix("级")
    grade = _GRADES.get(plain)
    if grade is None:
        raise ValueError(f"a grade from 1 to 4, not {shown_cell(text)}")
    return grade


def parse_care_level(text: str) -> str:
    level = _CARE_LEVELS.get(folded(text))
    if level is None:
        raise ValueError(f"self, partial or full (全自理/半护理/全护理), not {shown_cell(text)}")
    return level


def parse_yes_no(text: str) -> bool:
    answer = _YES_NO.get(folded(text))
    if answer is None:
        raise ValueError(f"yes or no (是/否), not {shown_cell(text)}")
    return answer


def parse_programme(value: str) -> str:
    """The programme key for a cell, by key or Chinese name."""
    text = folded(value)
    text = re.sub(r"[\s\-]+", "_", text) if text.isascii() else text
    if text in PROGRAMME_ALIASES:
        return PROGRAMME_ALIASES[text]
    if text in NOT_IMPORTABLE:
        raise ValueError(NOT_IMPORTABLE[text])
    keys = ", ".join(PROGRAMME_NAMES)
    raise ValueError(f"unknown programme {shown_cell(value)} (one of {keys})")


def parse_start_month(value: object) -> Month | None:
    """The first month paid; None for an empty cell (the caller says whether that is wrong)."""
    if isinstance(value, date):
        # Excel turns a typed "2024-05" into the date 2024-05-01.
        if value.day == 1:
            return Month(value.year, value.month)
        raise ValueError(f"a month YYYY-MM, not the date {value:%Y-%m-%d}")
    if is_blank(value):
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    try:
        return Month.parse(text)
    except MonthFormatError:
        raise ValueError(f"a month YYYY-MM, not {shown_cell(text)}") from None


def age_problems(programme: str, birth: date, start: Month) -> list[str]:
    """Age limits that can be judged from the roster alone, in the start month (次月 rule)."""
    if start < Month.of(birth):
        return ["before the birth date in the ID number"]
    problems = []
    age = age_in_month(birth, start.year, start.month)
    if programme == "elderly" and age < _ELDERLY_MIN_AGE:
        eligible = Month(birth.year + _ELDERLY_MIN_AGE, birth.month) + 1
        problems.append(f"elderly needs age {_ELDERLY_MIN_AGE}: the person is {age} in {start}, "
                        f"{_ELDERLY_MIN_AGE} from {eligible}")
    if programme in ("orphan", "child_in_difficulty") and age >= _CHILD_MAX_AGE:
        last = Month(birth.year + _CHILD_MAX_AGE, birth.month)
        problems.append(f"{programme} is for children under {_CHILD_MAX_AGE}: the person is "
                        f"{age} in {start}, last month {last}")
    return problems
