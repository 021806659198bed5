"""On PostgreSQL the read model commits asynchronously; the event store never does.

The read model is derived (its rows and tracking position commit together, so a lost
commit is re-applied by the next catch-up); events are the record and must be on disk
before a command answers. The encryption marker, the one read-side fact not derived from
events, is committed synchronously too.
"""

from __future__ import annotations

from ledger.services.runtime import Runtime


def test_the_read_model_commits_asynchronously_and_the_event_store_synchronously(
        rt: Runtime) -> None:
    datastore = rt.app.recorder.datastore  # type: ignore[attr-defined]
    if rt.settings.backend != "postgresql":
        # SQLite (WAL): the read model's connections sync at checkpoints (NORMAL = 1), the
        # event store's at every commit (the library's default, FULL = 2).
        with rt.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar_one() == 1
        with datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 2
        return
    with rt.engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW synchronous_commit").scalar_one() == "off"
        # and no JIT compilation for the read model's many short queries
        assert conn.exec_driver_sql("SHOW jit").scalar_one() == "off"
    with datastore.get_connection() as conn, conn.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()["synchronous_commit"] == "on"
