"""A catch-up that fails part-way resumes where it stopped, applying nothing twice.

Each page is applied and the tracking position advanced in one transaction, so a
failure injected after a page's rows were written (but before its commit) must
leave the previous pages' rows and position, and the next catch-up must end with
exactly the read model an uninterrupted rebuild makes: payments, journal lines and
hash-chain links each once. On both backends (the ``rt`` fixture).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from ledger.domain.calendar import Month
from ledger.services.batches import approve_batch
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from projections import read_model_page as read_model_module
from projections import schema
from projections.rebuild import rebuild
from tests import county
from tests.databases import dump_read_model

PAGE = 4


def _ledger(rt: Runtime, tmp_path: Path) -> None:
    county.set_standards(rt.app)
    rows = [county.row(i, p) for i, p in enumerate(["dibao", "tekun", "dibao", "dibao",
                                                     "tekun", "dibao"], start=1)]
    assert not import_roster(rt, county.write(tmp_path / "r.csv", rows), county.TODAY,
                             "clerk").problems
    approve_batch(rt, run_payroll(rt, Month(2024, 1), "clerk").id, "chief")


def _emptied(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """The read model emptied and its position reset, as a rebuild starts."""
    with monkeypatch.context() as m:
        m.setattr(rt.read_model, "catch_up", lambda *a, **k: 0)
        rebuild(rt.read_model)


def _fail_on_flush(monkeypatch: pytest.MonkeyPatch, nth: int) -> None:
    """Make the ``nth`` page flush write its rows, then fail before the commit."""
    original = read_model_module.Page.flush
    calls = {"n": 0}

    def flush(page: Any) -> None:
        original(page)
        calls["n"] += 1
        if calls["n"] == nth:
            raise RuntimeError("injected failure after the page's rows were written")
    monkeypatch.setattr(read_model_module.Page, "flush", flush)


def test_a_catch_up_failing_mid_way_resumes_without_double_counting(
        rt: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _ledger(rt, tmp_path)
    expected = dump_read_model(rt)
    events = rt.app.recorder.max_notification_id() or 0
    assert events > 3 * PAGE  # the failure below falls strictly inside the log
    _emptied(rt, monkeypatch)
    with monkeypatch.context() as m:
        _fail_on_flush(m, 3)
        with pytest.raises(RuntimeError, match="injected"):
            rt.read_model.catch_up(page_size=PAGE)
    reached = rt.read_model.position()
    first_two = [n.id for n in rt.app.recorder.select_notifications(0, 2 * PAGE,
                                                                       inclusive_of_start=False)]
    assert 0 < reached <= first_two[-1]  # the failed page's position was not kept
    with rt.engine.connect() as conn:
        linked = conn.execute(select(func.sum(schema.chain.c.events))).scalar() or 0
        assert conn.execute(select(func.max(schema.chain.c.last_position))).scalar() == reached
    assert linked == len([i for i in first_two if i <= reached])  # links only of kept pages
    assert rt.read_model.catch_up(page_size=PAGE) == events
    assert dump_read_model(rt) == expected


def test_a_catch_up_stopped_between_pages_resumes_where_it_stopped(
        rt: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _ledger(rt, tmp_path)
    expected = dump_read_model(rt)
    _emptied(rt, monkeypatch)
    stops: list[int] = []

    def stop(position: int) -> None:
        stops.append(position)
        raise KeyboardInterrupt  # as a killed process: after a page has committed

    with pytest.raises(KeyboardInterrupt):
        rt.read_model.catch_up(page_size=PAGE, after_page=stop)
    assert rt.read_model.position() == stops[0]
    rt.read_model.catch_up(page_size=PAGE)
    assert dump_read_model(rt) == expected
