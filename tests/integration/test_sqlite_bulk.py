"""A rebuild's SQLite connections write in bulk, and give the settings back afterwards."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine

from projections.sqlite_bulk import CACHE_KIB, CHECKPOINT_PAGES, bulk_writing


def _settings(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (conn.exec_driver_sql("PRAGMA cache_size").scalar_one(),
                conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


def test_the_bulk_settings_hold_inside_the_block_only(
        tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'bulk.db'}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        conn.exec_driver_sql("PRAGMA cache_size = -1234")  # this connection's own choice
    before = _settings(engine)
    assert before == (-1234, 1000)
    with bulk_writing(engine):
        assert _settings(engine) == (-CACHE_KIB, CHECKPOINT_PAGES)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x TEXT)")
            conn.exec_driver_sql("INSERT INTO t SELECT hex(randomblob(100)) FROM "
                                 "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
                                 "FROM n WHERE i < 5000) SELECT i FROM n)")
    assert _settings(engine) == before
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 5000
    engine.dispose()


def test_another_threads_connections_keep_their_own_settings(tmp_path: Path) -> None:
    """A far-behind follower writes in bulk in a process whose job threads share the engine:
    a connection they take meanwhile is not given the settings (nor left with them)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'bulk.db'}", pool_size=2)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    seen: list[tuple[int, int]] = []
    with bulk_writing(engine), engine.connect() as mine:  # held: the thread gets another
        job = threading.Thread(target=lambda: seen.append(_settings(engine)))
        job.start()
        job.join()
        assert mine.exec_driver_sql("PRAGMA cache_size").scalar_one() == -CACHE_KIB
    assert seen == [(-2000, 1000)]  # SQLite's defaults, not the bulk settings
    engine.dispose()


def test_a_block_ending_in_one_thread_leaves_anothers_block_in_force(tmp_path: Path) -> None:
    """Two bulk blocks overlap (two threads): the first to end does not end the other's, and
    when both have ended no pooled connection keeps the bulk settings."""
    engine = create_engine(f"sqlite:///{tmp_path / 'bulk.db'}", pool_size=2)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    entered, ours_ended = threading.Event(), threading.Event()
    seen: list[tuple[int, int]] = []

    def other() -> None:
        with bulk_writing(engine):
            entered.set()
            ours_ended.wait(10)
            seen.append(_settings(engine))  # a checkout after the other block ended

    job = threading.Thread(target=other)
    with bulk_writing(engine):
        job.start()
        assert entered.wait(10)
        assert _settings(engine) == (-CACHE_KIB, CHECKPOINT_PAGES)
    ours_ended.set()
    job.join()
    assert seen == [(-CACHE_KIB, CHECKPOINT_PAGES)]
    with engine.connect() as a, engine.connect() as b:  # both pooled connections
        for conn in (a, b):
            assert (conn.exec_driver_sql("PRAGMA cache_size").scalar_one(),
                    conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one()) == (-2000, 1000)
    engine.dispose()
