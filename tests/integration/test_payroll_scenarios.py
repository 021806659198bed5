"""Payroll scenarios month by month, on both backends, with the money worked out by hand.

The county of ``tests/county.py``: rural dibao 5316 yuan/year = 443.00 a month.
A default dibao household there has 3 people and 120.00 per-capita income, so it
is paid (443.00 − 120.00) × 3 = 969.00 a month.

Each month is run by ``clerk`` and approved by ``checker`` unless a test says
otherwise; a fact recorded "in April" is recorded after March was approved and
before April is run.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import select

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.domain.errors import BatchStateError, MakerCheckerError, ReliefError
from ledger.services.batches import approve_batch, batch_lines, batch_row
from ledger.services.case_changes import exit_case, update_case
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.price_subsidy_run import run_price_linkage
from ledger.services.runtime import Runtime
from ledger.services.temporary_relief import approve_relief, grant_relief
from projections import schema
from projections.payment_lines import LINES
from tests import county


# --- helpers ---------------------------------------------------------------------------------
def enrol(rt: Runtime, tmp_path: Path, *rows: dict) -> list[UUID]:
    """Import the rows; returns their case ids in row order."""
    county.set_standards(rt.app)
    result = import_roster(rt, county.write(tmp_path / "roster.csv", list(rows)), county.TODAY,
                           "clerk")
    assert not result.problems and result.enrolled == len(rows)
    return [ids.case_id(r["id_number"], r["programme"]) for r in rows]


def run(rt: Runtime, month: str, by: str = "clerk") -> UUID:
    return run_payroll(rt, Month.parse(month), by).id


def pay(rt: Runtime, *months: str) -> None:
    """Run and approve each month in turn (maker clerk, checker checker)."""
    for month in months:
        approve_batch(rt, run(rt, month), "checker")


def lines(rt: Runtime, batch_id: UUID, case_id: UUID | None = None) -> list[tuple]:
    """(kind, for_month, amount, transfer) of the batch's live lines, optionally for one case."""
    return sorted(
        (ln["kind"], ln["for_month"], ln["amount"], ln["transfer"])
        for ln in batch_lines(rt, batch_id)
        if case_id is None or ln["case_id"] == case_id.hex
    )


def total(rt: Runtime, batch_id: UUID) -> tuple[int, int]:
    """(payments, total in fen) as the batch records them, checked against its lines: the
    total is the sum of the amounts and of the transfers, and no transfer is negative."""
    row = batch_row(rt, batch_id)
    recorded = batch_lines(rt, batch_id)
    amounts = sum(Decimal(ln["amount"]) for ln in recorded)
    transfers = [Decimal(ln["transfer"]) for ln in recorded]
    assert (row["payments"], row["total"]) == (len(recorded), int(amounts * 100))
    assert sum(transfers) == amounts and min(transfers, default=0) >= 0
    return row["payments"], row["total"]


def report(rt: Runtime, batch_id: UUID) -> dict:
    return json.loads(batch_row(rt, batch_id)["report"])


# --- retroactive standard ---------------------------------------------------------------------
def test_retroactive_standard_increase_is_paid_as_arrears_for_each_paid_month(rt, tmp_path):
    household, = enrol(rt, tmp_path, county.row(1, "dibao"))
    pay(rt, "2024-01", "2024-02", "2024-03")

    # Recorded in April: rural dibao 5376 yuan/year (448.00 a month) from 1 February.
    rt.app.set_standard("dibao", "rural", 537600, "year", date(2024, 2, 1), "县民政发〔2024〕9号",
                        False, "clerk")
    april = run(rt, "2024-04")

    # April (448.00 − 120.00) × 3 = 984.00; February and March each 984.00 − 969.00 = 15.00;
    # January stays at 443.00 and owes nothing.
    assert lines(rt, april, household) == [
        ("arrears", "2024-02", "15.00", "15.00"),
        ("arrears", "2024-03", "15.00", "15.00"),
        ("regular", "2024-04", "984.00", "984.00"),
    ]
    assert total(rt, april) == (3, 101400)
    assert report(rt, april)["arrears"] == {"lines": 2, "total": 3000}

    # Once the arrears are approved they are part of "net already paid": May pays no more.
    approve_batch(rt, april, "checker")
    may = run(rt, "2024-05")
    assert lines(rt, may, household) == [("regular", "2024-05", "984.00", "984.00")]


# --- retroactive income: recovery netted and carried forward -------------------------------------
def test_retroactive_income_increase_is_recovered_from_later_payments_and_the_rest_carried_forward(
        rt, tmp_path):
    # Household of 2 with 300.00 income: (443.00 − 300.00) × 2 = 286.00 a month.
    household, bystander = enrol(
        rt, tmp_path,
        county.row(2, "dibao", household_size=2, income_per_capita="300.00"),
        county.row(3, "dibao"),
    )
    pay(rt, "2024-01", "2024-02", "2024-03")

    # Recorded in April: income 400.00 from February, so (443.00 − 400.00) × 2 = 86.00 a month.
    # February and March were paid 286.00: 200.00 too much each, 400.00 owed in all.
    update_case(rt.app, household, Month(2024, 2), "clerk", income_per_capita=40000)

    expected = {
        # April: 86.00 owed for Feb is netted against April's 86.00; 314.00 carried forward.
        "2024-04": ([("recovery", "2024-02", "-86.00", "0.00"),
                     ("regular", "2024-04", "86.00", "0.00")], 31400),
        # May: Feb still owes 200 − 86 = 114.00; 86.00 of it netted; 28.00 + 200.00 carried.
        "2024-05": ([("recovery", "2024-02", "-86.00", "0.00"),
                     ("regular", "2024-05", "86.00", "0.00")], 22800),
        # June: Feb's last 28.00, then 58.00 of March's 200.00; 142.00 carried.
        "2024-06": ([("recovery", "2024-02", "-28.00", "0.00"),
                     ("recovery", "2024-03", "-58.00", "0.00"),
                     ("regular", "2024-06", "86.00", "0.00")], 14200),
        # July: March owes 142.00; 86.00 netted; 56.00 carried.
        "2024-07": ([("recovery", "2024-03", "-86.00", "0.00"),
                     ("regular", "2024-07", "86.00", "0.00")], 5600),
        # August: the last 56.00; 86.00 − 56.00 = 30.00 is transferred.
        "2024-08": ([("recovery", "2024-03", "-56.00", "0.00"),
                     ("regular", "2024-08", "86.00", "30.00")], 0),
        # September: nothing owed any more.
        "2024-09": ([("regular", "2024-09", "86.00", "86.00")], 0),
    }
    for month, (want, carried) in expected.items():
        batch = run(rt, month)
        assert lines(rt, batch, household) == want, month
        receivables = report(rt, batch)["receivables"]["by_case"]
        assert receivables.get(household.hex, 0) == carried, month
        # The bystander is paid as before; the batch balances with no negative transfer.
        assert lines(rt, batch, bystander) == [("regular", month, "969.00", "969.00")]
        assert total(rt, batch)[1] == 96900 + sum(int(Decimal(amount) * 100)
                                                  for _, _, amount, _ in want)
        approve_batch(rt, batch, "checker")

    # 6 months × 86.00 regular − 400.00 recovered = 116.00 actually transferred since April.
    p = schema.payments.c
    with rt.engine.connect() as conn:
        sent = conn.execute(
            select(p.transfer).where(p.case_id == household.hex, p.batch_month >= "2024-04",
                                     p.own_status != "withdrawn")
        ).scalars().all()
    assert sum(sent) == 11600


# --- graduation (渐退) ----------------------------------------------------------------------------
def test_graduating_household_is_paid_the_configured_months_at_the_configured_taper_then_stops(
        rt, tmp_path):
    household, = enrol(rt, tmp_path, county.row(4, "dibao"))
    rt.app.set_policy("graduation.months", "3", date(2024, 1, 1), "clerk")
    rt.app.set_policy("graduation.taper", "100,50", date(2024, 1, 1), "clerk")
    pay(rt, "2024-01", "2024-02")

    # Reassessed in March: income 450.00 ≥ 443.00. The last regular amount, 969.00, is paid
    # × 100% in March, × 50% = 484.50 in April and May; from June nothing.
    update_case(rt.app, household, Month(2024, 3), "clerk", income_per_capita=45000)
    paid = {}
    for month in ("2024-03", "2024-04", "2024-05", "2024-06", "2024-07"):
        batch = run(rt, month)
        paid[month] = lines(rt, batch, household)
        approve_batch(rt, batch, "checker")
    assert paid == {
        "2024-03": [("graduation", "2024-03", "969.00", "969.00")],
        "2024-04": [("graduation", "2024-04", "484.50", "484.50")],
        "2024-05": [("graduation", "2024-05", "484.50", "484.50")],
        "2024-06": [],
        "2024-07": [],
    }
    # June's checker sees the household leave the roll by itself.
    assert household.hex in report(rt, ids.batch_id(Month(2024, 6), "regular"))["exits"]


def test_graduation_is_cancelled_when_income_falls_back_below_the_standard(rt, tmp_path):
    household, = enrol(rt, tmp_path, county.row(5, "dibao"))
    rt.app.set_policy("graduation.months", "2", date(2024, 1, 1), "clerk")
    pay(rt, "2024-01", "2024-02")

    # March: income reaches the standard exactly (443.00): graduation at the default 100%.
    update_case(rt.app, household, Month(2024, 3), "clerk", income_per_capita=44300)
    march = run(rt, "2024-03")
    assert lines(rt, march, household) == [("graduation", "2024-03", "969.00", "969.00")]
    approve_batch(rt, march, "checker")

    # April: income falls to 200.00; the ordinary formula again: (443.00 − 200.00) × 3 = 729.00,
    # in April and still in May, after the graduation would have ended.
    update_case(rt.app, household, Month(2024, 4), "clerk", income_per_capita=20000)
    for month in ("2024-04", "2024-05"):
        batch = run(rt, month)
        assert lines(rt, batch, household) == [("regular", month, "729.00", "729.00")]
        approve_batch(rt, batch, "checker")


# --- exits -------------------------------------------------------------------------------------
def test_exit_recorded_after_the_month_was_paid_is_a_receivable_never_a_negative_transfer(
        rt, tmp_path):
    deceased, other = enrol(rt, tmp_path, county.row(6, "dibao"), county.row(7, "dibao"))
    pay(rt, "2024-01", "2024-02", "2024-03")

    # Recorded in April: died in January, payment ends from February. February and March
    # (969.00 each) were paid: 1938.00 owed, with nothing of the case's to net it against.
    exit_case(rt.app, deceased, Month(2024, 2), "死亡", "clerk")
    april = run(rt, "2024-04")

    assert lines(rt, april, deceased) == []
    assert lines(rt, april, other) == [("regular", "2024-04", "969.00", "969.00")]
    assert total(rt, april) == (1, 96900)
    got = report(rt, april)
    assert got["receivables"] == {"cases": 1, "total": 193800, "by_case": {deceased.hex: 193800}}
    assert got["exits"] == [deceased.hex]

    # Still owed next month (it is carried, not forgotten), and still not sent as a transfer.
    approve_batch(rt, april, "checker")
    may = run(rt, "2024-05")
    assert lines(rt, may, deceased) == []
    assert report(rt, may)["receivables"]["by_case"] == {deceased.hex: 193800}


def test_explicit_exit_during_graduation_ends_payment_at_once(rt, tmp_path):
    household, = enrol(rt, tmp_path, county.row(8, "dibao"))
    pay(rt, "2024-01")
    update_case(rt.app, household, Month(2024, 2), "clerk", income_per_capita=50000)
    pay(rt, "2024-02")  # graduation month 1 of 6: 969.00
    exit_case(rt.app, household, Month(2024, 3), "迁出", "clerk")
    assert lines(rt, run(rt, "2024-03"), household) == []


# --- temporary relief ----------------------------------------------------------------------------
def test_relief_above_the_town_multiple_is_not_paid_until_a_second_different_user_approves(
        rt, tmp_path):
    household, = enrol(rt, tmp_path, county.row(9, "dibao"))
    id_number = county.person(9)

    # 4 × 443.00 = 1772.00; 4 is above temporary.town_approval_multiple (3): two approvals.
    relief = grant_relief(rt, id_number, 4, "火灾", date(2024, 1, 10), "clerk")
    assert (relief.amount, relief.approvals_needed) == (177200, 2)
    approve_relief(rt, relief.id, "town")
    january = run(rt, "2024-01")
    assert [ln for ln in batch_lines(rt, january) if ln["programme"] == "temporary"] == []

    with pytest.raises(MakerCheckerError, match="another user"):
        approve_relief(rt, relief.id, "town")
    with pytest.raises(MakerCheckerError, match="granted this relief"):
        approve_relief(rt, relief.id, "clerk")

    approve_relief(rt, relief.id, "county")
    with pytest.raises(ReliefError, match="already fully approved"):
        approve_relief(rt, relief.id, "director")
    assert run(rt, "2024-01") == january
    assert lines(rt, january, relief.id) == [("relief", "2024-01", "1772.00", "1772.00")]
    assert lines(rt, january, household) == [("regular", "2024-01", "969.00", "969.00")]
    assert total(rt, january) == (2, 96900 + 177200)

    # Paid once: February's batch does not pay it again.
    approve_batch(rt, january, "checker")
    assert lines(rt, run(rt, "2024-02"), relief.id) == []


def test_relief_up_to_the_town_multiple_is_paid_after_one_approval(rt, tmp_path):
    enrol(rt, tmp_path, county.row(10, "dibao"))
    relief = grant_relief(rt, county.person(10), 3, "疾病", date(2024, 1, 10), "clerk")
    assert (relief.amount, relief.approvals_needed) == (132900, 1)  # 3 × 443.00
    approve_relief(rt, relief.id, "town")
    assert lines(rt, run(rt, "2024-01"), relief.id) == [("relief", "2024-01", "1329.00", "1329.00")]


# --- drafts and approved months -------------------------------------------------------------------
def test_rerunning_a_draft_month_gives_the_same_batch_id_and_the_same_lines(rt, tmp_path):
    enrol(rt, tmp_path, county.row(11, "dibao"), county.row(12, "tekun"))
    first = run(rt, "2024-01")
    before = batch_lines(rt, first)
    second = run(rt, "2024-01", by="clerk2")
    assert second == first == ids.batch_id(Month(2024, 1), "regular")
    assert batch_lines(rt, second) == before
    # dibao 969.00; tekun rural 7000/12 = 583.33 basic + 300/12 = 25.00 care (self) = 608.33.
    assert total(rt, second) == (2, 96900 + 60833)


def test_refreshing_a_draft_amends_changed_lines_and_withdraws_lines_no_longer_due(rt, tmp_path):
    changed, leaving, same = enrol(
        rt, tmp_path, county.row(13, "dibao"), county.row(14, "dibao"), county.row(15, "dibao"))
    january = run(rt, "2024-01")
    pids = {ln["case_id"]: ln["payment_id"] for ln in batch_lines(rt, january)}
    assert total(rt, january) == (3, 3 * 96900)

    # Before approval: income of one household corrected to 220.00 from January
    # ((443.00 − 220.00) × 3 = 669.00), another exits from January.
    update_case(rt.app, changed, Month(2024, 1), "clerk", income_per_capita=22000)
    exit_case(rt.app, leaving, Month(2024, 1), "不符合条件", "clerk")
    assert run(rt, "2024-01") == january

    now = {ln["case_id"]: ln for ln in batch_lines(rt, january)}
    assert set(now) == {changed.hex, same.hex}
    assert now[changed.hex]["payment_id"] == pids[changed.hex]  # amended in place
    assert now[changed.hex]["amount"] == "669.00"
    assert now[same.hex]["amount"] == "969.00"
    assert total(rt, january) == (2, 66900 + 96900)
    p = LINES.c
    with rt.engine.connect() as conn:
        status = conn.execute(
            select(p.status).where(p.payment_id == pids[leaving.hex])).scalar_one()
    assert status == "withdrawn"

    # Approving the refreshed draft approves exactly those two lines; the withdrawn one stays out.
    approve_batch(rt, january, "checker")
    with rt.engine.connect() as conn:
        statuses = dict(conn.execute(
            select(p.case_id, p.status).where(p.batch_id == january.hex)).all())
    assert statuses == {changed.hex: "approved", same.hex: "approved", leaving.hex: "withdrawn"}


def test_a_case_coming_back_into_a_draft_gets_its_withdrawn_line_back(rt, tmp_path):
    household, = enrol(rt, tmp_path, county.row(16, "dibao"))
    january = run(rt, "2024-01")
    pid = batch_lines(rt, january)[0]["payment_id"]
    update_case(rt.app, household, Month(2024, 1), "clerk", income_per_capita=50000)
    run(rt, "2024-01")  # income above the standard from the start month: nothing due
    assert batch_lines(rt, january) == []
    update_case(rt.app, household, Month(2024, 1), "clerk", income_per_capita=12000)
    run(rt, "2024-01")
    assert [(ln["payment_id"], ln["amount"]) for ln in batch_lines(rt, january)] == [
        (pid, "969.00")]


def test_an_approved_month_is_never_changed_and_later_facts_flow_into_the_next_month(
        rt, tmp_path):
    household, = enrol(rt, tmp_path, county.row(17, "dibao"))
    january = run(rt, "2024-01")
    approve_batch(rt, january, "checker")
    before = batch_lines(rt, january)

    update_case(rt.app, household, Month(2024, 1), "clerk", income_per_capita=22000)
    with pytest.raises(BatchStateError, match="never changed"):
        run(rt, "2024-01")
    with pytest.raises(BatchStateError):
        approve_batch(rt, january, "someone_else")
    assert batch_lines(rt, january) == before
    assert batch_row(rt, january)["status"] == "approved"

    # January's correction is recovered in February: 969.00 paid, 669.00 due, 300.00 owed,
    # netted against February's 669.00.
    february = run(rt, "2024-02")
    assert lines(rt, february, household) == [
        ("recovery", "2024-01", "-300.00", "0.00"),
        ("regular", "2024-02", "669.00", "369.00"),
    ]
    assert total(rt, february) == (2, 36900)


def test_a_month_is_not_run_while_an_earlier_month_is_a_draft_so_arrears_are_paid_once(
        rt, tmp_path):
    household, = enrol(rt, tmp_path, county.row(20, "dibao"))
    pay(rt, "2024-01")
    # Recorded in February: 448.00 from January, so February pays January's 15.00 arrears.
    rt.app.set_standard("dibao", "rural", 537600, "year", date(2024, 1, 1), "县民政发〔2024〕9号",
                        False, "clerk")
    february = run(rt, "2024-02")
    assert lines(rt, february, household) == [("arrears", "2024-01", "15.00", "15.00"),
                                              ("regular", "2024-02", "984.00", "984.00")]
    # A March draft now would hold the same arrears (February is not approved yet).
    with pytest.raises(BatchStateError, match="2024-02 payroll is still a draft"):
        run(rt, "2024-03")
    approve_batch(rt, february, "checker")
    assert lines(rt, run(rt, "2024-03"), household) == [("regular", "2024-03", "984.00", "984.00")]


# --- returned payments -------------------------------------------------------------------------
def bank_returns(rt: Runtime, *payment_ids: str) -> None:
    """The bank reports these transfers failed (the Payment's own command, as an import does)."""
    for pid in payment_ids:
        payment = rt.app.repository.get(UUID(pid))
        assert payment.mark_returned("账户已销户", "bank", "results.csv")
        rt.app.save(payment)
    rt.read_model.catch_up()


def test_two_returned_payments_for_one_month_are_held_then_reissued_together_once(rt, tmp_path):
    household, = enrol(rt, tmp_path, county.row(18, "dibao"))
    january = run(rt, "2024-01")
    approve_batch(rt, january, "checker")
    # Recorded in February: 448.00 from January, so February also pays January's 15.00 arrears.
    rt.app.set_standard("dibao", "rural", 537600, "year", date(2024, 1, 1), "县民政发〔2024〕9号",
                        False, "clerk")
    february = run(rt, "2024-02")
    assert lines(rt, february) == [("arrears", "2024-01", "15.00", "15.00"),
                                   ("regular", "2024-02", "984.00", "984.00")]
    approve_batch(rt, february, "checker")

    # The account was closed: both payments for January (969.00 and 15.00) come back.
    regular_pid, = [ln["payment_id"] for ln in batch_lines(rt, january)]
    arrears_pid, = [ln["payment_id"] for ln in batch_lines(rt, february) if ln["kind"] == "arrears"]
    bank_returns(rt, regular_pid, arrears_pid)

    # Until the account is corrected they are held; a return is not arrears.
    march = run(rt, "2024-03")
    assert lines(rt, march) == [("regular", "2024-03", "984.00", "984.00")]
    assert {(h["payment_id"], h["amount"]) for h in report(rt, march)["held"]} == {
        (regular_pid, 96900), (arrears_pid, 1500)}

    # Corrected before March is approved: the refreshed draft pays both again, in one line.
    update_case(rt.app, household, Month(2024, 3), "clerk", bank_account=county.card(1018),
                bank_name="农业银行")
    assert run(rt, "2024-03") == march
    assert lines(rt, march) == [("regular", "2024-03", "984.00", "984.00"),
                                ("reissue", "2024-01", "984.00", "984.00")]
    reissue, = [ln for ln in batch_lines(rt, march) if ln["kind"] == "reissue"]
    assert sorted(reissue["reissue_of"]) == sorted([regular_pid, arrears_pid])
    assert total(rt, march) == (2, 98400 + 98400)
    assert report(rt, march)["held"] == []

    # Paid again once: April neither reissues nor holds them.
    approve_batch(rt, march, "checker")
    april = run(rt, "2024-04")
    assert lines(rt, april) == [("regular", "2024-04", "984.00", "984.00")]
    assert report(rt, april)["held"] == []


def test_a_returned_price_subsidy_is_reissued_as_a_price_subsidy_not_as_the_cases_programme(
        rt, tmp_path):
    household, = enrol(rt, tmp_path, county.row(19, "dibao"))
    january = run(rt, "2024-01")
    approve_batch(rt, january, "checker")
    # CPI 4.0% ≥ 3.5: 443.00 × 4% = 17.72, rounded to 18.00 a person, × 3 = 54.00.
    rt.app.record_cpi(Month(2024, 1), Decimal("4.0"), Decimal("2.0"), "stats")
    subsidy = run_price_linkage(rt, Month(2024, 1), "clerk")
    assert subsidy is not None
    approve_batch(rt, subsidy.id, "checker")
    regular_pid, = [ln["payment_id"] for ln in batch_lines(rt, january)]
    subsidy_pid, = [ln["payment_id"] for ln in batch_lines(rt, subsidy.id)]
    bank_returns(rt, regular_pid, subsidy_pid)
    update_case(rt.app, household, Month(2024, 2), "clerk", bank_account=county.card(1019),
                bank_name="农业银行")

    february = run(rt, "2024-02")
    got = sorted((ln["programme"], ln["kind"], ln["for_month"], ln["amount"], ln["reissue_of"])
                 for ln in batch_lines(rt, february))
    assert got == [
        ("dibao", "regular", "2024-02", "969.00", []),
        ("dibao", "reissue", "2024-01", "969.00", [regular_pid]),
        ("price_subsidy", "reissue", "2024-01", "54.00", [subsidy_pid]),
    ]
    assert total(rt, february) == (3, 96900 + 96900 + 5400)
