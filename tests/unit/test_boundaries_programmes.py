"""Boundaries of the per-person programme rules (tekun, elderly, children, disability): pure.

Each rule returns an Entitlement: amount, line kind, formula and the standards applied, all
of which end up in a payment and its trace. A missing standard pays 0 with a reason rather
than crashing the payroll. Expected values are written out by hand.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord
from ledger.domain.identity import generate_id_number
from ledger.domain.policy import PolicyBook
from ledger.domain.programmes import Entitlement, entitlement
from ledger.domain.standards import StandardBook, StandardEntry

MAR = Month(2024, 3)
SET_AT = datetime(2023, 12, 20, 9, 0)


def std(programme: str, category: str, amount: int, per: str = "month") -> StandardEntry:
    return StandardEntry(programme, category, amount, per, date(2024, 1, 1), "县民政发〔2024〕1号",
                         SET_AT)


def person(programme: str, birth: date = date(1970, 5, 17), **enrolment: Any) -> CaseRecord:
    return CaseRecord(
        case_id="6a1f0c1e-58a4-4c1b-9d3e-3c1f6f2b7a10", programme=programme, name="测试",
        id_number=generate_id_number("431023", birth, 7), birth_date=birth, town="城关镇",
        village="东村", registered_poor=False, bank_name="农村信用社",
        bank_account="6217000000000000000", start_month=Month(2024, 1), enrolment=enrolment,
    )


def pay(record: CaseRecord, *entries: StandardEntry, month: Month = MAR) -> Entitlement:
    return entitlement(record.facts_for(month), StandardBook(entries), PolicyBook())


# --- no standard recorded: 0 with a reason, never a crash ------------------------------------


def test_tekun_without_a_basic_standard_pays_nothing_and_says_why() -> None:
    result = pay(person("tekun", area="rural", care_level="full"), std("tekun", "care:full", 300_00))
    assert result == Entitlement(0, "regular", "no tekun basic standard for rural in 2024-03")


def test_elderly_without_a_standard_for_the_band_pays_nothing_and_says_why() -> None:
    # born 1940-05: 83 in March 2024, band 80-89; only the 60-79 band has a standard
    result = pay(person("elderly", birth=date(1940, 5, 1)), std("elderly", "60-79", 50_00))
    assert result == Entitlement(0, "regular", "no elderly standard for 80-89 in 2024-03")


@pytest.mark.parametrize("programme", ["orphan", "child_in_difficulty"])
def test_a_child_without_a_standard_is_paid_nothing_and_told_why(programme: str) -> None:
    result = pay(person(programme, birth=date(2015, 6, 1), area="urban"))
    assert result == Entitlement(0, "regular", f"no {programme} standard in 2024-03")


def test_disability_living_without_a_standard_for_the_band_pays_nothing_and_says_why() -> None:
    result = pay(person("disability_living", disability_grade=3),
                 std("disability_living", "grade1-2", 100_00))
    assert result == Entitlement(0, "regular", "no disability_living standard for grade3-4 in 2024-03")


def test_disability_care_without_a_standard_for_the_grade_pays_nothing_and_says_why() -> None:
    result = pay(person("disability_care", disability_grade=2), std("disability_care", "grade1", 100_00))
    assert result == Entitlement(0, "regular", "no disability_care standard for grade2 in 2024-03")


# --- what a paid entitlement says about itself ----------------------------------------------


def test_tekun_pays_basic_plus_care_as_a_regular_line_with_both_standards() -> None:
    # 8000 yuan a year basic: 800000 / 12 = 66666.67 → 66667 fen; care:partial 150.00 a month
    result = pay(person("tekun", area="rural", care_level="partial"),
                 std("tekun", "basic:rural", 8000_00, "year"), std("tekun", "care:partial", 150_00))
    assert result == Entitlement(
        66667 + 15000, "regular",
        "basic:rural 666.67 + care:partial 150.00 = 816.67",
        ("tekun/basic:rural 8000.00元/年 (monthly 666.67) from 2024-01-01 [县民政发〔2024〕1号]",
         "tekun/care:partial 150.00元/月 (monthly 150.00) from 2024-01-01 [县民政发〔2024〕1号]"),
    )


def test_tekun_without_a_care_standard_pays_the_basic_standard_alone() -> None:
    result = pay(person("tekun", area="urban", care_level="self"), std("tekun", "basic:urban", 700_00))
    assert result == Entitlement(
        700_00, "regular", "basic:urban 700.00 + care:self 0.00 = 700.00",
        ("tekun/basic:urban 700.00元/月 (monthly 700.00) from 2024-01-01 [县民政发〔2024〕1号]",),
    )


def test_elderly_line_is_regular_and_names_age_band_and_standard() -> None:
    # born 1944-02-10: 80 from March 2024 (the month after the February birthday month)
    result = pay(person("elderly", birth=date(1944, 2, 10)), std("elderly", "80-89", 100_00))
    assert result == Entitlement(
        100_00, "regular", "age 80 band 80-89 standard 100.00",
        ("elderly/80-89 100.00元/月 (monthly 100.00) from 2024-01-01 [县民政发〔2024〕1号]",),
    )


def test_elderly_below_60_is_told_so() -> None:
    # born 1970-05-17: 53 in March 2024
    result = pay(person("elderly"), std("elderly", "60-79", 50_00))
    assert result == Entitlement(0, "regular", "age 53 in 2024-03: below 60")


@pytest.mark.parametrize(("programme", "category"),
                         [("orphan", "orphan"), ("child_in_difficulty", "child")])
def test_child_line_is_regular_and_names_standard_and_age(programme: str, category: str) -> None:
    # born 2015-06-01: 8 in March 2024
    result = pay(person(programme, birth=date(2015, 6, 1), area="rural"),
                 std(programme, category, 1500_00))
    assert result == Entitlement(
        1500_00, "regular", f"{category} standard 1500.00 (age 8)",
        (f"{programme}/{category} 1500.00元/月 (monthly 1500.00) from 2024-01-01 [县民政发〔2024〕1号]",),
    )


def test_a_child_who_reached_18_is_told_so() -> None:
    # born 2006-01-15: 18 from February 2024
    result = pay(person("orphan", birth=date(2006, 1, 15), area="rural"), std("orphan", "orphan", 1500_00))
    assert result == Entitlement(0, "regular", "age 18 in 2024-03: reached 18")


@pytest.mark.parametrize(("programme", "grade", "category"),
                         [("disability_living", 2, "grade1-2"), ("disability_care", 1, "grade1")])
def test_disability_line_is_regular_and_names_the_standard(programme: str, grade: int,
                                                           category: str) -> None:
    result = pay(person(programme, disability_grade=grade), std(programme, category, 90_00))
    assert result == Entitlement(
        90_00, "regular", f"{category} standard 90.00",
        (f"{programme}/{category} 90.00元/月 (monthly 90.00) from 2024-01-01 [县民政发〔2024〕1号]",),
    )


def test_disability_care_for_grade_3_is_not_eligible_and_says_so() -> None:
    result = pay(person("disability_care", disability_grade=3), std("disability_care", "grade1", 90_00))
    assert result == Entitlement(0, "regular", "grade 3 not eligible for disability_care")


def test_disability_care_without_a_recorded_grade_pays_nothing() -> None:
    # no grade is not grade 1: nothing is paid (the grade1 standard must not be used)
    result = pay(person("disability_care"), std("disability_care", "grade1", 90_00),
                 std("disability_care", "grade2", 60_00))
    assert result == Entitlement(0, "regular", "grade None not eligible for disability_care")


def test_disability_living_without_a_recorded_grade_is_paid_the_lower_band() -> None:
    result = pay(person("disability_living"), std("disability_living", "grade1-2", 90_00),
                 std("disability_living", "grade3-4", 60_00))
    assert (result.amount, result.formula) == (60_00, "grade3-4 standard 60.00")


# --- not in payment -------------------------------------------------------------------------


def test_a_case_before_its_start_month_is_not_in_payment_and_says_so() -> None:
    result = pay(person("elderly", birth=date(1940, 5, 1)), std("elderly", "80-89", 100_00),
                 month=Month(2023, 12))
    assert result == Entitlement(0, "regular", "not in payment (before start or after exit)")


def test_nothing_is_a_regular_line_of_zero_with_its_reason() -> None:
    assert Entitlement.nothing("why") == Entitlement(0, "regular", "why", ())
