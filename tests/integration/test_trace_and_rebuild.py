"""Trace explains a payment; a full rebuild of the read model equals incremental catch-up."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services.batches import approve_batch, batch_lines
from ledger.services.case_changes import update_case
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from ledger.services.trace import trace_payment
from projections import schema
from projections.rebuild import READ_MODEL_TABLES, rebuild
from tests import county
from tests.databases import dump_read_model


def _county(rt: Runtime, tmp_path: Path) -> list[dict[str, Any]]:
    county.set_standards(rt.app)
    rows = [county.row(1, "dibao"), county.row(2, "tekun"), county.row(3, "orphan",
                                                                        birth=date(2010, 3, 3))]
    assert not import_roster(rt, county.write(tmp_path / "r.csv", rows), county.TODAY,
                             "clerk").problems
    return rows


def test_trace_of_an_arrears_payment_shows_enrolment_standard_with_ref_batch_and_approval(
        rt: Runtime, tmp_path: Path) -> None:
    rows = _county(rt, tmp_path)
    jan = run_payroll(rt, Month(2024, 1), "clerk")
    approve_batch(rt, jan.id, "chief")
    # rural dibao raised retroactively to 448.00/month from January: arrears in February
    # (448.00 keeps tekun basic 583.33 above 1.3 × dibao = 582.40)
    rt.app.set_standard("dibao", "rural", 44800, "month", date(2024, 1, 1), "补发文件2号", False,
                        "clerk")
    feb = run_payroll(rt, Month(2024, 2), "clerk")
    approve_batch(rt, feb.id, "chief")
    arrears = [ln for ln in batch_lines(rt, feb.id) if ln["kind"] == "arrears"]
    assert len(arrears) == 1
    # (448.00 − 120.00) × 3 − (443.00 − 120.00) × 3 = 984.00 − 969.00 = 15.00
    assert arrears[0]["amount"] == "15.00"
    data = trace_payment(rt, UUID(arrears[0]["payment_id"]))
    types = [e["type"] for e in data["events"]]
    assert "Case.Enrolled" in types and "Batch.Approved" in types and "Payment.Recorded" in types
    standards = [e for e in data["events"] if e["type"] == "Standard.Set"]
    assert any(e["ref"] == "补发文件2号" and e["monthly"] == "448.00" for e in standards)
    text = str(data)
    assert rows[0]["id_number"] not in text and rows[0]["bank_account"] not in text
    assert data["status"] == "approved" and data["amount"] == "15.00"


_dump = dump_read_model


def test_rebuilding_the_read_model_gives_identical_tables(rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    jan = run_payroll(rt, Month(2024, 1), "clerk")
    approve_batch(rt, jan.id, "chief")
    dibao = ids.case_id(county.person(1), "dibao")
    update_case(rt.app, dibao, Month(2024, 2), "clerk", income_per_capita=50000)
    rt.read_model.catch_up()
    run_payroll(rt, Month(2024, 2), "clerk")
    before = _dump(rt)
    assert before["rm_payments"] and before["rm_cases"]
    position = rebuild(rt.read_model)
    assert position == rt.app.recorder.max_notification_id()
    assert _dump(rt) == before


def test_a_catch_up_interrupted_part_way_resumes_to_the_same_tables(
        rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    jan = run_payroll(rt, Month(2024, 1), "clerk")
    approve_batch(rt, jan.id, "chief")
    expected = _dump(rt)
    with rt.engine.begin() as conn:
        for table in READ_MODEL_TABLES:
            conn.execute(table.delete())
        conn.execute(schema.tracking.update().values(position=0))

    class Boom(Exception):
        pass

    pages = []

    def stop_after_two(position: int) -> None:
        pages.append(position)
        if len(pages) == 2:
            raise Boom

    try:
        rt.read_model.catch_up(page_size=3, after_page=stop_after_two)
    except Boom:
        pass
    assert rt.read_model.position() == pages[-1] < rt.app.recorder.max_notification_id()
    rt.read_model.catch_up(page_size=3)
    assert _dump(rt) == expected
