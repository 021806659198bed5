"""The payroll lines of one case: regular, arrears, recoveries netted, reissues. Pure, no database.

Setting: an urban dibao household of 3 with per-capita income 120.00, the
standard 5316 yuan/year (443.00 a month) from January 2024. January, February
and March 2024 were paid (969.00 each); now the April 2024 batch is built.
Expected amounts are worked out by hand in fen.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord
from ledger.domain.identity import generate_id_number
from ledger.domain.payroll import CaseLines, Line, Reissue, case_lines
from ledger.domain.policy import PolicyBook
from ledger.domain.standards import StandardBook, StandardEntry

CASE_ID = "6a1f0c1e-58a4-4c1b-9d3e-3c1f6f2b7a10"
JAN, FEB, MAR, APR, MAY = (Month(2024, m) for m in range(1, 6))

REGULAR = (443_00 - 120_00) * 3  # 96900 fen = 969.00 yuan, paid for Jan, Feb and Mar
PAID_MONTHS = [JAN, FEB, MAR]
NET_PAID = {JAN: REGULAR, FEB: REGULAR, MAR: REGULAR}


def entry(amount_fen: int, effective: date, recorded_at: datetime) -> StandardEntry:
    return StandardEntry("dibao", "urban", amount_fen, "year", effective, "文件", recorded_at)


BASE_STANDARD = entry(5316_00, date(2024, 1, 1), datetime(2023, 12, 20))


def standards(*later: StandardEntry) -> StandardBook:
    return StandardBook((BASE_STANDARD, *later))


def household(start: Month = JAN, **changes_from_feb: Any) -> CaseRecord:
    record = CaseRecord(
        case_id=CASE_ID,
        programme="dibao",
        name="测试",
        id_number=generate_id_number("431023", date(1970, 5, 17), 7),
        birth_date=date(1970, 5, 17),
        town="城关镇",
        village="东村",
        registered_poor=False,
        bank_name="农村信用社",
        bank_account="6217000000000000000",
        start_month=start,
        enrolment={"area": "urban", "household_size": 3, "income_per_capita": 120_00},
    )
    if changes_from_feb:
        record.change(FEB, changes_from_feb)
    return record


def april(record: CaseRecord, book: StandardBook | None = None,
          reissues: tuple[Reissue, ...] = (), paid_months: list[Month] | None = None,
          net_paid: dict[Month, int] | None = None) -> CaseLines:
    return case_lines(record, APR, PAID_MONTHS if paid_months is None else paid_months,
                      NET_PAID if net_paid is None else net_paid,
                      book or standards(), PolicyBook(), reissues)


def by_kind(result: CaseLines, kind: str) -> dict[Month, Line]:
    found = {line.for_month: line for line in result.lines if line.kind == kind}
    assert len(found) == sum(1 for line in result.lines if line.kind == kind)
    return found


def assert_no_negative_transfer_and_balanced(result: CaseLines) -> None:
    assert all(line.transfer >= 0 for line in result.lines)
    assert sum(line.amount for line in result.lines) == sum(line.transfer for line in result.lines)


# --- nothing changed ------------------------------------------------------------


def test_an_unchanged_case_gets_only_its_regular_line() -> None:
    result = april(household())
    assert [(ln.kind, ln.for_month, ln.amount, ln.transfer) for ln in result.lines] == [
        ("regular", APR, REGULAR, REGULAR)
    ]
    assert result.receivable == 0
    assert result.lines[0].case_id == UUID(CASE_ID)
    assert result.lines[0].programme == "dibao"


# --- (a) retroactive standard increase -----------------------------------------

# 5500 yuan/year from February, recorded in April: 550000 / 12 = 45833.33 -> 45833 fen a month.
NEW_MONTHLY = 45833
NEW_REGULAR = (NEW_MONTHLY - 120_00) * 3  # 101499
STANDARD_ARREARS = NEW_REGULAR - REGULAR  # 101499 - 96900 = 4599 per month


def test_retroactive_standard_increase_pays_arrears_for_each_paid_month_since_it_took_effect() -> None:
    raised = entry(5500_00, date(2024, 2, 1), datetime(2024, 4, 2))
    result = april(household(), standards(raised))
    arrears = by_kind(result, "arrears")
    assert set(arrears) == {FEB, MAR}  # nothing for January: the old standard still held
    for month in (FEB, MAR):
        assert arrears[month].amount == 4599
        assert arrears[month].amount == STANDARD_ARREARS
        assert arrears[month].transfer == 4599
    assert result.receivable == 0
    assert by_kind(result, "recovery") == {}


def test_retroactive_standard_increase_pays_april_at_the_new_standard() -> None:
    raised = entry(5500_00, date(2024, 2, 1), datetime(2024, 4, 2))
    result = april(household(), standards(raised))
    regular = by_kind(result, "regular")
    assert set(regular) == {APR}
    assert regular[APR].amount == 101499
    assert regular[APR].transfer == 101499
    assert sum(ln.transfer for ln in result.lines) == 101499 + 4599 * 2


def test_retroactive_standard_effective_mid_february_covers_all_of_february() -> None:
    raised = entry(5500_00, date(2024, 2, 15), datetime(2024, 4, 2))
    arrears = by_kind(april(household(), standards(raised)), "arrears")
    assert {m: ln.amount for m, ln in arrears.items()} == {FEB: 4599, MAR: 4599}


def test_regular_line_comes_first_then_arrears_oldest_month_first() -> None:
    raised = entry(5500_00, date(2024, 2, 1), datetime(2024, 4, 2))
    result = april(household(), standards(raised))
    assert [(ln.kind, ln.for_month) for ln in result.lines] == [
        ("regular", APR), ("arrears", FEB), ("arrears", MAR)
    ]


# --- (b) retroactive income increase -------------------------------------------


def test_retroactive_income_increase_is_recovered_from_april_when_april_covers_it() -> None:
    # income 150.00 from February: (443.00 - 150.00) × 3 = 879.00 a month
    new_regular = (443_00 - 150_00) * 3  # 87900
    owed = REGULAR - new_regular  # 96900 - 87900 = 9000 per month
    result = april(household(income_per_capita=150_00))

    recoveries = by_kind(result, "recovery")
    assert {m: ln.amount for m, ln in recoveries.items()} == {FEB: -9000, MAR: -9000}
    assert all(ln.transfer == 0 for ln in recoveries.values())

    regular = by_kind(result, "regular")[APR]
    assert regular.amount == 87900
    assert regular.transfer == 87900 - 2 * owed  # 69900
    assert result.receivable == 0
    assert by_kind(result, "arrears") == {}
    assert_no_negative_transfer_and_balanced(result)
    assert sum(ln.transfer for ln in result.lines) == 69900


def test_recovery_exceeding_april_nets_april_to_zero_and_carries_the_rest_as_receivable() -> None:
    # income 300.00 from February: (443.00 - 300.00) × 3 = 429.00 a month
    new_regular = (443_00 - 300_00) * 3  # 42900
    owed_per_month = REGULAR - new_regular  # 54000
    owed = owed_per_month * 2  # 108000 owed for Feb and Mar, more than April's 42900
    result = april(household(income_per_capita=300_00))

    regular = by_kind(result, "regular")[APR]
    assert regular.amount == 42900
    assert regular.transfer == 0

    recoveries = by_kind(result, "recovery")
    # oldest month first: February's 54000 owed takes all 42900 April has; nothing left for March
    assert {m: ln.amount for m, ln in recoveries.items()} == {FEB: -42900}
    assert all(ln.amount < 0 and ln.transfer == 0 for ln in recoveries.values())

    assert result.receivable == owed - 42900  # 65100
    assert result.receivable == (54000 - 42900) + 54000
    assert_no_negative_transfer_and_balanced(result)
    assert sum(ln.amount for ln in result.lines) == 0


def test_receivable_carried_forward_is_found_again_by_the_next_payroll() -> None:
    # April (approved) held: regular 42900 for April, recovery -42900 for February.
    record = household(income_per_capita=300_00)
    net_paid = {JAN: REGULAR, FEB: REGULAR - 42900, MAR: REGULAR, APR: 42900}
    result = case_lines(record, MAY, [JAN, FEB, MAR, APR], net_paid, standards(), PolicyBook())
    # owed now: Feb 54000 - 42900 = 11100; Mar 96900 - 42900 = 54000; total 65100 = April's receivable
    recoveries = by_kind(result, "recovery")
    # May pays 42900: Feb's 11100 first, then 42900 - 11100 = 31800 of March's 54000
    assert {m: ln.amount for m, ln in recoveries.items()} == {FEB: -11100, MAR: -31800}
    assert by_kind(result, "regular")[MAY].transfer == 0
    assert result.receivable == 54000 - 31800  # 22200 = 65100 - 42900
    assert_no_negative_transfer_and_balanced(result)


# --- (c) exit recorded after the months were paid --------------------------------


def test_exit_effective_february_recovers_february_and_march_in_full_as_receivable() -> None:
    record = household()
    record.exit_month = FEB
    record.exit_reason = "moved away"
    result = april(record)
    # April pays nothing, so nothing can be netted: no line at all, no negative transfer
    assert result.lines == []
    assert result.receivable == REGULAR * 2  # 96900 for Feb + 96900 for Mar = 193800
    assert result.receivable == 193800


def test_exit_effective_april_pays_nothing_for_april_and_leaves_earlier_months_alone() -> None:
    record = household()
    record.exit_month = APR
    result = april(record)
    assert result.lines == []
    assert result.receivable == 0


def test_exit_recovery_is_netted_against_a_pending_reissue() -> None:
    # exit from March; a returned February payment is reissued in April
    record = household()
    record.exit_month = MAR
    pid = UUID("11111111-2222-3333-4444-555555555555")
    result = april(record, reissues=(Reissue(pid, FEB, REGULAR),))
    # March owed 96900 in full; the only positive line is the 96900 reissue
    assert {m: ln.amount for m, ln in by_kind(result, "recovery").items()} == {MAR: -96900}
    assert by_kind(result, "reissue")[FEB].transfer == 96900 - 96900
    assert result.receivable == 0
    assert_no_negative_transfer_and_balanced(result)


# --- (d) reissues ------------------------------------------------------------------


def test_reissue_of_a_returned_payment_passes_through_with_transfer_equal_to_amount() -> None:
    pid = UUID("11111111-2222-3333-4444-555555555555")
    result = april(household(), reissues=(Reissue(pid, FEB, REGULAR),))
    reissue = by_kind(result, "reissue")[FEB]
    assert reissue.amount == 96900
    assert reissue.transfer == 96900
    assert reissue.reissue_of == (pid,)
    # the returned February payment counts as paid: no arrears for it
    assert by_kind(result, "arrears") == {}
    regular = by_kind(result, "regular")[APR]
    assert (regular.amount, regular.transfer) == (96900, 96900)
    assert sum(ln.transfer for ln in result.lines) == 96900 * 2


def test_several_reissues_come_after_the_regular_line_oldest_first() -> None:
    p1 = UUID("11111111-2222-3333-4444-555555555555")
    p2 = UUID("66666666-7777-8888-9999-000000000000")
    result = april(household(), reissues=(Reissue(p2, MAR, 50_00), Reissue(p1, JAN, 30_00)))
    assert [(ln.kind, ln.for_month, ln.amount, ln.transfer) for ln in result.lines] == [
        ("regular", APR, 96900, 96900),
        ("reissue", JAN, 3000, 3000),
        ("reissue", MAR, 5000, 5000),
    ]


def test_reissue_is_paid_even_after_the_case_exited() -> None:
    record = household()
    record.exit_month = APR
    pid = UUID("11111111-2222-3333-4444-555555555555")
    result = april(record, reissues=(Reissue(pid, MAR, REGULAR),))
    assert [(ln.kind, ln.for_month, ln.amount, ln.transfer) for ln in result.lines] == [
        ("reissue", MAR, 96900, 96900)
    ]


# --- (e) start month -----------------------------------------------------------------


def test_months_before_the_case_start_are_never_arrears() -> None:
    # The case starts in March; a standard raised from January is recorded in April.
    raised = entry(5500_00, date(2024, 1, 1), datetime(2024, 4, 2))
    record = household(start=MAR)
    result = april(record, standards(raised), net_paid={MAR: REGULAR})
    arrears = by_kind(result, "arrears")
    assert set(arrears) == {MAR}
    assert arrears[MAR].amount == 101499 - 96900  # 4599
    assert by_kind(result, "regular")[APR].amount == 101499
    assert result.receivable == 0


def test_a_case_backdated_to_february_gets_arrears_for_the_paid_months_it_missed() -> None:
    # Enrolled in April with start month February: nothing was paid to it yet.
    record = household(start=FEB)
    result = april(record, net_paid={})
    arrears = by_kind(result, "arrears")
    assert {m: ln.amount for m, ln in arrears.items()} == {FEB: 96900, MAR: 96900}
    assert JAN not in arrears


def test_only_months_before_the_batch_month_are_reconsidered() -> None:
    raised = entry(5500_00, date(2024, 2, 1), datetime(2024, 4, 2))
    result = april(household(), standards(raised), paid_months=[JAN, FEB, MAR, APR, MAY],
                   net_paid={**NET_PAID, APR: REGULAR, MAY: REGULAR})
    assert set(by_kind(result, "arrears")) == {FEB, MAR}


def test_a_month_without_an_approved_batch_is_not_reconsidered() -> None:
    raised = entry(5500_00, date(2024, 2, 1), datetime(2024, 4, 2))
    result = april(household(), standards(raised), paid_months=[JAN, FEB])
    assert set(by_kind(result, "arrears")) == {FEB}
