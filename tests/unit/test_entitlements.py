"""What each programme pays for a month: the money rules of the spec, pure, no database.

Expected amounts are worked out by hand in each test (in fen), never by calling
the code under test.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord
from ledger.domain.identity import generate_id_number
from ledger.domain.policy import PolicyBook, PolicyEntry
from ledger.domain.programmes import CaseEntitlement, Entitlement
from ledger.domain.standards import StandardBook, StandardEntry, tekun_below_minimum

SET_AT = datetime(2023, 12, 20, 9, 0)
JAN_2024 = date(2024, 1, 1)
START = Month(2024, 1)


def std(programme: str, category: str, amount_fen: int, per: str = "month",
        effective: date = JAN_2024, recorded_at: datetime = SET_AT) -> StandardEntry:
    return StandardEntry(programme, category, amount_fen, per, effective,
                         f"文件 {programme}/{category}", recorded_at)


def book(*entries: StandardEntry) -> StandardBook:
    return StandardBook(entries)


def policy(*settings: tuple[str, str, date]) -> PolicyBook:
    return PolicyBook(PolicyEntry(key, value, effective, SET_AT) for key, value, effective in settings)


def case(programme: str, *, birth: date = date(1970, 5, 17), start: Month = START,
         exit_month: Month | None = None, **enrolment: Any) -> CaseRecord:
    return CaseRecord(
        case_id="6a1f0c1e-58a4-4c1b-9d3e-3c1f6f2b7a10",
        programme=programme,
        name="测试",
        id_number=generate_id_number("431023", birth, 7),
        birth_date=birth,
        town="城关镇",
        village="东村",
        registered_poor=False,
        bank_name="农村信用社",
        bank_account="6217000000000000000",
        start_month=start,
        enrolment=dict(enrolment),
        exit_month=exit_month,
    )


def pay(record: CaseRecord, month: Month, standards: StandardBook,
        policies: PolicyBook | None = None) -> Entitlement:
    return CaseEntitlement(record, standards, policies or PolicyBook()).for_month(month)


# Yearly 5316 yuan -> 531600 / 12 = 44300 fen (443.00) a month, exactly.
DIBAO_URBAN = std("dibao", "urban", 5316_00, "year")
# Yearly 4560 yuan -> 456000 / 12 = 38000 fen (380.00) a month, exactly.
DIBAO_RURAL = std("dibao", "rural", 4560_00, "year")


def dibao_case(income: int = 120_00, size: int = 3, area: str = "urban", **kw: Any) -> CaseRecord:
    return case("dibao", area=area, household_size=size, income_per_capita=income, **kw)


# --- dibao: ordinary formula -----------------------------------------------


def test_dibao_pays_the_gap_to_the_standard_for_every_household_member() -> None:
    result = pay(dibao_case(), Month(2024, 3), book(DIBAO_URBAN))
    assert result.amount == (443_00 - 120_00) * 3  # 96900 = 969.00 yuan
    assert result.kind == "regular"


def test_dibao_uses_the_standard_of_the_household_area() -> None:
    result = pay(dibao_case(income=100_00, size=2, area="rural"), Month(2024, 3),
                 book(DIBAO_URBAN, DIBAO_RURAL))
    assert result.amount == (380_00 - 100_00) * 2  # 56000


def test_dibao_area_change_applies_from_its_effective_month() -> None:
    record = dibao_case()
    record.change(Month(2024, 5), {"area": "rural"})
    standards = book(DIBAO_URBAN, DIBAO_RURAL)
    assert pay(record, Month(2024, 4), standards).amount == (443_00 - 120_00) * 3
    assert pay(record, Month(2024, 5), standards).amount == (380_00 - 120_00) * 3


def test_dibao_with_no_income_pays_the_whole_standard_per_person() -> None:
    assert pay(dibao_case(income=0, size=2), Month(2024, 3), book(DIBAO_URBAN)).amount == 443_00 * 2


@pytest.mark.parametrize("income", [443_00, 443_01, 600_00])
def test_dibao_pays_nothing_when_income_reaches_or_exceeds_the_standard(income: int) -> None:
    assert pay(dibao_case(income=income), Month(2024, 3), book(DIBAO_URBAN)).amount == 0


def test_dibao_income_just_under_the_standard_pays_one_fen_per_person_without_a_floor() -> None:
    assert pay(dibao_case(income=442_99), Month(2024, 3), book(DIBAO_URBAN)).amount == 1 * 3


def test_dibao_floor_share_lifts_a_tiny_gap_to_the_floor_per_person() -> None:
    floor = policy(("dibao.floor_share", "0.3", JAN_2024))
    result = pay(dibao_case(income=442_99), Month(2024, 3), book(DIBAO_URBAN), floor)
    # floor per person = 0.3 × 443.00 = 132.90; gap is 0.01 < 132.90; × 3 persons
    assert result.amount == 132_90 * 3  # 39870


def test_dibao_floor_share_does_not_lower_a_gap_larger_than_the_floor() -> None:
    floor = policy(("dibao.floor_share", "0.3", JAN_2024))
    result = pay(dibao_case(income=120_00), Month(2024, 3), book(DIBAO_URBAN), floor)
    assert result.amount == (443_00 - 120_00) * 3  # 323.00 > 132.90 floor


def test_dibao_floor_share_does_not_pay_a_household_whose_income_reaches_the_standard() -> None:
    floor = policy(("dibao.floor_share", "0.3", JAN_2024))
    assert pay(dibao_case(income=443_00), Month(2024, 3), book(DIBAO_URBAN), floor).amount == 0


def test_dibao_floor_rounds_half_up_to_the_fen() -> None:
    # 4900 yuan/year -> 490000 / 12 = 40833.33 -> 40833 fen a month.
    standards = book(std("dibao", "urban", 4900_00, "year"))
    floor = policy(("dibao.floor_share", "0.3", JAN_2024))
    result = pay(dibao_case(income=408_00, size=2), Month(2024, 3), standards, floor)
    # floor = 40833 × 0.3 = 12249.9 -> 12250 fen; gap 33 fen < floor; × 2
    assert result.amount == 12250 * 2


def test_dibao_floor_share_applies_from_the_month_the_policy_takes_effect() -> None:
    floor = policy(("dibao.floor_share", "0.3", date(2024, 3, 15)))
    record = dibao_case(income=442_99)
    assert pay(record, Month(2024, 2), book(DIBAO_URBAN), floor).amount == 1 * 3
    assert pay(record, Month(2024, 3), book(DIBAO_URBAN), floor).amount == 132_90 * 3


# --- standards history ---------------------------------------------------------

# Yearly 5400 yuan -> 540000 / 12 = 45000 fen (450.00) a month.
RAISED = 450_00


def test_a_later_effective_standard_applies_from_its_month_and_not_before() -> None:
    raised = std("dibao", "urban", 5400_00, "year", date(2024, 7, 1), datetime(2024, 6, 10))
    standards = book(raised, DIBAO_URBAN)  # added out of order on purpose
    record = dibao_case()
    assert pay(record, Month(2024, 6), standards).amount == (443_00 - 120_00) * 3  # 96900
    assert pay(record, Month(2024, 7), standards).amount == (RAISED - 120_00) * 3  # 99000
    assert pay(record, Month(2025, 1), standards).amount == (RAISED - 120_00) * 3


def test_a_standard_effective_mid_month_applies_to_that_whole_month() -> None:
    raised = std("dibao", "urban", 5400_00, "year", date(2024, 7, 20), datetime(2024, 7, 1))
    standards = book(DIBAO_URBAN, raised)
    record = dibao_case()
    assert pay(record, Month(2024, 6), standards).amount == (443_00 - 120_00) * 3
    assert pay(record, Month(2024, 7), standards).amount == (RAISED - 120_00) * 3


def test_a_correction_recorded_later_for_the_same_month_wins_without_erasing_history() -> None:
    first = std("dibao", "urban", 5400_00, "year", date(2024, 7, 1), datetime(2024, 6, 1))
    # 5520 yuan/year -> 552000 / 12 = 46000 fen a month
    corrected = std("dibao", "urban", 5520_00, "year", date(2024, 7, 1), datetime(2024, 6, 20))
    standards = book(DIBAO_URBAN, corrected, first)
    assert pay(dibao_case(), Month(2024, 7), standards).amount == (460_00 - 120_00) * 3
    assert len(standards.entries()) == 3


def test_no_standard_yet_means_nothing_is_paid() -> None:
    later = std("dibao", "urban", 5316_00, "year", date(2024, 6, 1))
    assert pay(dibao_case(), Month(2024, 5), book(later)).amount == 0


def test_a_monthly_standard_is_used_as_given() -> None:
    standards = book(std("dibao", "urban", 450_50, "month"))
    assert pay(dibao_case(), Month(2024, 3), standards).amount == (450_50 - 120_00) * 3


# --- tekun --------------------------------------------------------------------

# Yearly 7000 basic -> 700000 / 12 = 58333.33 -> 58333 fen.
# Care yearly 300 -> 2500 fen; 2500 -> 250000 / 12 = 20833.33 -> 20833; 5000 -> 41666.67 -> 41667.
TEKUN = book(
    std("tekun", "basic:urban", 7000_00, "year"),
    std("tekun", "care:self", 300_00, "year"),
    std("tekun", "care:partial", 2500_00, "year"),
    std("tekun", "care:full", 5000_00, "year"),
)


@pytest.mark.parametrize(
    ("care_level", "expected"),
    [
        ("self", 58333 + 2500),  # 60833 = 608.33
        ("partial", 58333 + 20833),  # 79166; rounding the yearly sum 9500/12 would give 79167
        ("full", 58333 + 41667),  # 100000 = 1000.00
    ],
)
def test_tekun_pays_the_basic_standard_plus_the_care_standard_each_rounded_monthly(
    care_level: str, expected: int
) -> None:
    record = case("tekun", area="urban", care_level=care_level)
    result = pay(record, Month(2024, 3), TEKUN)
    assert result.amount == expected
    assert result.kind == "regular"


def test_tekun_care_level_change_applies_from_its_effective_month() -> None:
    record = case("tekun", area="urban", care_level="self")
    record.change(Month(2024, 6), {"care_level": "full"})
    assert pay(record, Month(2024, 5), TEKUN).amount == 58333 + 2500
    assert pay(record, Month(2024, 6), TEKUN).amount == 58333 + 41667


def test_tekun_basic_of_exactly_1_3_times_dibao_is_not_below_the_minimum() -> None:
    # 1.3 × 443.00 = 575.90 exactly
    assert tekun_below_minimum(575_90, 443_00) is False


def test_tekun_basic_one_fen_under_1_3_times_dibao_is_below_the_minimum() -> None:
    assert tekun_below_minimum(575_89, 443_00) is True


def test_tekun_minimum_is_exact_when_1_3_times_dibao_has_a_fraction_of_a_fen() -> None:
    # 1.3 × 408.33 = 530.829: 530.83 is above it, 530.82 is below it
    assert tekun_below_minimum(530_83, 408_33) is False
    assert tekun_below_minimum(530_82, 408_33) is True


def test_tekun_minimum_is_not_checked_when_there_is_no_dibao_standard() -> None:
    assert tekun_below_minimum(1, None) is False


# --- disability ---------------------------------------------------------------

DISABILITY = book(
    std("disability_living", "grade1-2", 100_00),
    std("disability_living", "grade3-4", 80_00),
    std("disability_care", "grade1", 150_00),
    std("disability_care", "grade2", 100_00),
)


@pytest.mark.parametrize(("grade", "expected"), [(1, 100_00), (2, 100_00), (3, 80_00), (4, 80_00)])
def test_disability_living_allowance_pays_the_standard_of_the_grade_band(grade: int, expected: int) -> None:
    record = case("disability_living", disability_grade=grade)
    assert pay(record, Month(2024, 3), DISABILITY).amount == expected


@pytest.mark.parametrize(("grade", "expected"), [(1, 150_00), (2, 100_00), (3, 0), (4, 0)])
def test_disability_care_allowance_pays_grades_1_and_2_only(grade: int, expected: int) -> None:
    record = case("disability_care", disability_grade=grade)
    assert pay(record, Month(2024, 3), DISABILITY).amount == expected


def test_disability_grade_change_moves_the_case_to_the_new_band_from_its_month() -> None:
    record = case("disability_care", disability_grade=3)
    record.change(Month(2024, 4), {"disability_grade": 2})
    assert pay(record, Month(2024, 3), DISABILITY).amount == 0
    assert pay(record, Month(2024, 4), DISABILITY).amount == 100_00


# --- elderly ------------------------------------------------------------------

ELDERLY = book(
    std("elderly", "60-79", 80_00),
    std("elderly", "80-89", 100_00),
    std("elderly", "90+", 200_00),
)


def elderly_in(birth: date, month: Month) -> int:
    return pay(case("elderly", birth=birth), month, ELDERLY).amount


def test_elderly_aged_60_to_79_get_the_first_band() -> None:
    assert elderly_in(date(1950, 1, 1), Month(2024, 3)) == 80_00  # 74


def test_elderly_80th_birthday_month_is_still_paid_at_the_old_band() -> None:
    assert elderly_in(date(1944, 3, 15), Month(2024, 3)) == 80_00


def test_elderly_month_after_the_80th_birthday_is_paid_at_the_new_band() -> None:
    assert elderly_in(date(1944, 3, 15), Month(2024, 4)) == 100_00


def test_elderly_80th_birthday_in_december_moves_band_in_january() -> None:
    assert elderly_in(date(1944, 12, 31), Month(2024, 12)) == 80_00
    assert elderly_in(date(1944, 12, 31), Month(2025, 1)) == 100_00


def test_elderly_90th_birthday_month_is_still_80_to_89_then_90_plus() -> None:
    assert elderly_in(date(1934, 7, 1), Month(2024, 7)) == 100_00
    assert elderly_in(date(1934, 7, 1), Month(2024, 8)) == 200_00


def test_elderly_under_60_gets_nothing_until_the_month_after_the_60th_birthday() -> None:
    assert elderly_in(date(1964, 6, 10), Month(2024, 5)) == 0
    assert elderly_in(date(1964, 6, 10), Month(2024, 6)) == 0  # birthday month: still 59
    assert elderly_in(date(1964, 6, 10), Month(2024, 7)) == 80_00


# --- children -----------------------------------------------------------------

CHILDREN = book(std("orphan", "orphan", 920_00), std("child_in_difficulty", "child", 500_00))


def test_orphan_is_paid_in_the_month_of_the_18th_birthday() -> None:
    record = case("orphan", birth=date(2006, 5, 20), area="rural")
    assert pay(record, Month(2024, 4), CHILDREN).amount == 920_00
    assert pay(record, Month(2024, 5), CHILDREN).amount == 920_00


def test_orphan_is_not_paid_from_the_month_after_the_18th_birthday() -> None:
    record = case("orphan", birth=date(2006, 5, 20), area="rural")
    assert pay(record, Month(2024, 6), CHILDREN).amount == 0
    assert pay(record, Month(2025, 1), CHILDREN).amount == 0


def test_child_in_difficulty_is_paid_in_the_18th_birthday_month_and_not_after() -> None:
    record = case("child_in_difficulty", birth=date(2006, 11, 3))
    assert pay(record, Month(2024, 11), CHILDREN).amount == 500_00
    assert pay(record, Month(2024, 12), CHILDREN).amount == 0


def test_a_young_child_is_paid_the_child_standard() -> None:
    record = case("child_in_difficulty", birth=date(2015, 8, 8))
    assert pay(record, Month(2024, 3), CHILDREN).amount == 500_00


# --- in payment ---------------------------------------------------------------


def test_nothing_is_paid_before_the_start_month_or_from_the_exit_month() -> None:
    record = dibao_case(start=Month(2024, 3), exit_month=Month(2024, 8))
    standards = book(DIBAO_URBAN)
    regular = (443_00 - 120_00) * 3
    assert pay(record, Month(2024, 2), standards).amount == 0
    assert pay(record, Month(2024, 3), standards).amount == regular
    assert pay(record, Month(2024, 7), standards).amount == regular
    assert pay(record, Month(2024, 8), standards).amount == 0
    assert pay(record, Month(2024, 9), standards).amount == 0


@pytest.mark.parametrize(
    ("programme", "enrolment", "standards"),
    [
        ("tekun", {"area": "urban", "care_level": "self"}, TEKUN),
        ("disability_living", {"disability_grade": 1}, DISABILITY),
        ("elderly", {}, ELDERLY),
        ("orphan", {"area": "rural"}, CHILDREN),
    ],
)
def test_every_person_programme_stops_from_the_exit_month(
    programme: str, enrolment: dict[str, Any], standards: StandardBook
) -> None:
    birth = date(2015, 1, 1) if programme == "orphan" else date(1950, 1, 1)
    record = case(programme, birth=birth, start=Month(2024, 1), exit_month=Month(2024, 4),
                  **enrolment)
    assert pay(record, Month(2024, 3), standards).amount > 0
    assert pay(record, Month(2024, 4), standards).amount == 0


# --- dibao graduation exit (渐退) -----------------------------------------------

TAPER = "100,80,60,40,20,10"
BASE = (443_00 - 120_00) * 3  # 96900: the last regular monthly amount (February's)


def graduation_policy(months: int = 6, taper: str = TAPER) -> PolicyBook:
    return policy(("graduation.months", str(months), JAN_2024),
                  ("graduation.taper", taper, JAN_2024))


def graduating_case(income: int = 120_00, size: int = 3) -> CaseRecord:
    record = dibao_case(income=income, size=size)
    # reassessed income reaches the standard from March: graduation starts in March
    record.change(Month(2024, 3), {"income_per_capita": 450_00})
    return record


@pytest.mark.parametrize(
    ("month", "expected"),
    [
        (Month(2024, 2), (443_00 - 120_00) * 3),  # before graduation: ordinary formula
        (Month(2024, 3), 96900 * 100 // 100),  # 96900
        (Month(2024, 4), 96900 * 80 // 100),  # 77520
        (Month(2024, 5), 96900 * 60 // 100),  # 58140
        (Month(2024, 6), 96900 * 40 // 100),  # 38760
        (Month(2024, 7), 96900 * 20 // 100),  # 19380
        (Month(2024, 8), 96900 * 10 // 100),  # 9690
        (Month(2024, 9), 0),  # 6 months done: exited by itself
        (Month(2025, 3), 0),
    ],
)
def test_graduating_household_is_paid_base_times_taper_for_six_months_then_nothing(
    month: Month, expected: int
) -> None:
    assert pay(graduating_case(), month, book(DIBAO_URBAN), graduation_policy()).amount == expected


def test_graduation_months_are_paid_as_graduation_lines() -> None:
    due = pay(graduating_case(), Month(2024, 4), book(DIBAO_URBAN), graduation_policy())
    assert due.kind == "graduation"


def test_graduated_household_stays_exited_even_if_income_falls_again_later() -> None:
    record = graduating_case()
    record.change(Month(2024, 10), {"income_per_capita": 100_00})
    assert pay(record, Month(2024, 10), book(DIBAO_URBAN), graduation_policy()).amount == 0


def test_graduation_amount_rounds_half_up_to_the_fen() -> None:
    # February: (443.00 − 249.19) × 5 = 193.81 × 5 = 969.05, the base.
    # 10% = 96.905 yuan = 9690.5 fen -> 9691; 80% = 775.24 exactly
    record = graduating_case(income=249_19, size=5)
    assert pay(record, Month(2024, 2), book(DIBAO_URBAN)).amount == 96905
    assert pay(record, Month(2024, 4), book(DIBAO_URBAN), graduation_policy()).amount == 77524
    assert pay(record, Month(2024, 8), book(DIBAO_URBAN), graduation_policy()).amount == 9691


def test_a_short_taper_repeats_its_last_percentage_for_the_remaining_months() -> None:
    standards, rules = book(DIBAO_URBAN), graduation_policy(4, "100,50")
    assert [pay(graduating_case(), Month(2024, m), standards, rules).amount
            for m in (3, 4, 5, 6, 7)] == [96900, 96900 // 2, 96900 // 2, 96900 // 2, 0]


def test_default_graduation_policy_pays_the_full_base_for_six_months() -> None:
    standards = book(DIBAO_URBAN)
    assert [pay(graduating_case(), Month(2024, m), standards).amount for m in range(3, 10)] == [
        96900, 96900, 96900, 96900, 96900, 96900, 0
    ]


def test_cancelled_graduation_returns_to_the_ordinary_formula_from_the_cancel_month() -> None:
    record = graduating_case()
    # income falls back below the standard in May
    record.change(Month(2024, 5), {"income_per_capita": 200_00})
    standards, rules = book(DIBAO_URBAN), graduation_policy()
    assert pay(record, Month(2024, 3), standards, rules).amount == 96900  # 100%
    assert pay(record, Month(2024, 4), standards, rules).amount == 96900 * 80 // 100  # 77520
    may = pay(record, Month(2024, 5), standards, rules)
    assert may.amount == (443_00 - 200_00) * 3  # 72900
    assert may.kind == "regular"
    # after the graduation would have ended, still ordinary: no self-exit
    assert pay(record, Month(2024, 10), standards, rules).amount == (443_00 - 200_00) * 3


def test_an_explicit_exit_during_graduation_stops_payment_from_its_month() -> None:
    record = graduating_case()
    record.exit_month = Month(2024, 5)
    rules = graduation_policy()
    assert pay(record, Month(2024, 4), book(DIBAO_URBAN), rules).amount == 96900 * 80 // 100
    assert pay(record, Month(2024, 5), book(DIBAO_URBAN), rules).amount == 0
