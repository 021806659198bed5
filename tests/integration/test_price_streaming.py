"""The price-subsidy batch streamed in parts of cases (parts of 2 here, 6 cases: three
parts), on both backends: the same lines as one pass, nothing recorded when run again
unchanged, a changed part refreshed, and a suspension withdrawing every part's lines.

Amounts by hand from tests/county.py (rural dibao 443.00, urban 600.00 a month),
CPI 4.0%: rural 443.00 × 4% = 17.72 → 18 yuan a person, urban 600.00 × 4% = 24 yuan.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import select

from ledger.services import price_subsidy_run
from ledger.services.case_changes import exit_case
from ledger.services.price_subsidy_run import run_price_linkage
from ledger.services.runtime import Runtime
from projections import schema
from tests.integration.test_price_linkage import JUNE, _county

D = Decimal


@pytest.fixture(autouse=True)
def _small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(price_subsidy_run, "CHUNK", 2)


def _live(rt: Runtime, batch_id: str) -> dict[str, int]:
    rt.read_model.catch_up()
    p = schema.payments.c
    with rt.engine.connect() as conn:
        return {r[0]: int(r[1]) for r in conn.execute(
            select(p.case_id, p.amount).where(p.batch_id == batch_id, p.own_status != "withdrawn"))}


def test_parts_give_every_line_once_and_a_rerun_records_nothing(rt: Runtime,
                                                                tmp_path: Path) -> None:
    cases = _county(rt, tmp_path)
    rt.app.record_cpi(JUNE, D("4.0"), D("3.0"), "stats")
    batch = run_price_linkage(rt, JUNE, "clerk")
    assert batch is not None
    assert _live(rt, batch.id.hex) == {
        cases["dibao_rural"]: 5400, cases["dibao_urban"]: 4800,  # 3 × 18, 2 × 24
        cases["tekun"]: 1800, cases["orphan"]: 1800}
    assert (batch.payments, batch.total) == (4, 13800)
    events = rt.app.recorder.max_notification_id()
    again = run_price_linkage(rt, JUNE, "clerk")
    assert again is not None and (again.payments, again.total) == (4, 13800)
    assert rt.app.recorder.max_notification_id() == events


def test_a_change_in_one_part_refreshes_the_batch(rt: Runtime, tmp_path: Path) -> None:
    cases = _county(rt, tmp_path)
    rt.app.record_cpi(JUNE, D("4.0"), D("3.0"), "stats")
    assert run_price_linkage(rt, JUNE, "clerk") is not None
    exit_case(rt.app, UUID(cases["dibao_urban"]), JUNE, "moved away", "clerk")
    batch = run_price_linkage(rt, JUNE, "clerk")
    assert batch is not None
    assert _live(rt, batch.id.hex) == {
        cases["dibao_rural"]: 5400, cases["tekun"]: 1800, cases["orphan"]: 1800}
    assert (batch.payments, batch.total) == (3, 9000)  # 54 + 18 + 18 yuan


def test_a_suspension_withdraws_the_lines_of_every_part(rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    rt.app.record_cpi(JUNE, D("4.0"), D("3.0"), "stats")
    batch = run_price_linkage(rt, JUNE, "clerk")
    assert batch is not None and batch.payments == 4
    rt.app.record_cpi(JUNE, D("3.0"), D("3.0"), "stats")  # corrected below both thresholds
    assert run_price_linkage(rt, JUNE, "clerk") is None
    assert _live(rt, batch.id.hex) == {}
    assert rt.app.load(batch.id, type(batch), "batch").payments == 0
