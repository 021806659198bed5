"""Boundaries of price linkage (ledger/domain/price_linkage.py): thresholds, who is covered, how much.

Pure, no database. Standards: dibao urban 443.00 a month (5316 yuan/year), rural 380.00 a
month (4560 yuan/year). Every expected amount is worked out by hand in the test.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord
from ledger.domain.identity import generate_id_number
from ledger.domain.policy import PolicyBook, PolicyEntry
from ledger.domain.price_linkage import COVERED, Decision, case_subsidy, decide, subsidy_per_person
from ledger.domain.standards import StandardBook, StandardEntry

D = Decimal
JUNE = Month(2024, 6)
JANUARY = Month(2024, 1)
SET_AT = datetime(2023, 12, 20)
OTHERS = (
    StandardEntry("tekun", "basic:urban", 700_00, "month", date(2024, 1, 1), "文件", SET_AT),
    StandardEntry("tekun", "basic:rural", 600_00, "month", date(2024, 1, 1), "文件", SET_AT),
    StandardEntry("orphan", "orphan", 1500_00, "month", date(2024, 1, 1), "文件", SET_AT),
)
"""tekun and orphan standards: a person is covered only when their programme pays them."""
STANDARDS = StandardBook((
    StandardEntry("dibao", "urban", 5316_00, "year", date(2024, 1, 1), "文件", SET_AT),
    StandardEntry("dibao", "rural", 4560_00, "year", date(2024, 1, 1), "文件", SET_AT),
    *OTHERS,
))
FOOD_6 = Decision(True, D("6.0"), "food")


def case(programme: str, start: Month = JANUARY, exit_month: Month | None = None,
         birth: date = date(1970, 5, 17), **enrolment: Any) -> CaseRecord:
    return CaseRecord(
        case_id="6a1f0c1e-58a4-4c1b-9d3e-3c1f6f2b7a10", programme=programme, name="测试",
        id_number=generate_id_number("431023", birth, 7), birth_date=birth, town="城关镇",
        village="东村", registered_poor=False, bank_name="农村信用社",
        bank_account="6217000000000000000", start_month=start, enrolment=enrolment,
        exit_month=exit_month,
    )


def subsidy(record: CaseRecord, decision: Decision = FOOD_6, floor: int = 0,
            standards: StandardBook = STANDARDS,
            policy: PolicyBook | None = None) -> tuple[int, str] | None:
    return case_subsidy(record, JUNE, decision, floor, standards, policy or PolicyBook())


# --- the food threshold at exactly 6.0 --------------------------------------------------------


def test_food_at_exactly_its_threshold_triggers_with_the_food_rise() -> None:
    assert decide(D("2.0"), D("6.0"), D("3.5"), D("6.0")) == Decision(True, D("6.0"), "food")


def test_food_one_tenth_below_its_threshold_does_not_trigger() -> None:
    assert decide(D("2.0"), D("5.9"), D("3.5"), D("6.0")) == Decision(False, None, None)


def test_both_at_exactly_their_thresholds_trigger_with_the_higher_rise() -> None:
    assert decide(D("3.5"), D("6.0"), D("3.5"), D("6.0")) == Decision(True, D("6.0"), "both")


def test_the_default_thresholds_are_3_5_and_6_0() -> None:
    book = PolicyBook()
    assert book.value("price_linkage.cpi_threshold", JUNE) == D("3.5")
    assert book.value("price_linkage.food_threshold", JUNE) == D("6.0")
    assert book.value("price_linkage.floor", JUNE) == 0


def test_a_food_threshold_recorded_from_june_applies_in_june_and_not_in_may() -> None:
    book = PolicyBook([PolicyEntry("price_linkage.food_threshold", "5.5", date(2024, 6, 1), SET_AT)])
    assert book.value("price_linkage.food_threshold", JUNE) == D("5.5")
    assert book.value("price_linkage.food_threshold", Month(2024, 5)) == D("6.0")


def test_subsidy_at_a_food_rise_of_6_0_rounds_to_whole_yuan() -> None:
    assert subsidy_per_person(443_00, D("6.0"), 0) == 27_00  # 443.00 × 6% = 26.58 → 27 yuan
    assert subsidy_per_person(380_00, D("6.0"), 0) == 23_00  # 380.00 × 6% = 22.80 → 23 yuan


def test_a_floor_equal_to_the_computed_subsidy_changes_nothing() -> None:
    assert subsidy_per_person(443_00, D("6.0"), 27_00) == 27_00
    assert subsidy_per_person(443_00, D("6.0"), 27_01) == 27_01  # one fen above: the floor


# --- who is covered ---------------------------------------------------------------------------


def test_the_covered_programmes_are_dibao_tekun_and_orphan() -> None:
    assert COVERED == ("dibao", "tekun", "orphan")


def test_a_dibao_household_of_three_is_paid_for_each_member() -> None:
    # urban 443.00 × 6.0% = 26.58 → 27.00 per person × 3 = 81.00
    result = subsidy(case("dibao", area="urban", household_size=3, income_per_capita=120_00))
    assert result == (81_00, "price linkage 2024-06 (food 6.0%): dibao urban 443.00/month × 6.0%"
                             " → 27.00 per person × 3 = 81.00")


def test_a_dibao_household_of_one_is_paid_once() -> None:
    result = subsidy(case("dibao", area="rural", household_size=1, income_per_capita=120_00))
    assert result is not None
    assert result[0] == 23_00  # rural 380.00 × 6% = 22.80 → 23.00 × 1


def test_a_household_size_recorded_later_for_the_measured_month_counts() -> None:
    record = case("dibao", area="rural", household_size=2, income_per_capita=100_00)
    record.change(Month(2024, 6), {"household_size": 5})
    result = subsidy(record)
    assert result is not None
    assert result[0] == 5 * 23_00  # 115.00


@pytest.mark.parametrize("programme", ["tekun", "orphan"])
def test_a_tekun_or_orphan_person_is_paid_once(programme: str) -> None:
    result = subsidy(case(programme, area="urban", care_level="self", birth=date(2015, 3, 1)))
    assert result == (27_00, "price linkage 2024-06 (food 6.0%): dibao urban 443.00/month × 6.0%"
                             " → 27.00 per person × 1 = 27.00")


@pytest.mark.parametrize("programme",
                         ["elderly", "disability_living", "disability_care", "child_in_difficulty"])
def test_other_programmes_are_not_covered(programme: str) -> None:
    assert subsidy(case(programme, area="urban", disability_grade=1, birth=date(2015, 3, 1))) is None


def test_nobody_is_paid_in_a_suspended_month() -> None:
    record = case("tekun", area="urban", care_level="self")
    assert subsidy(record, Decision(False, None, None)) is None


def test_a_dibao_household_whose_income_reached_the_standard_is_not_covered() -> None:
    # income 443.00 = the urban standard: dibao pays 0, so no subsidy
    record = case("dibao", area="urban", household_size=3, income_per_capita=443_00)
    assert subsidy(record) is None


def test_a_dibao_household_paid_one_fen_is_covered() -> None:
    # household of one, income 442.99: dibao pays (443.00 − 442.99) × 1 = 0.01, so it is
    # covered: 27.00 × 1
    record = case("dibao", area="urban", household_size=1, income_per_capita=442_99)
    result = subsidy(record)
    assert result is not None
    assert result[0] == 27_00


def test_a_case_that_exited_before_the_measured_month_is_not_covered() -> None:
    assert subsidy(case("tekun", area="urban", care_level="self", exit_month=JUNE)) is None
    assert subsidy(case("dibao", area="urban", household_size=3, income_per_capita=120_00,
                        exit_month=JUNE)) is None


def test_a_case_exiting_the_month_after_is_still_covered() -> None:
    result = subsidy(case("tekun", area="urban", care_level="self", exit_month=Month(2024, 7)))
    assert result is not None
    assert result[0] == 27_00


def test_a_case_starting_after_the_measured_month_is_not_covered() -> None:
    assert subsidy(case("orphan", area="urban", start=Month(2024, 7), birth=date(2015, 3, 1))) is None


def test_an_orphan_past_18_in_the_measured_month_is_not_covered_before_any_sweep() -> None:
    # SPEC: "a person past an age limit ... is not, whether or not a sweep has recorded it yet".
    # Born 2006-01-15: 18 from February 2024, so the orphan allowance pays nothing for June.
    past_18 = case("orphan", area="urban", birth=date(2006, 1, 15))
    assert subsidy(past_18) is None
    # born 2006-06-15: still 17 in June 2024 (18 only from July), so covered
    result = subsidy(case("orphan", area="urban", birth=date(2006, 6, 15)))
    assert result is not None
    assert result[0] == 27_00


def test_a_household_of_zero_people_is_not_covered() -> None:
    record = case("dibao", area="urban", household_size=0, income_per_capita=120_00)
    assert subsidy(record) is None


def test_a_person_without_an_area_is_not_covered() -> None:
    assert subsidy(case("tekun", care_level="self")) is None


def test_without_a_dibao_standard_for_the_area_nobody_is_covered() -> None:
    only_rural = StandardBook((StandardEntry("dibao", "rural", 4560_00, "year", date(2024, 1, 1),
                                             "文件", SET_AT), *OTHERS))
    assert subsidy(case("tekun", area="urban", care_level="self"), standards=only_rural) is None


def test_the_floor_is_named_in_the_formula_when_set() -> None:
    # 0.1% of 443.00 = 0.443 → 0 yuan; the floor 5.00 per person applies: 5.00 × 2 = 10.00
    record = case("dibao", area="urban", household_size=2, income_per_capita=120_00)
    result = subsidy(record, Decision(True, D("0.1"), "cpi"), floor=5_00)
    assert result == (10_00, "price linkage 2024-06 (cpi 0.1%): dibao urban 443.00/month × 0.1%"
                             " → 5.00 per person (floor 5.00) × 2 = 10.00")


def test_the_triggering_index_both_is_named_in_the_formula() -> None:
    result = subsidy(case("tekun", area="rural", care_level="full"), Decision(True, D("7.1"), "both"))
    # rural 380.00 × 7.1% = 26.98 → 27.00
    assert result == (27_00, "price linkage 2024-06 (both 7.1%): dibao rural 380.00/month × 7.1%"
                             " → 27.00 per person × 1 = 27.00")
