"""Runs of one batch are ordered by the batch itself: a newer run supersedes an older one,
and nothing is recorded into an approved batch."""

from __future__ import annotations

from uuid import uuid4

import pytest

from ledger.domain.calendar import Month
from ledger.domain.errors import BatchStateError, RunSupersededError
from ledger.domain.payroll import Line
from ledger.services.batch_writer import BatchRun, Payee
from ledger.services.batches import approve_batch
from ledger.services.runtime import Runtime

MONTH = Month(2024, 3)
PAYEE = Payee("测试", "431023197005170011", "农村信用社", "6217000000000000", "城关镇", "东村")


def _lines(n: int) -> list[tuple[Line, Payee]]:
    return [(Line(uuid4(), "dibao", "regular", MONTH, 100_00, 100_00, "test"), PAYEE)
            for _ in range(n)]


def test_an_older_run_is_stopped_by_a_newer_run_and_cannot_complete(rt: Runtime) -> None:
    old = BatchRun(rt, MONTH, "regular", "clerk")
    old.start(0)
    new = BatchRun(rt, MONTH, "regular", "clerk2")
    new.start(0)
    with pytest.raises(RunSupersededError):
        old.record(_lines(3), {})
    lines = _lines(2)
    new.record(lines, {})
    batch = new.complete(0, {})
    assert (batch.payments, batch.total) == (2, 200_00)
    with pytest.raises(RunSupersededError):
        old.complete(0, {})


def test_no_run_can_record_into_an_approved_batch(rt: Runtime) -> None:
    run = BatchRun(rt, MONTH, "regular", "clerk")
    run.start(0)
    lines = _lines(1)
    run.record(lines, {})
    run.complete(0, {})
    approve_batch(rt, run.batch_id, "chief")
    before = rt.app.recorder.max_notification_id()
    with pytest.raises(BatchStateError):
        run.record(_lines(1), {})
    assert rt.app.recorder.max_notification_id() == before


def test_a_batch_whose_latest_run_did_not_finish_cannot_be_approved(rt: Runtime) -> None:
    done = BatchRun(rt, MONTH, "regular", "clerk")
    done.start(0)
    done.complete(0, {})
    BatchRun(rt, MONTH, "regular", "clerk").start(0)  # started, then killed
    with pytest.raises(BatchStateError, match="unfinished run"):
        approve_batch(rt, done.batch_id, "chief")
