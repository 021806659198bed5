"""The PostgreSQL recorder's faster chunk insert keeps the library's contract exactly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder

from ledger.adapters.postgres_recorder import PostgresEventRecorder
from ledger.bootstrap import open_runtime
from ledger.services.runtime import Runtime
from tests.conftest import require_backend
from tests.databases import temporary_database

AWKWARD = [b"", b"\x00\x01\\\"',{}()", "张三,\"quoted\"\\".encode(), bytes(range(256)) * 3]


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Runtime]:
    """A fresh PostgreSQL ledger (this adapter has no SQLite half)."""
    require_backend("postgresql")
    with temporary_database("postgresql", tmp_path) as url:
        runtime = open_runtime(url, init=True, cipher_key="")
        try:
            yield runtime
        finally:
            runtime.close()


def _events(n: int) -> list[StoredEvent]:
    return [StoredEvent(uuid4(), 1 + i % 3, f"t:{i % 4},\"x\"张", AWKWARD[i % len(AWKWARD)])
            for i in range(n)]


def test_chunks_are_stored_in_order_and_read_back_by_the_librarys_recorder(pg: Runtime) -> None:
    recorder = pg.app.recorder
    assert type(recorder) is PostgresEventRecorder  # plugged in through the library's setting
    stock = PostgresApplicationRecorder(datastore=recorder.datastore,
                                        events_table_name=recorder.events_table_name)
    start = recorder.max_notification_id() or 0
    events = _events(250)
    positions = list(recorder.insert_events(events[:100]) or []) + list(
        stock.insert_events(events[100:150]) or []) + list(recorder.insert_events(events[150:]) or [])
    assert positions == sorted(positions) and len(set(positions)) == 250
    for reader in (recorder, stock):
        back = reader.select_notifications(start, 1000, inclusive_of_start=False)
        assert [n.id for n in back] == positions
        assert [(n.originator_id, n.originator_version, n.topic, n.state) for n in back] == [
            (e.originator_id, e.originator_version, e.topic, e.state) for e in events]


def test_a_duplicate_in_a_chunk_records_nothing_and_is_the_librarys_integrity_error(
        pg: Runtime) -> None:
    recorder = pg.app.recorder
    first = _events(3)
    recorder.insert_events(first)
    before = recorder.max_notification_id()
    with pytest.raises(IntegrityError):
        recorder.insert_events([*_events(5), first[1]])
    assert recorder.max_notification_id() == before
