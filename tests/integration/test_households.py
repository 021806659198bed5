"""A dibao household's members decide its size, month by month, whenever they were recorded
(SPEC: Households and people; Retroactive changes).

County (tests/county.py): rural dibao 443.00 a month; every household here has a per-capita
income of 120.00, so each member in force is paid 443.00 − 120.00 = 323.00 a month.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services.batches import approve_batch
from ledger.services.enrolment import import_roster
from ledger.services.members import MemberRefusal, add_member, remove_member
from ledger.services.payroll_run import run_payroll
from ledger.services.price_subsidy_run import run_price_linkage
from ledger.services.runtime import Runtime
from projections import schema
from tests import county

APPLICANT = county.person(1)
SPOUSE = county.person(11)
CHILD = county.person(12, date(2010, 3, 4))
OTHER_APPLICANT = county.person(2)
TEKUN_PERSON = county.person(3)
HOUSEHOLD = ids.case_id(APPLICANT, "dibao")
OTHER = ids.case_id(OTHER_APPLICANT, "dibao")
JAN = Month(2024, 1)


def _county(rt: Runtime, scratch: Path) -> None:
    """Two dibao households (the roster says 2 people each) and a tekun person."""
    county.set_standards(rt.app)
    rows = [county.row(1, "dibao", household_size=2), county.row(2, "dibao", household_size=2),
            county.row(3, "tekun")]
    assert not import_roster(rt, county.write(scratch / "r.csv", rows), county.TODAY,
                             "clerk").problems


def _three_people(rt: Runtime) -> None:
    for number, name, relation in ((APPLICANT, "测试1", "self"), (SPOUSE, "配偶", "spouse"),
                                   (CHILD, "孩子", "child")):
        assert add_member(rt, APPLICANT, number, name, relation, JAN, "clerk")


def _pay(rt: Runtime, *months: int) -> None:
    for m in months:
        approve_batch(rt, run_payroll(rt, Month(2024, m), "clerk").id, "checker")


def _lines(rt: Runtime, month: int, case: object = HOUSEHOLD) -> list[tuple[str, str, str, int, int]]:
    """(programme, kind, for month, amount, transfer) of the month's regular batch for a case."""
    batch = run_payroll(rt, Month(2024, month), "clerk")
    p = schema.payments.c
    with rt.engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(  # type: ignore[misc]
            select(p.programme, p.kind, p.for_month, p.amount, p.transfer)
            .where(p.batch_id == batch.id.hex, p.case_id == case.hex,  # type: ignore[attr-defined]
                   p.own_status != "withdrawn")))


def test_a_three_person_household_is_paid_for_its_members_not_the_rosters_size(
        rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    _three_people(rt)
    # 3 × 323.00 = 969.00
    assert _lines(rt, 1) == [("dibao", "regular", "2024-01", 969_00, 969_00)]


def test_before_any_member_is_added_the_rosters_size_stands(rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    assert add_member(rt, APPLICANT, APPLICANT, "测试1", "self", Month(2024, 3), "clerk")
    # January: the roster's 2 × 323.00 = 646.00; March: only the applicant, 323.00
    assert _lines(rt, 1) == [("dibao", "regular", "2024-01", 646_00, 646_00)]
    _pay(rt, 1, 2)
    assert _lines(rt, 3) == [("dibao", "regular", "2024-03", 323_00, 323_00)]


def test_a_member_who_died_in_a_paid_month_is_recovered_next_month_netted(
        rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    _three_people(rt)
    _pay(rt, 1, 2, 3)
    remove_member(rt, CHILD, Month(2024, 3), "death", "clerk")
    # March was paid for 3 (969.00), is due for 2 (646.00): 323.00 recovered from April's
    # 646.00, so 323.00 is transferred.
    assert _lines(rt, 4) == [("dibao", "recovery", "2024-03", -323_00, 0),
                             ("dibao", "regular", "2024-04", 646_00, 323_00)]


def test_a_member_added_late_is_paid_as_arrears(rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    add_member(rt, APPLICANT, APPLICANT, "测试1", "self", JAN, "clerk")
    _pay(rt, 1, 2)
    add_member(rt, APPLICANT, SPOUSE, "配偶", "spouse", Month(2024, 2), "clerk")
    # February was paid for 1 (323.00), is due for 2: 323.00 arrears; March 2 × 323.00
    assert _lines(rt, 3) == [("dibao", "arrears", "2024-02", 323_00, 323_00),
                             ("dibao", "regular", "2024-03", 646_00, 646_00)]


def test_a_member_moves_to_another_household_in_the_same_month(
        rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    _three_people(rt)
    add_member(rt, OTHER_APPLICANT, OTHER_APPLICANT, "测试2", "self", JAN, "clerk")
    with pytest.raises(MemberRefusal):  # still in the first household in March
        add_member(rt, OTHER_APPLICANT, SPOUSE, "配偶", "spouse", Month(2024, 3), "clerk")
    remove_member(rt, SPOUSE, Month(2024, 3), "married", "clerk")
    assert add_member(rt, OTHER_APPLICANT, SPOUSE, "配偶", "spouse", Month(2024, 3), "clerk")
    _pay(rt, 1, 2)
    # March: the first household 2 × 323.00, the other 2 × 323.00 (no one counted twice)
    assert _lines(rt, 3) == [("dibao", "regular", "2024-03", 646_00, 646_00)]
    assert _lines(rt, 3, OTHER) == [("dibao", "regular", "2024-03", 646_00, 646_00)]


def test_a_person_in_tekun_cannot_be_a_dibao_member_and_nothing_is_recorded(
        rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    before = rt.app.recorder.max_notification_id()
    with pytest.raises(MemberRefusal, match="tekun"):
        add_member(rt, APPLICANT, TEKUN_PERSON, "测试3", "parent", JAN, "clerk")
    assert rt.app.recorder.max_notification_id() == before


def test_a_member_cannot_be_added_before_the_case_started(rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    with pytest.raises(Exception, match="before the case started"):
        add_member(rt, APPLICANT, SPOUSE, "配偶", "spouse", Month(2023, 12), "clerk")


def test_the_price_subsidy_is_paid_per_member_in_force(rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    _three_people(rt)
    _pay(rt, 1, 2)
    rt.app.record_cpi(Month(2024, 2), Decimal("4.0"), Decimal("1.0"), "clerk")
    batch = run_price_linkage(rt, Month(2024, 2), "clerk")
    assert batch is not None
    p = schema.payments.c
    with rt.engine.connect() as conn:
        paid = dict(conn.execute(select(p.case_id, p.amount)  # type: ignore[arg-type]
                                 .where(p.batch_id == batch.id.hex)).all())
    # 443.00 × 4.0% = 17.72 → 18 yuan a person: 3 members 54.00, the other household's roster
    # size 2: 36.00, tekun 18.00
    assert paid == {HOUSEHOLD.hex: 54_00, OTHER.hex: 36_00,
                    ids.case_id(TEKUN_PERSON, "tekun").hex: 18_00}


def test_a_dibao_member_cannot_be_enrolled_in_tekun_from_a_roster(
        rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    _three_people(rt)
    before = rt.app.recorder.max_notification_id()
    result = import_roster(rt, county.write(tmp_path / "t.csv", [county.row(11, "tekun")]),
                           county.TODAY, "clerk")
    assert [p.row for p in result.refusals] == [2]
    assert "dibao household member from 2024-01" in result.refusals[0].problem
    assert SPOUSE not in result.refusals[0].problem
    assert rt.app.recorder.max_notification_id() == before


def test_the_roster_report_counts_the_members_in_force(rt: Runtime, tmp_path: Path) -> None:
    from projections.reports import ROSTER_HEADER, roster_rows

    _county(rt, tmp_path)
    _three_people(rt)
    _pay(rt, 1, 2)
    remove_member(rt, CHILD, Month(2024, 2), "moved", "clerk")
    _pay(rt, 3)
    people = ROSTER_HEADER.index("保障人数")
    with rt.engine.connect() as conn:
        january = [r for r in roster_rows(conn, "2024-01") if r[2] == "测试1"]
        march = [r for r in roster_rows(conn, "2024-03") if r[2] == "测试1"]
    # January's line is for the 3 members then; in March's batch February's recovery (the
    # child left from February) and March's regular line are each for the 2 members then.
    assert [r[people] for r in january] == ["3"]
    assert sorted(r[people] for r in march) == ["2", "2"]
