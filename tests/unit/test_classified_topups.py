"""分类施保: classified members add a percent of the dibao standard to the household's
regular line (pure, no database). Amounts worked out by hand.

Standard 443.00 a month, income 120.00 per head: each member is paid 323.00.
serious_illness 30% of 443.00 = 132.90; minor 10% = 44.30; severe_disability 20% = 88.60.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord
from ledger.domain.household import MemberChange
from ledger.domain.member_classes import ClassFact, classes_in_force
from ledger.domain.programmes import CaseEntitlement
from ledger.domain.programmes.classified import member_percent, top_up
from tests.unit.test_entitlements import book, case, policy, std

JAN = Month(2024, 1)
STANDARDS = book(std("dibao", "rural", 44300))
PERCENTS = {"serious_illness": Decimal(30), "severe_disability": Decimal(20),
            "elderly70": Decimal(10), "minor": Decimal(10)}


def household(*classes: ClassFact) -> CaseRecord:
    record = case("dibao", area="rural", household_size=1, income_per_capita=120_00)
    record.members = [MemberChange(k, JAN, i + 1, True) for i, k in enumerate(("a", "ill", "kid"))]
    record.classes = list(classes)
    return record


def month_of(record: CaseRecord, month: Month, *settings: tuple[str, str, date]) -> int:
    return CaseEntitlement(record, STANDARDS, policy(*settings)).for_month(month).amount


def test_one_seriously_ill_member_and_one_minor_add_their_percents_under_max() -> None:
    record = household(ClassFact("ill", "serious_illness", JAN, None, 10),
                       ClassFact("kid", "minor", JAN, None, 11))
    # 3 × 323.00 = 969.00; + 132.90 + 44.30 = 1146.20
    assert month_of(record, JAN) == 1146_20


def test_under_sum_one_class_each_gives_the_same_as_max() -> None:
    record = household(ClassFact("ill", "serious_illness", JAN, None, 10),
                       ClassFact("kid", "minor", JAN, None, 11))
    assert month_of(record, JAN, ("dibao.classified.combine", "sum", date(2024, 1, 1))) == 1146_20


def test_a_member_with_two_classes_gets_the_highest_under_max_and_both_under_sum() -> None:
    record = household(ClassFact("ill", "serious_illness", JAN, None, 10),
                       ClassFact("ill", "severe_disability", JAN, None, 11),
                       ClassFact("kid", "minor", JAN, None, 12))
    # max: 969.00 + 132.90 + 44.30 = 1146.20; sum: + 88.60 more = 1234.80
    assert month_of(record, JAN) == 1146_20
    assert month_of(record, JAN, ("dibao.classified.combine", "sum", date(2024, 1, 1))) == 1234_80


def test_the_formula_shows_the_top_up() -> None:
    record = household(ClassFact("kid", "minor", JAN, None, 10))
    e = CaseEntitlement(record, STANDARDS, policy()).for_month(JAN)
    assert e.amount == 969_00 + 44_30
    assert "classified (max) minor 10% of 443.00 = 44.30" in e.formula
    assert e.formula.endswith("total 1013.30")


def test_a_class_holds_from_its_month_until_its_last_month_and_only_for_members_in_force() -> None:
    record = household(ClassFact("kid", "minor", Month(2024, 3), Month(2024, 4), 10))
    record.members.append(MemberChange("kid", Month(2024, 4), 20, False))
    assert [month_of(record, Month(2024, m)) for m in (2, 3, 4, 5)] == [
        969_00, 1013_30, 646_00, 646_00]


def test_the_latest_classification_for_a_month_decides_whatever_order_it_was_recorded() -> None:
    early_end = ClassFact("kid", "minor", JAN, Month(2024, 2), 30)
    open_ended = ClassFact("kid", "minor", JAN, None, 10)
    facts = [open_ended, early_end]
    assert classes_in_force(facts, "kid", Month(2024, 3)) == ()
    assert classes_in_force(list(reversed(facts)), "kid", Month(2024, 3)) == ()
    assert classes_in_force(facts, "kid", Month(2024, 2)) == ("minor",)


def test_policy_percent_with_effective_date_applies_from_its_month() -> None:
    record = household(ClassFact("ill", "serious_illness", JAN, None, 10))
    setting = ("dibao.classified.serious_illness", "40", date(2024, 3, 15))
    # 40% of 443.00 = 177.20 from March
    assert month_of(record, Month(2024, 2), setting) == 969_00 + 132_90
    assert month_of(record, Month(2024, 3), setting) == 969_00 + 177_20


def test_the_top_up_comes_on_top_of_the_floor() -> None:
    record = case("dibao", area="rural", household_size=1, income_per_capita=400_00)
    record.members = [MemberChange("a", JAN, 1, True)]
    record.classes = [ClassFact("a", "minor", JAN, None, 2)]
    # floor 0.5 × 443.00 = 221.50 > 43.00; + 44.30 = 265.80
    assert month_of(record, JAN, ("dibao.floor_share", "0.5", date(2024, 1, 1))) == 265_80


def test_a_household_whose_income_reaches_the_standard_gets_no_top_up_but_graduates_with_it() -> None:
    record = household(ClassFact("kid", "minor", JAN, None, 10))
    record.change(Month(2024, 3), {"income_per_capita": 500_00})
    # graduation base: February's regular amount with its top-up, 969.00 + 44.30 = 1013.30
    assert month_of(record, Month(2024, 3)) == 1013_30


def test_rounding_is_half_up_per_member() -> None:
    # 10% of 443.05 = 44.305 -> 44.31 per member; two minors 88.62
    assert top_up(44305, [("minor",), ("minor",)], PERCENTS, "max").amount == 88_62
    assert member_percent(("minor", "serious_illness"), PERCENTS, "sum") == 40
    assert top_up(44300, [], PERCENTS, "max").amount == 0
