"""The follower keeps the read model caught up with events recorded by another process."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from ledger.bootstrap import open_runtime
from ledger.services.runtime import Runtime
from projections.follow import Follower
from projections.rebuild import empty
from tests.databases import dump_read_model
from tests.integration.test_read_ahead import _county


def test_the_follower_catches_up_with_events_recorded_elsewhere(rt: Runtime, ledger_url: str) -> None:
    follower = Follower(rt.read_model, poll_seconds=0.1).start()
    try:
        other = open_runtime(ledger_url)  # another process's view of the same ledger
        try:
            other.app.set_policy("graduation.months", "4", date(2024, 1, 1), "clerk")
            target = other.app.recorder.max_notification_id()
        finally:
            other.close()
        deadline = time.monotonic() + 10
        while rt.read_model.position() < target and time.monotonic() < deadline:
            time.sleep(0.05)
        assert rt.read_model.position() == target
    finally:
        follower.stop()


def test_on_postgresql_the_follower_listens_instead_of_polling(rt: Runtime, ledger_url: str) -> None:
    """With the project's own recorder too: an event arrives well within the poll interval."""
    follower = Follower(rt.read_model, poll_seconds=30).start()
    try:
        expected = "listen" if ledger_url.startswith("postgresql") else "poll"
        assert follower.mode == expected
        if expected == "poll":
            return  # SQLite has no notifications; the test above covers polling
        time.sleep(0.3)  # let it subscribe
        other = open_runtime(ledger_url)
        try:
            started = time.monotonic()
            other.app.set_policy("graduation.months", "5", date(2024, 1, 1), "clerk")
            target = other.app.recorder.max_notification_id()
        finally:
            other.close()
        while rt.read_model.position() < target and time.monotonic() - started < 5:
            time.sleep(0.01)
        assert rt.read_model.position() == target
        assert time.monotonic() - started < 2.0  # the poll would have taken 30 s
    finally:
        follower.stop()


@pytest.mark.parametrize(("ahead_from", "read_ahead"), [(1, 1), (10**9, 0)],
                         ids=["far-behind", "close-behind"])
def test_a_follower_far_behind_reads_ahead_and_builds_the_same_rows(
        rt: Runtime, tmp_path: Path, ahead_from: int, read_ahead: int) -> None:
    """A read model emptied (a restore) is caught up by the follower: read ahead by two
    workers when at least ``ahead_from`` events behind, plainly otherwise; the same rows."""
    _county(rt, tmp_path)
    before = dump_read_model(rt)
    target = rt.app.recorder.max_notification_id()
    empty(rt.read_model)
    follower = Follower(rt.read_model, poll_seconds=0.1, workers=2,
                        ahead_from=ahead_from).start()
    try:
        deadline = time.monotonic() + 60
        while rt.read_model.position() < target and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        follower.stop()
    assert rt.read_model.position() == target
    assert follower.read_ahead == read_ahead
    assert dump_read_model(rt) == before
