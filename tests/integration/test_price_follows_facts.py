"""A price subsidy follows the facts like any other payment, and goes only to people their
programme pays for the measured month (SPEC: Price linkage; Retroactive changes).

County: rural dibao 443.00 a month; CPI rise 4.0% for February 2024 triggers the linkage:
443.00 × 4.0% = 17.72 → 18 yuan per person (whole yuan, half up).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services.batches import approve_batch
from ledger.services.case_changes import exit_case, update_case
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.price_subsidy_run import run_price_linkage
from ledger.services.runtime import Runtime
from projections import schema
from tests import county

FEB = Month(2024, 2)
ORPHAN_BIRTH = date(2006, 1, 10)  # 18 in January 2024: not paid from February
ROWS = [
    county.row(1, "dibao", household_size=2, income_per_capita="100.00"),
    county.row(2, "tekun"),
    county.row(3, "orphan", birth=ORPHAN_BIRTH),
    county.row(4, "dibao", household_size=2, income_per_capita="100.00"),
]
HOUSEHOLD = ids.case_id(county.person(1), "dibao")
TEKUN = ids.case_id(county.person(2), "tekun")
ORPHAN = ids.case_id(county.person(3, ORPHAN_BIRTH), "orphan")
SHRINKING = ids.case_id(county.person(4), "dibao")


def _county_with_february_subsidy(rt: Runtime, scratch: Path) -> dict[str, int]:
    """January–April paid, February's subsidy approved; its lines by case."""
    county.set_standards(rt.app)
    assert not import_roster(rt, county.write(scratch / "r.csv", ROWS), county.TODAY,
                             "clerk").problems
    for m in (1, 2, 3, 4):
        approve_batch(rt, run_payroll(rt, Month(2024, m), "clerk").id, "checker")
    rt.app.record_cpi(FEB, Decimal("4.0"), Decimal("1.0"), "clerk")
    batch = run_price_linkage(rt, FEB, "clerk")
    assert batch is not None
    approve_batch(rt, batch.id, "checker")
    p = schema.payments.c
    with rt.engine.connect() as conn:
        return dict(conn.execute(select(p.case_id, p.amount).where(p.batch_id == batch.id.hex)).all())


def _may(rt: Runtime) -> tuple[list[tuple[str, str, str, str, int]], dict[str, int]]:
    batch = run_payroll(rt, Month(2024, 5), "clerk")
    p, b = schema.payments.c, schema.batches.c
    with rt.engine.connect() as conn:
        lines = sorted(tuple(r) for r in conn.execute(
            select(p.case_id, p.programme, p.kind, p.for_month, p.amount)
            .where(p.batch_id == batch.id.hex, p.own_status != "withdrawn")))
        report = json.loads(conn.execute(select(b.report).where(b.batch_id == batch.id.hex))
                            .scalar_one())
    return lines, report["receivables"]["by_case"]


def test_an_orphan_past_18_gets_no_subsidy_before_the_sweep_records_the_exit(
        rt: Runtime, tmp_path: Path) -> None:
    paid = _county_with_february_subsidy(rt, tmp_path)
    # two people in each household: 36.00; tekun: 18.00; the orphan: nothing
    assert paid == {HOUSEHOLD.hex: 36_00, SHRINKING.hex: 36_00, TEKUN.hex: 18_00}


def test_a_household_grown_retroactively_gets_the_third_persons_subsidy(
        rt: Runtime, tmp_path: Path) -> None:
    _county_with_february_subsidy(rt, tmp_path)
    update_case(rt.app, HOUSEHOLD, FEB, "clerk", household_size=3)
    lines, _ = _may(rt)
    h = HOUSEHOLD.hex
    # (443 − 100) = 343.00 more for February, March and April; May (443 − 100) × 3 = 1029.00;
    # the February subsidy for a third person: 18.00
    assert [ln for ln in lines if ln[0] == h] == [
        (h, "dibao", "arrears", "2024-02", 343_00),
        (h, "dibao", "arrears", "2024-03", 343_00),
        (h, "dibao", "arrears", "2024-04", 343_00),
        (h, "dibao", "regular", "2024-05", 1029_00),
        (h, "price_subsidy", "arrears", "2024-02", 18_00),
    ]


def test_a_household_shrunk_retroactively_has_the_subsidy_recovered(
        rt: Runtime, tmp_path: Path) -> None:
    _county_with_february_subsidy(rt, tmp_path)
    update_case(rt.app, SHRINKING, Month(2024, 4), "clerk", household_size=1)
    update_case(rt.app, SHRINKING, FEB, "clerk", household_size=1)
    lines, receivable = _may(rt)
    h = SHRINKING.hex
    # Owed, oldest month first: February's dibao 343.00 and subsidy 18.00, then March's and
    # April's 343.00. May pays (443 − 100) × 1 = 343.00: February's dibao is netted in
    # full; 18.00 + 343.00 + 343.00 = 704.00 is carried forward.
    assert [ln for ln in lines if ln[0] == h] == [
        (h, "dibao", "recovery", "2024-02", -343_00),
        (h, "dibao", "regular", "2024-05", 343_00),
    ]
    assert receivable[h] == 704_00


def test_a_retroactive_exit_recovers_the_subsidy_too(rt: Runtime, tmp_path: Path) -> None:
    _county_with_february_subsidy(rt, tmp_path)
    exit_case(rt.app, TEKUN, FEB, "死亡", "clerk")
    lines, receivable = _may(rt)
    # tekun rural: 7000.00/12 = 583.33 + care:self 300.00/12 = 25.00 → 608.33 a month;
    # February–April 3 × 608.33 = 1824.99 plus February's subsidy 18.00 = 1842.99, with
    # nothing to net it against: all of it a receivable.
    assert [ln for ln in lines if ln[0] == TEKUN.hex] == []
    assert receivable[TEKUN.hex] == 1842_99
