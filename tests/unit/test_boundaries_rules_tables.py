"""Boundaries of the small rule tables: money, months, standards and policy values. Pure.

What an officer types (a policy value, a standard's category, a date) is refused with a
message that names the problem; history answers by effective month, whatever the order
the entries were recorded in. Expected values are written out by hand.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from ledger.domain.calendar import Month, MonthFormatError, parse_date
from ledger.domain.money import divide_half_up, parse_yuan, round_to_yuan
from ledger.domain.policy import PolicyBook, PolicyEntry, PolicyValueError, parse_policy_value
from ledger.domain.standards import (
    StandardBook,
    StandardEntry,
    UnknownCategoryError,
    check_category,
    tekun_below_minimum,
)

D = Decimal
SET_AT = datetime(2023, 12, 20, 9, 0)


# --- money ---------------------------------------------------------------------------------------


def test_dividing_money_by_zero_says_so() -> None:
    with pytest.raises(ZeroDivisionError, match=r"^division of money by zero$"):
        divide_half_up(100, 0)


def test_a_refused_amount_names_the_text() -> None:
    with pytest.raises(ValueError, match=r"^not an amount in yuan: '12a'$"):
        parse_yuan("12a")
    with pytest.raises(ValueError, match=r"^more than two decimals \(fen\) in amount: '1\.005'$"):
        parse_yuan("1.005")


def test_round_to_yuan_rounds_whole_fen_half_up_to_yuan() -> None:
    assert round_to_yuan(26_50) == 27_00  # 26.50 → 27 yuan
    assert round_to_yuan(26_49) == 26_00  # 26.49 → 26 yuan
    assert round_to_yuan(5300, 2) == 27_00  # 5300 / 2 = 26.50 → 27 yuan


# --- months and dates ------------------------------------------------------------------------------


def test_years_1900_to_9999_are_months_and_10000_is_not() -> None:
    assert str(Month(9999, 12)) == "9999-12"
    assert str(Month(1900, 1)) == "1900-01"
    with pytest.raises(MonthFormatError, match=r"^not a month: 10000-1$"):
        Month(10000, 1)
    with pytest.raises(MonthFormatError, match=r"^not a month: 1899-12$"):
        Month(1899, 12)


def test_a_date_is_parsed_strictly_and_a_bad_one_names_the_text() -> None:
    assert parse_date(" 2024-02-29 ") == date(2024, 2, 29)
    with pytest.raises(ValueError, match=r"^not a date in the form YYYY-MM-DD: '2023-02-29'$"):
        parse_date("2023-02-29")


# --- standards -----------------------------------------------------------------------------------


def entry(programme: str, category: str, amount: int, effective: date,
          recorded_at: datetime = SET_AT) -> StandardEntry:
    return StandardEntry(programme, category, amount, "month", effective, "文件", recorded_at)


def test_every_category_of_the_spec_is_accepted() -> None:
    for programme, category in [("dibao", "rural"), ("tekun", "care:full"),
                                ("disability_care", "grade2"), ("elderly", "90+"),
                                ("child_in_difficulty", "child")]:
        check_category(programme, category)


def test_an_unknown_programme_is_refused_with_the_known_ones() -> None:
    with pytest.raises(UnknownCategoryError) as refused:
        check_category("temporary", "urban")
    assert str(refused.value) == (
        "unknown programme 'temporary'; standards exist for dibao, tekun, disability_living, "
        "disability_care, elderly, orphan, child_in_difficulty")


def test_an_unknown_category_is_refused_with_the_programmes_categories() -> None:
    with pytest.raises(UnknownCategoryError) as refused:
        check_category("tekun", "urban")
    assert str(refused.value) == (
        "unknown category 'urban' for tekun; use one of basic:urban, basic:rural, care:self, "
        "care:partial, care:full")


def test_standards_on_a_day_list_the_entry_in_force_for_each_category_in_order() -> None:
    rural_old = entry("dibao", "rural", 380_00, date(2024, 1, 1))
    rural_new = entry("dibao", "rural", 400_00, date(2024, 7, 1))
    urban = entry("dibao", "urban", 443_00, date(2024, 1, 1))
    later = entry("elderly", "90+", 200_00, date(2024, 9, 1))
    book = StandardBook([later, rural_new, urban, rural_old])
    # on 2024-07-15: rural from July (400.00), urban; elderly 90+ only from September
    assert book.on(date(2024, 7, 15)) == [rural_new, urban]
    assert book.on(date(2024, 6, 30)) == [rural_old, urban]
    assert book.on(date(2023, 12, 31)) == []


def test_a_standard_recorded_later_for_the_same_month_wins() -> None:
    first = entry("dibao", "urban", 443_00, date(2024, 3, 1), datetime(2024, 2, 1))
    correction = entry("dibao", "urban", 450_00, date(2024, 3, 20), datetime(2024, 2, 5))
    book = StandardBook([correction, first])
    assert book.monthly("dibao", "urban", Month(2024, 3)) == 450_00
    assert book.monthly("dibao", "urban", Month(2024, 2)) is None


def test_tekun_basic_of_exactly_1_3_times_dibao_is_not_below_the_minimum() -> None:
    # 1.3 × 443.00 = 575.90
    assert tekun_below_minimum(575_90, 443_00) is False
    assert tekun_below_minimum(575_89, 443_00) is True
    assert tekun_below_minimum(1, None) is False


# --- policy values ---------------------------------------------------------------------------------


def test_whole_number_policies_refuse_text_and_values_below_their_minimum() -> None:
    assert parse_policy_value("graduation.months", "0") == 0
    assert parse_policy_value("temporary.max_multiple", "1") == 1
    with pytest.raises(PolicyValueError, match=r"^must be at least 1: '0'$"):
        parse_policy_value("temporary.max_multiple", "0")
    with pytest.raises(PolicyValueError, match=r"^not a whole number: 'six'$"):
        parse_policy_value("graduation.months", "six")


def test_percentages_may_carry_a_percent_sign_and_must_not_be_negative() -> None:
    assert parse_policy_value("price_linkage.food_threshold", " 6.0% ") == D("6.0")
    assert parse_policy_value("price_linkage.cpi_threshold", "0") == D("0")
    with pytest.raises(PolicyValueError, match=r"^must be a number of at least 0: '-0.1'$"):
        parse_policy_value("price_linkage.cpi_threshold", "-0.1")
    with pytest.raises(PolicyValueError, match=r"^must be a number of at least 0: 'Infinity'$"):
        parse_policy_value("price_linkage.cpi_threshold", "Infinity")
    with pytest.raises(PolicyValueError, match=r"^not a number: '%6'$"):
        parse_policy_value("price_linkage.cpi_threshold", "%6")
    # only a trailing percent sign is dropped: a typed letter is not taken away with it
    with pytest.raises(PolicyValueError, match=r"^not a number: '6X'$"):
        parse_policy_value("price_linkage.cpi_threshold", "6X")


def test_a_share_is_between_0_and_1_inclusive() -> None:
    assert parse_policy_value("dibao.floor_share", "1") == D("1")
    assert parse_policy_value("dibao.floor_share", "0.3") == D("0.3")
    with pytest.raises(PolicyValueError, match=r"^a share is between 0 and 1: '1.01'$"):
        parse_policy_value("dibao.floor_share", "1.01")


def test_a_taper_lists_percentages_up_to_100() -> None:
    assert parse_policy_value("graduation.taper", "100") == (D("100"),)
    assert parse_policy_value("graduation.taper", "100, 80,,60") == (D("100"), D("80"), D("60"))
    with pytest.raises(PolicyValueError, match=r"^taper percentages must not exceed 100: '100,100.5'$"):
        parse_policy_value("graduation.taper", "100,100.5")
    with pytest.raises(PolicyValueError, match=r"^taper needs at least one percentage$"):
        parse_policy_value("graduation.taper", " , ")


def test_a_price_floor_is_yuan_and_not_negative() -> None:
    assert parse_policy_value("price_linkage.floor", "0") == 0
    assert parse_policy_value("price_linkage.floor", "0.01") == 1
    assert parse_policy_value("price_linkage.floor", "5") == 5_00
    with pytest.raises(PolicyValueError, match=r"^must not be negative: '-0.01'$"):
        parse_policy_value("price_linkage.floor", "-0.01")
    with pytest.raises(PolicyValueError, match=r"^not an amount in yuan: '5 元'$"):
        parse_policy_value("price_linkage.floor", "5 元")


def test_an_unknown_policy_key_is_refused_with_the_known_keys() -> None:
    with pytest.raises(PolicyValueError) as refused:
        parse_policy_value("graduation.month", "6")
    head, _, known = str(refused.value).partition("; known: ")
    assert head == "unknown policy key 'graduation.month'"
    # every key the spec names is listed (later features add keys of their own after them)
    assert known.split(", ")[:8] == [
        "graduation.months", "graduation.taper", "dibao.floor_share",
        "price_linkage.cpi_threshold", "price_linkage.food_threshold", "price_linkage.floor",
        "temporary.max_multiple", "temporary.town_approval_multiple"]


def test_policy_history_answers_by_effective_month_whatever_the_recording_order() -> None:
    book = PolicyBook([
        PolicyEntry("graduation.months", "3", date(2024, 9, 1), datetime(2024, 1, 5)),
        PolicyEntry("graduation.months", "9", date(2024, 3, 1), datetime(2024, 1, 9)),
        PolicyEntry("graduation.months", "4", date(2024, 9, 15), datetime(2024, 1, 1)),
    ])
    assert book.value("graduation.months", Month(2024, 2)) == 6  # the default
    assert book.value("graduation.months", Month(2024, 8)) == 9
    # two entries effective in September: the one recorded later (3, on 5 January) wins
    assert book.value("graduation.months", Month(2024, 9)) == 3


def test_the_pay_by_day_is_a_day_of_the_month() -> None:
    from ledger.domain.policy import parse_policy_value as parse

    assert (parse("payroll.pay_by_day", "1"), parse("payroll.pay_by_day", "31")) == (1, 31)
    for bad, why in (("0", "must be at least 1: '0'"), ("32", "a day of the month is 1 to 31: '32'"),
                     ("10th", "not a whole number: '10th'")):
        with pytest.raises(PolicyValueError) as refused:
            parse("payroll.pay_by_day", bad)
        assert str(refused.value) == why
