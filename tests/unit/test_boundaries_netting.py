"""Boundaries of the payroll lines of one case (ledger/domain/payroll.py): pure, no database.

Netting a recovery against several positive lines, lines of exactly one fen, price-subsidy
corrections, and what every line says about itself (case, programme, kind, month, formula).

Setting (as in test_payroll_rules.py): an urban dibao household of 3 with per-capita income
120.00 and the standard 5316 yuan/year = 443.00 a month from January 2024. January, February
and March 2024 were paid 969.00 each; now the April 2024 batch is built. Every expected amount
is worked out by hand in fen in the test.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord
from ledger.domain.identity import generate_id_number
from ledger.domain.payroll import CaseLines, Line, OneOff, Reissue, case_lines, net_recoveries
from ledger.domain.policy import PolicyBook
from ledger.domain.standards import StandardBook, StandardEntry

CASE_ID = "6a1f0c1e-58a4-4c1b-9d3e-3c1f6f2b7a10"
CASE = UUID(CASE_ID)
JAN, FEB, MAR, APR = (Month(2024, m) for m in range(1, 5))
REGULAR = (443_00 - 120_00) * 3  # 323.00 × 3 = 96900 fen = 969.00, paid for Jan, Feb and Mar
PAID = {JAN: REGULAR, FEB: REGULAR, MAR: REGULAR}
RETURNED = UUID("11111111-2222-3333-4444-555555555555")
STANDARDS = StandardBook((StandardEntry("dibao", "urban", 5316_00, "year", date(2024, 1, 1),
                                        "文件", datetime(2023, 12, 20)),))


def household(size: int = 3, income: int = 120_00, programme: str = "dibao") -> CaseRecord:
    return CaseRecord(
        case_id=CASE_ID, programme=programme, name="测试",
        id_number=generate_id_number("431023", date(1970, 5, 17), 7),
        birth_date=date(1970, 5, 17), town="城关镇", village="东村", registered_poor=False,
        bank_name="农村信用社", bank_account="6217000000000000000", start_month=JAN,
        enrolment={"area": "urban", "household_size": size, "income_per_capita": income},
    )


def april(record: CaseRecord, net_paid: dict[Month, int] | None = None,
          reissues: tuple[Reissue, ...] = (), one_offs: tuple[OneOff, ...] = (),
          paid_months: tuple[Month, ...] = (JAN, FEB, MAR)) -> CaseLines:
    return case_lines(record, APR, paid_months, PAID if net_paid is None else net_paid,
                      STANDARDS, PolicyBook(), reissues, one_offs)


def summary(result: CaseLines) -> list[tuple[Any, ...]]:
    return [(ln.programme, ln.kind, ln.for_month, ln.amount, ln.transfer) for ln in result.lines]


def assert_every_line_is_of_the_case(result: CaseLines) -> None:
    assert result.lines
    assert all(ln.case_id == CASE for ln in result.lines)


# --- netting one recovery against two positive lines ---------------------------------------


def test_a_recovery_larger_than_the_regular_line_is_netted_on_into_the_reissue() -> None:
    # Income 400.00 from March (recorded late): March is now (443.00 − 400.00) × 3 = 129.00,
    # paid 969.00 → 840.00 owed. April regular 129.00; a returned January payment of 969.00
    # is reissued. Netting: 129.00 from the regular line (transfer 0), the remaining
    # 840.00 − 129.00 = 711.00 from the reissue: transfer 969.00 − 711.00 = 258.00.
    record = household()
    record.change(MAR, {"income_per_capita": 400_00})
    result = april(record, reissues=(Reissue(RETURNED, JAN, REGULAR),))
    assert summary(result) == [
        ("dibao", "regular", APR, 12900, 0),
        ("dibao", "reissue", JAN, 96900, 25800),
        ("dibao", "recovery", MAR, -84000, 0),
    ]
    assert result.receivable == 0
    # what reaches the bank: 969.00 + 129.00 − 840.00 = 258.00
    assert sum(ln.transfer for ln in result.lines) == 25800
    assert_every_line_is_of_the_case(result)


def test_a_recovery_larger_than_the_regular_line_is_netted_on_into_the_arrears() -> None:
    # February recorded late as a household of 6: (443.00 − 120.00) × 6 = 1938.00, paid 969.00
    # → arrears 969.00. March back to 3 people with income 400.00: 129.00, paid 969.00 →
    # 840.00 owed. April regular 129.00. Netting 840.00: 129.00 from the regular line,
    # 711.00 from the arrears: transfer 969.00 − 711.00 = 258.00.
    record = household()
    record.change(FEB, {"household_size": 6})
    record.change(MAR, {"household_size": 3, "income_per_capita": 400_00})
    result = april(record)
    assert summary(result) == [
        ("dibao", "regular", APR, 12900, 0),
        ("dibao", "arrears", FEB, 96900, 25800),
        ("dibao", "recovery", MAR, -84000, 0),
    ]
    assert result.receivable == 0
    assert_every_line_is_of_the_case(result)


def test_netting_goes_through_three_positive_lines_in_order_and_stops_when_done() -> None:
    # Lines 100.00, 200.00 and 300.00; 250.00 owed: the first is netted to 0, the second to
    # 200.00 − 150.00 = 50.00, the third untouched (300.00).
    positive = [Line(CASE, "dibao", kind, month, amount, amount, kind)
                for kind, month, amount in (("regular", APR, 100_00), ("arrears", FEB, 200_00),
                                            ("reissue", MAR, 300_00))]
    result = net_recoveries(CASE, positive, [(JAN, 250_00, "2024-01: why", "dibao")])
    assert summary(result) == [
        ("dibao", "regular", APR, 10000, 0),
        ("dibao", "recovery", JAN, -25000, 0),
        ("dibao", "arrears", FEB, 20000, 5000),
        ("dibao", "reissue", MAR, 30000, 30000),
    ]
    assert result.receivable == 0


def test_a_netted_line_keeps_its_identity_and_says_how_much_was_netted() -> None:
    positive = [Line(CASE, "tekun", "reissue", FEB, 300_00, 300_00, "reissue of x", (RETURNED,))]
    result = net_recoveries(CASE, positive, [(JAN, 120_00, "2024-01: why", "tekun")])
    reissue = next(ln for ln in result.lines if ln.kind == "reissue")
    # 300.00 − 120.00 = 180.00 sent; case, programme, month and the returned payment kept
    assert reissue == Line(CASE, "tekun", "reissue", FEB, 300_00, 180_00,
                           "reissue of x; less 120.00 recovery netted", (RETURNED,))
    recovery = next(ln for ln in result.lines if ln.kind == "recovery")
    assert recovery == Line(CASE, "tekun", "recovery", JAN, -120_00, 0,
                            "recovery of 120.00 owed for 2024-01: why; netted 120.00")


def test_an_untouched_line_keeps_its_formula() -> None:
    positive = [Line(CASE, "dibao", "regular", APR, 100_00, 100_00, "f")]
    assert net_recoveries(CASE, positive, []).lines == positive


def test_two_owed_months_are_netted_oldest_first_and_the_rest_is_a_receivable() -> None:
    # available 500.00; owed January 300.00 (taken in full) then February 400.00 (200.00 taken,
    # 200.00 carried forward)
    positive = [Line(CASE, "dibao", "regular", APR, 500_00, 500_00, "f")]
    owed = [(JAN, 300_00, "a", "dibao"), (FEB, 400_00, "b", "dibao")]
    result = net_recoveries(CASE, positive, owed)
    assert summary(result) == [
        ("dibao", "regular", APR, 50000, 0),
        ("dibao", "recovery", JAN, -30000, 0),
        ("dibao", "recovery", FEB, -20000, 0),
    ]
    assert result.receivable == 20000


# --- exactly one fen -------------------------------------------------------------------------


def test_an_entitlement_of_one_fen_is_paid() -> None:
    # household of one, income 442.99 against 443.00: (44300 − 44299) × 1 = 1 fen
    result = april(household(size=1, income=442_99), paid_months=())
    assert summary(result) == [("dibao", "regular", APR, 1, 1)]
    assert_every_line_is_of_the_case(result)


def test_arrears_of_one_fen_are_paid() -> None:
    # March entitled 969.00, only 968.99 paid: 1 fen arrears
    result = april(household(), net_paid={JAN: REGULAR, FEB: REGULAR, MAR: 968_99})
    assert summary(result) == [
        ("dibao", "regular", APR, 96900, 96900),
        ("dibao", "arrears", MAR, 1, 1),
    ]
    arrears = result.lines[1]
    assert arrears.case_id == CASE
    assert arrears.formula.startswith("2024-03: entitled now 969.00 (")
    assert arrears.formula.endswith(") − paid 968.99")


def test_a_recovery_of_one_fen_is_netted_and_not_lost() -> None:
    # March entitled 969.00 but 969.01 paid: 1 fen owed, netted from April's 969.00
    result = april(household(), net_paid={JAN: REGULAR, FEB: REGULAR, MAR: 969_01})
    assert summary(result) == [
        ("dibao", "regular", APR, 96900, 96899),
        ("dibao", "recovery", MAR, -1, 0),
    ]
    assert result.receivable == 0
    assert_every_line_is_of_the_case(result)


def test_a_recovery_of_one_fen_with_nothing_to_net_against_is_carried_as_a_receivable() -> None:
    # exited from April: nothing positive; March overpaid by 1 fen stays owed
    record = household()
    record.exit_month = APR
    result = april(record, net_paid={JAN: REGULAR, FEB: REGULAR, MAR: 969_01})
    assert result.lines == []
    assert result.receivable == 1


def test_a_one_fen_recovery_netted_against_a_one_fen_line_leaves_nothing() -> None:
    positive = [Line(CASE, "dibao", "regular", APR, 1, 1, "f")]
    result = net_recoveries(CASE, positive, [(MAR, 1, "m", "dibao")])
    assert summary(result) == [("dibao", "regular", APR, 1, 0), ("dibao", "recovery", MAR, -1, 0)]
    assert result.receivable == 0


# --- arrears, recovery and reissue lines say what they are -----------------------------------


def test_arrears_line_names_the_case_programme_kind_and_month() -> None:
    # standard 5316 → 5400 yuan/year from March: 540000 / 12 = 45000 fen; March now
    # (450.00 − 120.00) × 3 = 990.00, paid 969.00 → 21.00 arrears
    book = StandardBook((*STANDARDS.entries(),
                         StandardEntry("dibao", "urban", 5400_00, "year", date(2024, 3, 1), "文件2",
                                       datetime(2024, 4, 2))))
    result = case_lines(household(), APR, (JAN, FEB, MAR), PAID, book, PolicyBook())
    arrears = [ln for ln in result.lines if ln.kind == "arrears"]
    assert [(ln.case_id, ln.programme, ln.kind, ln.for_month, ln.amount, ln.transfer)
            for ln in arrears] == [(CASE, "dibao", "arrears", MAR, 21_00, 21_00)]
    assert arrears[0].formula.startswith("2024-03: entitled now 990.00 (")
    assert arrears[0].formula.endswith(") − paid 969.00")


def test_recovery_line_names_the_case_programme_kind_and_month() -> None:
    record = household(programme="dibao")
    record.change(MAR, {"income_per_capita": 400_00})
    result = april(record)
    recovery = [ln for ln in result.lines if ln.kind == "recovery"]
    # March: 969.00 paid − 129.00 now = 840.00 owed; April's 129.00 covers only 129.00 of it
    assert [(ln.case_id, ln.programme, ln.kind, ln.for_month, ln.amount, ln.transfer)
            for ln in recovery] == [(CASE, "dibao", "recovery", MAR, -129_00, 0)]
    assert recovery[0].formula.startswith("recovery of 840.00 owed for 2024-03: entitled now 129.00 (")
    assert recovery[0].formula.endswith(") − paid 969.00; netted 129.00")
    assert result.receivable == 840_00 - 129_00  # 711.00 carried forward


def test_reissue_line_names_the_case_programme_kind_month_and_returned_payment() -> None:
    result = april(household(), reissues=(Reissue(RETURNED, FEB, 969_00),))
    reissue = [ln for ln in result.lines if ln.kind == "reissue"]
    assert reissue == [Line(CASE, "dibao", "reissue", FEB, 969_00, 969_00,
                            "reissue of returned payment 11111111222233334444555555555555 (969.00)",
                            (RETURNED,))]


def test_two_returned_payments_of_one_month_are_reissued_as_one_line_naming_both() -> None:
    other = UUID("66666666-7777-8888-9999-000000000000")
    result = april(household(), reissues=(Reissue(other, FEB, 21_00), Reissue(RETURNED, FEB, 969_00)))
    reissue = [ln for ln in result.lines if ln.kind == "reissue"]
    # 969.00 + 21.00 = 990.00; ordered by payment id: 1111… before 6666…
    assert reissue == [Line(CASE, "dibao", "reissue", FEB, 990_00, 990_00,
                            "reissue of returned payment 11111111222233334444555555555555 (969.00)"
                            " + 66666666777788889999000000000000 (21.00)",
                            (RETURNED, other))]


def test_a_returned_price_subsidy_is_reissued_as_a_price_subsidy() -> None:
    result = april(household(), reissues=(Reissue(RETURNED, MAR, 26_00, "price_subsidy"),))
    reissue = [ln for ln in result.lines if ln.kind == "reissue"]
    assert [(ln.case_id, ln.programme, ln.for_month, ln.amount) for ln in reissue] == [
        (CASE, "price_subsidy", MAR, 26_00)]


# --- price-subsidy corrections (one-offs) -------------------------------------------------------


def subsidy_correction(entitled: int, paid: int) -> OneOff:
    return OneOff("price_subsidy", MAR, entitled, paid, "price linkage 2024-03")


def test_a_price_subsidy_correction_of_zero_adds_no_line() -> None:
    result = april(household(), one_offs=(subsidy_correction(78_00, 78_00),))
    assert summary(result) == [("dibao", "regular", APR, 96900, 96900)]
    assert result.receivable == 0


def test_a_price_subsidy_correction_of_one_fen_up_is_paid_as_price_subsidy_arrears() -> None:
    result = april(household(), one_offs=(subsidy_correction(78_01, 78_00),))
    assert summary(result) == [
        ("dibao", "regular", APR, 96900, 96900),
        ("price_subsidy", "arrears", MAR, 1, 1),
    ]
    assert result.lines[1] == Line(
        CASE, "price_subsidy", "arrears", MAR, 1, 1,
        "2024-03: price_subsidy now 78.01 (price linkage 2024-03) − paid 78.00")


def test_a_price_subsidy_correction_down_is_recovered_as_price_subsidy() -> None:
    # 78.00 paid, 52.00 due now (a household found smaller): 26.00 recovered from April's 969.00
    result = april(household(), one_offs=(subsidy_correction(52_00, 78_00),))
    assert summary(result) == [
        ("dibao", "regular", APR, 96900, 96900 - 2600),
        ("price_subsidy", "recovery", MAR, -2600, 0),
    ]
    assert result.lines[1].case_id == CASE
    assert result.lines[1].formula == (
        "recovery of 26.00 owed for 2024-03: price_subsidy now 52.00 (price linkage 2024-03)"
        " − paid 78.00; netted 26.00")
    assert result.receivable == 0


def test_a_price_subsidy_correction_of_one_fen_down_is_recovered() -> None:
    result = april(household(), one_offs=(subsidy_correction(77_99, 78_00),))
    assert summary(result) == [
        ("dibao", "regular", APR, 96900, 96899),
        ("price_subsidy", "recovery", MAR, -1, 0),
    ]


def test_recoveries_of_one_month_are_netted_dibao_before_price_subsidy() -> None:
    # March: dibao owed 840.00 (income 400.00 from March) and price subsidy owed 26.00.
    # April's 129.00 is netted first against March's dibao (programme order: "dibao" <
    # "price_subsidy"), so the price subsidy recovery gets nothing and is carried forward.
    record = household()
    record.change(MAR, {"income_per_capita": 400_00})
    result = april(record, one_offs=(subsidy_correction(52_00, 78_00),))
    assert summary(result) == [
        ("dibao", "regular", APR, 12900, 0),
        ("dibao", "recovery", MAR, -12900, 0),
    ]
    assert result.receivable == (840_00 - 129_00) + 26_00  # 711.00 + 26.00 = 737.00
