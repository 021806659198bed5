"""The two order defects reported in issue 19, with the issue's own numbers, through the
payroll, in both recording orders, on both backends. Amounts worked out by hand below."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services.batches import approve_batch
from ledger.services.case_changes import update_case
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from projections import schema
from tests import county
from tests.conftest import require_backend
from tests.databases import fresh_ledger

CASE = ids.case_id(county.person(1), "dibao")


def _lines(rt: Runtime, month: Month) -> list[tuple[Any, ...]]:
    p = schema.payments.c
    with rt.engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(
            select(p.kind, p.for_month, p.amount)
            .where(p.batch_id == ids.batch_id(month, "regular").hex, p.own_status != "withdrawn")))


def _scenario(backend: str, start: Month, paid: list[Month], size: int, income: str,
              facts: list[Any], month: Month) -> list[tuple[Any, ...]]:
    with fresh_ledger(backend) as (rt, scratch):
        rt.app.set_standard("dibao", "rural", 300_00, "month", start.first_day, "县民政发〔2023〕1号",
                            False, "admin")
        row = county.row(1, "dibao", household_size=size, income_per_capita=income,
                         start_month=str(start))
        assert not import_roster(rt, county.write(scratch / "r.csv", [row]), county.TODAY,
                                 "clerk").problems
        for m in paid:
            approve_batch(rt, run_payroll(rt, m, "clerk").id, "checker")
        for fact in facts:
            fact(rt)
        run_payroll(rt, month, "clerk")
        return _lines(rt, month)


def _income(month: Month, fen: int) -> Any:
    return lambda rt: update_case(rt.app, CASE, month, "clerk", income_per_capita=fen)


def _standard(month: Month, fen: int) -> Any:
    return lambda rt: rt.app.set_standard("dibao", "rural", fen, "month", month.first_day,
                                          "县民政发〔2023〕6号", False, "admin")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_graduation_base_follows_a_later_standard_whatever_the_order(backend: str) -> None:
    # Rural 300.00 from 2023-05; one person, income 140.90: 159.10 paid May–July.
    # In August: income 512.96 from 2023-08 (graduation) and a standard of 308.00 from
    # 2023-06, in either order: June and July are now 308.00 − 140.90 = 167.10, arrears 8.00
    # each; August's graduation pays July's 167.10. August total 8 + 8 + 167.10 = 183.10.
    require_backend(backend)
    facts = [_income(Month(2023, 8), 512_96), _standard(Month(2023, 6), 308_00)]
    expected = [("arrears", "2023-06", 8_00), ("arrears", "2023-07", 8_00),
                ("graduation", "2023-08", 167_10)]
    for order in (facts, facts[::-1]):
        lines = _scenario(backend, Month(2023, 5), [Month(2023, m) for m in (5, 6, 7)], 1,
                          "140.90", order, Month(2023, 8))
        assert lines == expected
        assert sum(amount for _, _, amount in lines) == 183_10


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_low_income_cancels_the_graduation_it_follows_whatever_the_order(backend: str) -> None:
    # Rural 300.00; two people, income 100.00: (300 − 100) × 2 = 400.00 paid January–March.
    # In April: income 150.00 from 2023-04 and income 500.00 from 2023-03, in either order.
    # March is a graduation month at February's 400.00 (already paid: no difference); April's
    # 150.00 < 300.00 cancels it: (300 − 150) × 2 = 300.00.
    require_backend(backend)
    facts = [_income(Month(2023, 4), 150_00), _income(Month(2023, 3), 500_00)]
    for order in (facts, facts[::-1]):
        lines = _scenario(backend, Month(2023, 1), [Month(2023, m) for m in (1, 2, 3)], 2,
                          "100.00", order, Month(2023, 4))
        assert lines == [("regular", "2023-04", 300_00)]
