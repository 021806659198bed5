"""Money as integer fen with ROUND_HALF_UP, yearly-to-monthly standards, and the Month type.

Every expected value below is worked out by hand (see the comments), never by
calling the code under test.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.domain.calendar import Month, MonthFormatError
from ledger.domain.money import (
    MoneyFormatError,
    divide_half_up,
    format_yuan,
    monthly_from_yearly,
    parse_yuan,
    percent_of,
    round_to_yuan,
)

# --- ROUND_HALF_UP ---------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (20, 10, 2),  # exact: no rounding at all
        (14, 10, 1),  # 1.4 -> 1
        (15, 10, 2),  # 1.5 -> 2 (half goes up)
        (25, 10, 3),  # 2.5 -> 3 (half up, NOT banker's rounding, which would give 2)
        (16, 10, 2),  # 1.6 -> 2
        (12345, 10, 1235),  # 1234.5 fen -> 1235 fen
        (12344, 10, 1234),  # 1234.4 fen -> 1234 fen
        (1, 3, 0),  # 0.333.. -> 0
        (2, 3, 1),  # 0.666.. -> 1
    ],
)
def test_divide_half_up_rounds_a_half_fen_up_and_less_than_half_down(
    numerator: int, denominator: int, expected: int
) -> None:
    assert divide_half_up(numerator, denominator) == expected


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (-15, 10, -2),  # -1.5 -> -2: half away from zero, like Decimal ROUND_HALF_UP
        (-25, 10, -3),  # -2.5 -> -3
        (-14, 10, -1),  # -1.4 -> -1
        (-12345, 10, -1235),  # -1234.5 fen -> -1235 fen
        (15, -10, -2),  # a negative denominator is the same as a negative numerator
        (-15, -10, 2),  # two negatives make a positive 1.5 -> 2
        (-4, 10, 0),  # -0.4 -> 0
    ],
)
def test_divide_half_up_rounds_negative_halves_away_from_zero(
    numerator: int, denominator: int, expected: int
) -> None:
    assert divide_half_up(numerator, denominator) == expected


def test_divide_half_up_is_symmetric_around_zero() -> None:
    for n in range(-200, 201):
        assert divide_half_up(-n, 7) == -divide_half_up(n, 7)


def test_dividing_money_by_zero_is_refused() -> None:
    with pytest.raises(ZeroDivisionError):
        divide_half_up(100, 0)


# --- yearly standard -> monthly standard ----------------------------------


@pytest.mark.parametrize(
    ("yearly_fen", "monthly_fen"),
    [
        (5316_00, 443_00),  # 531600 / 12 = 44300 exactly
        (4560_00, 380_00),  # 456000 / 12 = 38000 exactly
        (4900_00, 408_33),  # 490000 / 12 = 40833.33.. -> 40833 (down)
        (7000_00, 583_33),  # 700000 / 12 = 58333.33.. -> 58333 (down)
        (300_00, 25_00),  # 30000 / 12 = 2500 exactly
        (2500_00, 208_33),  # 250000 / 12 = 20833.33.. -> 20833 (down)
        (5000_00, 416_67),  # 500000 / 12 = 41666.66.. -> 41667 (up)
        (6, 1),  # 0.5 fen -> 1 fen (half up)
        (18, 2),  # 1.5 fen -> 2 fen
        (30, 3),  # 2.5 fen -> 3 fen (banker's rounding would give 2)
        (0, 0),
    ],
)
def test_a_yearly_standard_becomes_monthly_by_dividing_by_12_half_up_to_the_fen(
    yearly_fen: int, monthly_fen: int
) -> None:
    assert monthly_from_yearly(yearly_fen) == monthly_fen


@pytest.mark.parametrize(
    ("yearly_yuan", "monthly_yuan"),
    [
        ("5316", "443.00"),
        ("4560", "380.00"),
        ("4900", "408.33"),
        ("7000", "583.33"),
        ("300", "25.00"),
        ("2500", "208.33"),
        ("5000", "416.67"),
    ],
)
def test_yearly_standard_in_yuan_is_shown_as_the_monthly_yuan_amount(
    yearly_yuan: str, monthly_yuan: str
) -> None:
    assert format_yuan(monthly_from_yearly(parse_yuan(yearly_yuan))) == monthly_yuan


# --- parse_yuan -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("443", 44300),
        ("443.00", 44300),
        ("443.5", 44350),
        ("443.05", 44305),
        ("0.01", 1),
        ("0", 0),
        ("  12.30 ", 1230),  # surrounding whitespace from spreadsheets
        ("-1.50", -150),
        ("1,234.50", 123450),  # thousands separator
        ("5316", 531600),
    ],
)
def test_parse_yuan_reads_yuan_with_at_most_two_decimals_into_fen(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


def test_parse_yuan_accepts_int_and_decimal_values() -> None:
    assert parse_yuan(5316) == 5316 * 100
    assert parse_yuan(Decimal("0.10")) == 10


@pytest.mark.parametrize("text", ["1.234", "0.001", "443.005", "-0.125"])
def test_parse_yuan_refuses_a_fraction_of_a_fen(text: str) -> None:
    with pytest.raises(MoneyFormatError, match="two decimals"):
        parse_yuan(text)


@pytest.mark.parametrize(
    "text", ["", "   ", "abc", "12元", "¥12", "1.2.3", "12 34", "NaN", "Infinity", "-inf", "0x10"]
)
def test_parse_yuan_refuses_text_that_is_not_an_amount(text: str) -> None:
    with pytest.raises(MoneyFormatError):
        parse_yuan(text)


@pytest.mark.parametrize("text", ["443,50", "1,2,3", "4_43"])
def test_parse_yuan_refuses_separators_that_are_not_thousands_groups(text: str) -> None:
    # "443,50" is a decimal comma (443.50 yuan), not 44 350 yuan; "1,2,3" and "4_43"
    # are typing slips. Silently dropping the separator would pay 100x too much.
    with pytest.raises(MoneyFormatError):
        parse_yuan(text)


def test_money_format_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_yuan("garbage")


# --- format_yuan ------------------------------------------------------------


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "0.00"),
        (1, "0.01"),
        (10, "0.10"),
        (44300, "443.00"),
        (44350, "443.50"),
        (123456, "1234.56"),
        (-150, "-1.50"),
        (-5, "-0.05"),
        (100000000, "1000000.00"),
    ],
)
def test_format_yuan_shows_fen_as_yuan_with_exactly_two_decimals(fen: int, text: str) -> None:
    assert format_yuan(fen) == text


@pytest.mark.parametrize("fen", [0, 1, 99, 100, 44300, 40833, -5, -123456])
def test_formatted_yuan_parses_back_to_the_same_fen(fen: int) -> None:
    assert parse_yuan(format_yuan(fen)) == fen


# --- percentages rounded to whole yuan (price linkage building blocks) ------


def test_a_percentage_of_a_standard_rounds_half_up_to_whole_yuan() -> None:
    # 443.00 × 3.5% = 15.505 yuan -> 16 yuan
    assert round_to_yuan(*percent_of(44300, Decimal("3.5"))) == 1600
    # 443.00 × 3.4% = 15.062 yuan -> 15 yuan
    assert round_to_yuan(*percent_of(44300, Decimal("3.4"))) == 1500
    # 500.00 × 3.1% = 15.50 yuan exactly -> 16 yuan (half up)
    assert round_to_yuan(*percent_of(50000, Decimal("3.1"))) == 1600


def test_a_percentage_of_an_amount_is_kept_as_an_exact_fraction_of_fen() -> None:
    num, den = percent_of(44300, Decimal("3.5"))
    # 44300 × 3.5 / 100 = 1550.5 fen exactly
    assert Decimal(num) / Decimal(den) == Decimal("1550.5")


# --- Month --------------------------------------------------------------------


def test_month_parses_yyyy_mm_and_prints_the_same_text() -> None:
    assert Month.parse("2024-07") == Month(2024, 7)
    assert str(Month(2024, 7)) == "2024-07"
    assert str(Month.parse(" 2024-01 ")) == "2024-01"


@pytest.mark.parametrize(
    "text",
    ["2024-7", "2024-13", "2024-00", "24-07", "2024/07", "202407", "", "July 2024",
     "2024-07-01", "1899-12", "abcd-ef"],
)
def test_month_parse_refuses_anything_but_a_real_yyyy_mm(text: str) -> None:
    with pytest.raises(MonthFormatError):
        Month.parse(text)


@pytest.mark.parametrize(("year", "month"), [(2024, 0), (2024, 13), (2024, -1), (1899, 12)])
def test_month_cannot_be_built_with_an_impossible_month(year: int, month: int) -> None:
    with pytest.raises(MonthFormatError):
        Month(year, month)


def test_month_format_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        Month.parse("2024-13")


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (Month(2024, 1), 1, Month(2024, 2)),
        (Month(2024, 12), 1, Month(2025, 1)),  # over the year end
        (Month(2024, 1), -1, Month(2023, 12)),  # back over the year start
        (Month(2024, 3), 24, Month(2026, 3)),
        (Month(2024, 3), 0, Month(2024, 3)),
        (Month(2024, 7), -19, Month(2022, 12)),  # 7 - 19 = -12 -> December two years back
    ],
)
def test_adding_months_carries_over_year_boundaries(start: Month, months: int, expected: Month) -> None:
    assert start + months == expected


def test_subtracting_months_counts_the_months_between_them() -> None:
    assert Month(2025, 2) - Month(2024, 11) == 3  # Dec, Jan, Feb
    assert Month(2024, 11) - Month(2025, 2) == -3
    assert Month(2024, 5) - Month(2024, 5) == 0
    assert Month(2026, 1) - Month(2024, 1) == 24


def test_months_are_ordered_by_year_then_month() -> None:
    a, b, c = Month(2023, 12), Month(2024, 1), Month(2024, 11)
    assert a < b < c
    assert c > b > a
    assert a <= a and a >= a
    assert not b < a
    assert sorted([c, a, b]) == [a, b, c]
    assert max([a, c, b]) == c


def test_equal_months_are_equal_and_hash_alike_so_they_can_key_a_dict() -> None:
    assert Month(2024, 7) == Month.parse("2024-07")
    assert Month(2024, 7) != Month(2025, 7)
    paid = {Month(2024, 7): 100}
    assert paid[Month.parse("2024-07")] == 100


def test_a_month_is_not_equal_to_its_text_and_cannot_be_compared_with_it() -> None:
    assert Month(2024, 7) != "2024-07"
    with pytest.raises(TypeError):
        _ = Month(2024, 7) < "2024-08"  # type: ignore[operator]


def test_until_lists_every_month_up_to_and_including_the_end() -> None:
    assert Month(2024, 11).until(Month(2025, 2)) == [
        Month(2024, 11), Month(2024, 12), Month(2025, 1), Month(2025, 2)
    ]
    assert Month(2024, 5).until(Month(2024, 5)) == [Month(2024, 5)]
    assert Month(2024, 5).until(Month(2024, 4)) == []


def test_the_month_of_a_date_ignores_the_day() -> None:
    assert Month.of(date(2024, 7, 31)) == Month(2024, 7)
    assert Month.of(date(2024, 7, 1)) == Month(2024, 7)
    assert Month(2024, 7).first_day == date(2024, 7, 1)


def test_month_index_round_trips() -> None:
    for m in [Month(1900, 1), Month(2024, 12), Month(9999, 12)]:
        assert Month.from_index(m.index) == m
