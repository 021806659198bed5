"""The graduation exit (低保渐退) derived from the facts: order never matters.

Pure tests of ``ledger.domain.programmes.CaseEntitlement`` over hand-made case records; every
expected amount is worked out by hand in the comments.
"""

from __future__ import annotations

import random
from datetime import date, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord
from ledger.domain.identity import generate_id_number
from ledger.domain.policy import PolicyBook, PolicyEntry
from ledger.domain.programmes import CaseEntitlement
from ledger.domain.standards import StandardBook, StandardEntry

SET_AT = datetime(2023, 1, 1, 9, 0)


def standard(amount: int, month: Month, area: str = "rural",
             recorded_at: datetime = SET_AT) -> StandardEntry:
    return StandardEntry("dibao", area, amount, "month", month.first_day, "县民政发〔2023〕1号",
                         recorded_at)


def household(income: int, size: int, start: Month, area: str = "rural") -> CaseRecord:
    birth = date(1970, 5, 17)
    return CaseRecord(
        case_id="6a1f0c1e-58a4-4c1b-9d3e-3c1f6f2b7a10", programme="dibao", name="测试",
        id_number=generate_id_number("431023", birth, 7), birth_date=birth, town="城关镇",
        village="东村", registered_poor=False, bank_name="农村信用社",
        bank_account="6217000000000000000", start_month=start,
        enrolment={"area": area, "household_size": size, "income_per_capita": income,
                   "disability_grade": None, "care_level": None},
    )


def months_policy(months: int) -> PolicyBook:
    return PolicyBook([PolicyEntry("graduation.months", str(months), date(2023, 1, 1), SET_AT)])


def amounts(record: CaseRecord, standards: StandardBook, policy: PolicyBook,
            months: list[Month]) -> list[tuple[int, str]]:
    entitled = CaseEntitlement(record, standards, policy)
    return [(e.amount, e.kind) for e in map(entitled.for_month, months)]


M = Month


def test_the_graduation_base_follows_a_standard_recorded_after_the_reassessment() -> None:
    # Rural 300.00 from 2023-05; one person with income 140.90: 159.10 a month.
    # Income 512.96 from 2023-08 starts graduation; a standard of 308.00 from 2023-06,
    # recorded afterwards, makes June and July 308.00 − 140.90 = 167.10, so July — the
    # month before graduation — is 167.10 and August's graduation pays 167.10.
    record = household(140_90, 1, M(2023, 5))
    record.change(M(2023, 8), {"income_per_capita": 512_96})
    standards = StandardBook([standard(300_00, M(2023, 5)),
                              standard(308_00, M(2023, 6), recorded_at=datetime(2023, 8, 20))])
    got = amounts(record, standards, PolicyBook(), [M(2023, m) for m in (5, 6, 7, 8)])
    assert got == [(159_10, "regular"), (167_10, "regular"), (167_10, "regular"),
                   (167_10, "graduation")]


def test_a_standard_cut_before_graduation_lowers_its_base() -> None:
    # 300.00 from 2023-05, cut to 250.00 from 2023-07: July pays 250.00 − 140.90 = 109.10,
    # so graduation from August pays 109.10, not the old 159.10.
    record = household(140_90, 1, M(2023, 5))
    record.change(M(2023, 8), {"income_per_capita": 512_96})
    standards = StandardBook([standard(300_00, M(2023, 5)), standard(250_00, M(2023, 7))])
    assert amounts(record, standards, PolicyBook(), [M(2023, 8)]) == [(109_10, "graduation")]


def test_a_low_income_recorded_before_the_reassessment_that_started_graduation_cancels_it() -> None:
    # Rural 300.00; two people with income 100.00: (300 − 100) × 2 = 400.00 Jan–Mar.
    # Income 150.00 from April is recorded first, then income 500.00 from March: March is
    # a graduation month (base February's 400.00); April's 150.00 < 300.00 cancels it:
    # (300 − 150) × 2 = 300.00, and the household is not graduated later either.
    record = household(100_00, 2, M(2023, 1))
    record.change(M(2023, 4), {"income_per_capita": 150_00})
    record.change(M(2023, 3), {"income_per_capita": 500_00})
    standards = StandardBook([standard(300_00, M(2023, 1))])
    got = amounts(record, standards, PolicyBook(), [M(2023, m) for m in (2, 3, 4, 9, 10)])
    assert got == [(400_00, "regular"), (400_00, "graduation"), (300_00, "regular"),
                   (300_00, "regular"), (300_00, "regular")]
    assert CaseEntitlement(record, standards, PolicyBook()).status(M(2023, 10)) == "in_payment"


def test_income_exactly_at_the_standard_starts_graduation() -> None:
    # 300.00 − 100.00 = 200.00 for one person; income 300.00 from March equals the standard.
    record = household(100_00, 1, M(2023, 1))
    record.change(M(2023, 3), {"income_per_capita": 300_00})
    standards = StandardBook([standard(300_00, M(2023, 1))])
    assert amounts(record, standards, PolicyBook(), [M(2023, 3)]) == [(200_00, "graduation")]


def test_income_one_fen_below_the_standard_is_paid_one_fen_per_person() -> None:
    # 300.00 − 299.99 = 0.01 × 3 people = 0.03, and no graduation.
    record = household(100_00, 3, M(2023, 1))
    record.change(M(2023, 3), {"income_per_capita": 299_99})
    standards = StandardBook([standard(300_00, M(2023, 1))])
    assert amounts(record, standards, PolicyBook(), [M(2023, 3)]) == [(3, "regular")]


def test_income_falling_in_exactly_the_end_month_is_too_late_to_cancel() -> None:
    # Graduation of 3 months from March: March, April, May paid 200.00; June is the end
    # month: the household has exited by itself, and income 100.00 from June changes nothing.
    record = household(100_00, 1, M(2023, 1))
    record.change(M(2023, 3), {"income_per_capita": 400_00})
    record.change(M(2023, 6), {"income_per_capita": 100_00})
    standards = StandardBook([standard(300_00, M(2023, 1))])
    got = amounts(record, standards, months_policy(3), [M(2023, m) for m in (5, 6, 7)])
    assert got == [(200_00, "graduation"), (0, "regular"), (0, "regular")]
    assert CaseEntitlement(record, standards, months_policy(3)).status(M(2023, 6)) == "graduated"


def test_income_falling_in_the_last_graduation_month_cancels_it_from_that_month() -> None:
    # 3 months from March: May is the last one; income 100.00 from May: (300 − 100) = 200.00
    # as a regular amount in May and after.
    record = household(100_00, 1, M(2023, 1))
    record.change(M(2023, 3), {"income_per_capita": 400_00})
    record.change(M(2023, 5), {"income_per_capita": 100_00})
    standards = StandardBook([standard(300_00, M(2023, 1))])
    got = amounts(record, standards, months_policy(3), [M(2023, m) for m in (4, 5, 6, 9)])
    assert got == [(200_00, "graduation"), (200_00, "regular"), (200_00, "regular"),
                   (200_00, "regular")]


def test_a_standard_raised_above_income_during_graduation_cancels_it() -> None:
    # Income 320.00 from March ≥ 300.00: graduation (base February 200.00). A standard of
    # 350.00 from May puts income below it: from May (350 − 320) × 1 = 30.00 regular.
    record = household(100_00, 1, M(2023, 1))
    record.change(M(2023, 3), {"income_per_capita": 320_00})
    standards = StandardBook([standard(300_00, M(2023, 1)), standard(350_00, M(2023, 5))])
    got = amounts(record, standards, PolicyBook(), [M(2023, m) for m in (4, 5)])
    assert got == [(200_00, "graduation"), (30_00, "regular")]


def test_a_reassessment_in_the_first_month_corrects_the_enrolment_without_graduation() -> None:
    record = household(100_00, 1, M(2023, 1))
    record.change(M(2023, 1), {"income_per_capita": 400_00})
    standards = StandardBook([standard(300_00, M(2023, 1))])
    assert amounts(record, standards, PolicyBook(), [M(2023, 1), M(2023, 2)]) == [
        (0, "regular"), (0, "regular")]


def test_a_new_graduation_after_a_cancelled_one_takes_the_regular_amount_before_it() -> None:
    # March graduation (base 200.00) cancelled from May by income 250.00 (50.00 a month);
    # income 310.00 from August starts a new graduation on July's 50.00.
    record = household(100_00, 1, M(2023, 1))
    record.change(M(2023, 3), {"income_per_capita": 320_00})
    record.change(M(2023, 5), {"income_per_capita": 250_00})
    record.change(M(2023, 8), {"income_per_capita": 310_00})
    standards = StandardBook([standard(300_00, M(2023, 1))])
    got = amounts(record, standards, PolicyBook(), [M(2023, m) for m in (3, 5, 7, 8)] + [M(2024, 1), M(2024, 2)])
    assert got == [(200_00, "graduation"), (50_00, "regular"), (50_00, "regular"),
                   (50_00, "graduation"), (50_00, "graduation"), (0, "regular")]


def test_a_reassessment_during_graduation_does_not_restart_it() -> None:
    # 3 months from March; income 450.00 from April keeps graduating; ends in June.
    record = household(100_00, 1, M(2023, 1))
    record.change(M(2023, 3), {"income_per_capita": 400_00})
    record.change(M(2023, 4), {"income_per_capita": 450_00})
    standards = StandardBook([standard(300_00, M(2023, 1))])
    got = amounts(record, standards, months_policy(3), [M(2023, m) for m in (4, 5, 6)])
    assert got == [(200_00, "graduation"), (200_00, "graduation"), (0, "regular")]


# --- order independence -------------------------------------------------------------------
FACT = st.tuples(
    st.integers(min_value=1, max_value=14),  # effective month index into 2023-01..2024-02
    st.sampled_from(["income_per_capita", "household_size"]),
    st.integers(min_value=0, max_value=60),
)


def _value(key: str, n: int) -> int:
    return 1 + n % 4 if key == "household_size" else n * 10_00  # 0.00 .. 600.00 yuan


@settings(max_examples=300, deadline=None)
@given(facts=st.lists(FACT, max_size=8), seed=st.integers(0, 10**6),
       cut=st.integers(min_value=1, max_value=14))
def test_the_same_facts_in_any_order_give_the_same_money(
        facts: list[tuple[int, str, int]], seed: int, cut: int) -> None:
    # Facts of different effective months (the latest recorded wins within a month, which
    # the spec defines by recording order, so keep one fact per (month, key)).
    unique: dict[tuple[int, str], int] = {}
    for month, key, n in facts:
        unique[(month, key)] = n
    items: list[tuple[int, str, Any]] = [(m, k, _value(k, n)) for (m, k), n in unique.items()]
    standards = StandardBook([standard(300_00, M(2023, 1)),
                              standard(250_00 + cut * 10_00, M(2023, 1) + cut)])
    policy = months_policy(1 + seed % 6)
    shuffled = items[:]
    random.Random(seed).shuffle(shuffled)
    one, two = household(100_00, 2, M(2023, 1)), household(100_00, 2, M(2023, 1))
    for m, k, v in items:
        one.change(M(2023, 1) + (m - 1), {k: v})
    for m, k, v in shuffled:
        two.change(M(2023, 1) + (m - 1), {k: v})
    months = [M(2023, 1) + i for i in range(20)]
    assert amounts(one, standards, policy, months) == amounts(two, standards, policy, months)


# --- what the payment says, and the edges of the derivation --------------------------------
def test_a_graduation_line_explains_its_month_base_and_taper() -> None:
    # base: February (300.00 − 100.00) × 1 = 200.00; taper 100, 80: April is month 2 of 6
    record = household(100_00, 1, M(2023, 1))
    record.change(M(2023, 3), {"income_per_capita": 400_00})
    taper = PolicyBook([PolicyEntry("graduation.taper", "100,80", date(2023, 1, 1), SET_AT)])
    due = CaseEntitlement(record, StandardBook([standard(300_00, M(2023, 1))]), taper)
    april = due.for_month(M(2023, 4))
    assert (april.amount, april.formula) == (160_00, "graduation month 2/6: 200.00 × 80% = 160.00")
    assert due.for_month(M(2023, 9)).formula == "graduated: graduation from 2023-03 ended 2023-09"


def test_a_regular_line_names_its_formula_and_the_standard_with_its_reference() -> None:
    record = household(100_00, 3, M(2023, 1))
    due = CaseEntitlement(record, StandardBook([standard(300_00, M(2023, 1))]), PolicyBook())
    january = due.for_month(M(2023, 1))
    assert january.formula == "(300.00 − 100.00) × 3 = 600.00"
    assert january.standards == (
        "dibao/rural 300.00元/月 (monthly 300.00) from 2023-01-01 [县民政发〔2023〕1号]",)


def test_a_floor_share_is_named_in_the_formula() -> None:
    # floor 0.5 × 300.00 = 150.00 a person > 300.00 − 200.00 = 100.00: 150.00 × 2 = 300.00
    record = household(200_00, 2, M(2023, 1))
    floor = PolicyBook([PolicyEntry("dibao.floor_share", "0.5", date(2023, 1, 1), SET_AT)])
    due = CaseEntitlement(record, StandardBook([standard(300_00, M(2023, 1))]), floor)
    assert due.for_month(M(2023, 1)).formula == (
        "(300.00 − 200.00) × 2, floor 0.5 × standard per person = 300.00")


def test_no_standard_recorded_pays_nothing_and_says_so() -> None:
    record = household(100_00, 1, M(2023, 1))
    record.change(M(2023, 3), {"income_per_capita": 400_00})  # no standard to compare with
    due = CaseEntitlement(record, StandardBook([standard(300_00, M(2023, 6))]), PolicyBook())
    march = due.for_month(M(2023, 3))
    assert (march.amount, march.kind) == (0, "regular")
    assert march.formula == "no dibao standard for rural in 2023-03"
    assert due.graduations == ()


def test_an_unknown_household_size_pays_nothing() -> None:
    record = household(100_00, 1, M(2023, 1))
    record.enrolment["household_size"] = None
    due = CaseEntitlement(record, StandardBook([standard(300_00, M(2023, 1))]), PolicyBook())
    assert due.for_month(M(2023, 1)).amount == 0


def test_a_change_recorded_for_after_the_exit_starts_no_graduation() -> None:
    # Exit from March; a reassessment effective April (recorded before the exit) is moot.
    record = household(100_00, 1, M(2023, 1))
    record.change(M(2023, 4), {"income_per_capita": 400_00})
    record.exit_month = M(2023, 3)
    due = CaseEntitlement(record, StandardBook([standard(300_00, M(2023, 1))]), PolicyBook())
    assert due.graduations == ()
    assert [due.for_month(M(2023, m)).amount for m in (2, 3, 4)] == [200_00, 0, 0]


def test_a_reassessment_within_a_cancelled_graduation_does_not_hide_a_later_one() -> None:
    # March graduation (base 200.00); a reassessment in April keeps it (450.00); a standard of
    # 500.00 from May cancels it (income 450.00 < 500.00: 50.00 regular); income 520.00 from
    # August starts a new graduation on July's 50.00.
    record = household(100_00, 1, M(2023, 1))
    record.change(M(2023, 3), {"income_per_capita": 400_00})
    record.change(M(2023, 4), {"income_per_capita": 450_00})
    record.change(M(2023, 8), {"income_per_capita": 520_00})
    standards = StandardBook([standard(300_00, M(2023, 1)), standard(500_00, M(2023, 5))])
    got = amounts(record, standards, PolicyBook(), [M(2023, m) for m in (4, 5, 7, 8)])
    assert got == [(200_00, "graduation"), (50_00, "regular"), (50_00, "regular"),
                   (50_00, "graduation")]


def test_a_change_records_its_recording_order_and_the_latest_of_a_month_wins() -> None:
    record = household(100_00, 1, M(2023, 1))
    record.change(M(2023, 3), {"income_per_capita": 150_00})
    record.change(M(2023, 2), {"income_per_capita": 120_00})
    record.change(M(2023, 3), {"income_per_capita": 180_00})
    assert [seq for _, seq, _ in record.changes] == [1, 2, 3]
    assert record.seq == 3
    assert record.facts_for(M(2023, 3)).income_per_capita == 180_00
    assert record.facts_for(M(2023, 2)).income_per_capita == 120_00


def test_a_case_record_survives_its_json_unchanged() -> None:
    from decimal import Decimal

    from ledger.domain.case_record import Graduation

    record = household(100_00, 2, M(2023, 1))
    record.change(M(2023, 3), {"income_per_capita": 400_00})
    record.graduations.append(Graduation(M(2023, 3), 200_00, 6, (Decimal("100"),)))
    record.cancel_graduation(M(2023, 5))  # a legacy GraduationCancelled
    record.exit_month, record.exit_reason = M(2023, 9), "死亡"
    record.bands.append("2023-04 note")
    again = CaseRecord.from_json(record.to_json())
    assert again == record
    assert again.graduations == [Graduation(M(2023, 3), 200_00, 6, (Decimal("100"),), M(2023, 5))]
    assert record.to_json().startswith('{"case_id":"6a1f0c1e-58a4-4c1b-9d3e-3c1f6f2b7a10",')


def test_a_record_without_exit_or_cancellation_survives_its_json_and_keeps_chinese_text() -> None:
    from decimal import Decimal

    from ledger.domain.case_record import Graduation

    record = household(100_00, 2, M(2023, 1))
    record.graduations.append(Graduation(M(2023, 3), 200_00, 6, (Decimal("100"),)))
    text = record.to_json()
    assert '"name":"测试"' in text  # stored as text, not \\u escapes
    again = CaseRecord.from_json(text)
    assert again == record
    assert again.exit_month is None and again.graduations[0].cancelled_from is None


def test_a_legacy_cancellation_marks_the_graduation_in_force_at_its_month() -> None:
    from decimal import Decimal

    from ledger.domain.case_record import Graduation

    taper = (Decimal("100"),)
    first, second = Graduation(M(2023, 3), 1, 2, taper), Graduation(M(2023, 8), 2, 2, taper)
    record = household(100_00, 1, M(2023, 1))
    record.graduations[:] = [first, second]
    record.cancel_graduation(M(2023, 4))  # in force in April: the first
    assert [g.cancelled_from for g in record.graduations] == [M(2023, 4), None]
    record.cancel_graduation(M(2023, 8))  # its very start month: the second
    assert [g.cancelled_from for g in record.graduations] == [M(2023, 4), M(2023, 8)]


def test_a_case_status_names_where_it_stands_in_each_month() -> None:
    # Enrolled from February; graduation of 2 months from April (income 400.00 ≥ 300.00);
    # the household has exited by itself from June.
    record = household(100_00, 1, M(2023, 2))
    record.change(M(2023, 4), {"income_per_capita": 400_00})
    due = CaseEntitlement(record, StandardBook([standard(300_00, M(2023, 1))]), months_policy(2))
    assert [due.status(M(2023, m)) for m in (1, 2, 3, 4, 5, 6, 7)] == [
        "pending", "in_payment", "in_payment", "graduating", "graduating", "graduated",
        "graduated"]
    record.exit_month = M(2023, 5)  # an explicit exit in the graduation's second month
    assert [due.status(M(2023, m)) for m in (4, 5, 6)] == ["graduating", "exited", "exited"]
