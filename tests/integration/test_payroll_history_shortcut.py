"""Skipping the history of settled cases never changes a batch: same lines as a full recompute."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ledger.bootstrap import open_runtime
from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services import payroll_run
from ledger.services.batches import approve_batch, batch_lines
from ledger.services.case_changes import exit_case, update_case
from ledger.services.enrolment import import_roster
from ledger.services.runtime import Runtime
from tests import county

ROWS = [county.row(i, "dibao", household_size=1 + i % 3, income_per_capita=f"{100 + i}.00")
        for i in range(1, 7)] + [county.row(7, "tekun"), county.row(8, "elderly",
                                                                   birth=date(1944, 2, 10))]


def _scenario(rt: Runtime, tmp_path: Path) -> list[list[tuple[str, str, str, str, str]]]:
    """Four months with retroactive changes; the lines of every batch."""
    county.set_standards(rt.app)
    assert not import_roster(rt, county.write(tmp_path / "r.csv", ROWS), county.TODAY,
                             "clerk").problems
    dibao = [ids.case_id(county.person(i), "dibao") for i in range(1, 7)]
    months: list[list[tuple[str, str, str, str, str]]] = []
    for month in ("2024-01", "2024-02", "2024-03", "2024-04", "2024-05"):
        if month == "2024-03":
            # retroactive income rise: a recovery larger than one month can net (receivable)
            update_case(rt.app, dibao[0], Month(2024, 1), "clerk", income_per_capita=43000)
            exit_case(rt.app, dibao[1], Month(2024, 2), "moved away", "clerk")
        if month == "2024-04":
            update_case(rt.app, dibao[2], Month(2024, 2), "clerk", household_size=4)
        if month == "2024-05":
            rt.app.set_standard("dibao", "rural", 44800, "month", date(2024, 3, 1), "补", False,
                                "clerk")
        rt.read_model.catch_up()
        batch = payroll_run.run_payroll(rt, Month.parse(month), "clerk")
        approve_batch(rt, batch.id, "chief")
        months.append(sorted((ln["case_id"], ln["kind"], ln["for_month"], ln["amount"],
                              ln["transfer"]) for ln in batch_lines(rt, batch.id)))
    return months


def test_batches_with_the_shortcut_equal_batches_recomputed_in_full(
        rt: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_shortcut = _scenario(rt, tmp_path)
    assert any(ln[1] == "recovery" for month in with_shortcut for ln in month)
    full = tmp_path / "full"
    full.mkdir()
    other = open_runtime(f"sqlite:///{full / 'ledger.db'}", init=True)
    try:
        monkeypatch.setattr(payroll_run, "settled_since", lambda rt, conn, month: (None, set()))
        assert _scenario(other, full) == with_shortcut
    finally:
        other.close()
