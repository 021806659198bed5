"""A long read-only stream (a bank file, the payroll's case pages) never makes writers wait."""

from __future__ import annotations

import threading

from sqlalchemy import select, update

from ledger.adapters.snapshot_read import SNAPSHOT_READ
from ledger.services.runtime import Runtime
from projections import schema


def test_a_writer_goes_on_while_a_snapshot_read_is_open(rt: Runtime) -> None:
    with rt.engine.begin() as conn:
        conn.execute(schema.tracking.insert().values(name="probe", position=1))
    finished = threading.Event()

    def write() -> None:
        with rt.engine.begin() as conn:
            conn.execute(update(schema.tracking).where(schema.tracking.c.name == "probe")
                         .values(position=2))
        finished.set()

    with rt.engine.connect() as reader:
        reader.execution_options(**{SNAPSHOT_READ: True})
        t = schema.tracking.c
        assert reader.execute(select(t.position).where(t.name == "probe")).scalar_one() == 1
        writer = threading.Thread(target=write)
        writer.start()
        # Without the option, SQLite's BEGIN IMMEDIATE in the reader holds the write lock
        # and the writer waits for it (up to the 60 s busy timeout).
        assert finished.wait(10), "the writer waited for a read-only transaction"
    writer.join()
    with rt.engine.connect() as conn:
        assert conn.execute(select(schema.tracking.c.position)
                            .where(schema.tracking.c.name == "probe")).scalar_one() == 2
