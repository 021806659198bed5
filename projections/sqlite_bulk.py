"""SQLite settings for one long bulk write (a rebuild), and only for its duration.

A rebuild rewrites every read-model table: about 60% of its writer's time is inside
SQLite, and much of that is the write-ahead log being copied back into the database
every 1,000 pages (the default ``wal_autocheckpoint``) and the hot pages of the
random-keyed indexes falling out of a 2 MB page cache, to be read and written again
a few commits later. For the rebuild's connections only, the checkpoint waits for
:data:`CHECKPOINT_PAGES` and the cache holds :data:`CACHE_KIB`; measured at 100k cases
(2 read-ahead workers, SQLite): 24.4-26.8 s -> 18.9-20.9 s. Each alone gave less.

Why not always: a larger cache is memory per pooled connection, and a WAL left at
hundreds of megabytes slows every reader and holds disk. So the settings are put on
each connection as the rebuild takes it from the pool and the connection's own values
are put back as it returns, and at the end one passive checkpoint (which never waits
for readers) copies the log back. Durability is unchanged: ``synchronous`` and the
journal mode are not touched, and a rebuild killed midway is simply run again.

Only connections the calling thread checks out get the settings: a far-behind follower
catches up with them in a process whose other threads (the scheduler's jobs) share the
engine, and their connections keep their own. Other processes' connections never see them.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

CACHE_KIB = 200_000
"""Page cache of a rebuild's connection, in KiB (SQLite's default is 2,000)."""
CHECKPOINT_PAGES = 100_000
"""WAL pages (4 KiB each) a rebuild lets accumulate before a checkpoint (default 1,000)."""
_SAVED = "ledger_bulk_saved_pragmas"
_WRITERS: weakref.WeakKeyDictionary[Engine, dict[int, int]] = weakref.WeakKeyDictionary()
"""Per engine: thread id -> how many bulk blocks that thread has open."""
_INSTALLING = threading.Lock()


def install(engine: Engine) -> None:
    """Listen on ``engine``'s checkouts and checkins once, for good (``bootstrap`` does it as
    it makes the engine). Adding and removing listeners while other threads check
    connections out is not safe in SQLAlchemy, so a bulk block only marks its thread."""
    with _INSTALLING:
        if engine in _WRITERS:
            return
        writers: dict[int, int] = {}

        def checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
            if threading.get_ident() in writers:
                _checkout(dbapi_connection, record, proxy)

        event.listen(engine, "checkout", checkout)
        event.listen(engine, "checkin", _checkin)  # puts back only what a checkout saved
        _WRITERS[engine] = writers


@contextmanager
def bulk_writing(engine: Engine) -> Iterator[None]:
    """Within the block, the connections this thread takes from ``engine`` write in bulk
    (SQLite); elsewhere a no-op."""
    if engine.dialect.name != "sqlite":
        yield
        return
    install(engine)  # already done for the ledger's engine; here for any other
    writers = _WRITERS[engine]
    me = threading.get_ident()
    writers[me] = writers.get(me, 0) + 1
    try:
        yield
    finally:
        writers[me] -= 1
        if not writers[me]:
            del writers[me]
    if me in writers:
        return  # an enclosing block of this thread checkpoints when it ends
    # After a failure the next commit's ordinary checkpoint copies the log back; one here
    # could only hide the error that stopped the rebuild behind one of its own.
    raw = engine.raw_connection()  # outside a transaction, where a checkpoint can run
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")  # type: ignore[union-attr]
    finally:
        raw.close()


def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    if _SAVED not in record.info:
        record.info[_SAVED] = (_pragma(dbapi_connection, "cache_size"),
                               _pragma(dbapi_connection, "wal_autocheckpoint"))
    dbapi_connection.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
    dbapi_connection.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}")


def _checkin(dbapi_connection: Any, record: Any) -> None:
    saved = record.info.pop(_SAVED, None)
    if dbapi_connection is None or saved is None:  # invalidated: the pool discards it anyway
        return
    cache, checkpoint = saved
    dbapi_connection.execute(f"PRAGMA cache_size = {int(cache)}")
    dbapi_connection.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint)}")


def _pragma(dbapi_connection: Any, name: str) -> int:
    return int(dbapi_connection.execute(f"PRAGMA {name}").fetchone()[0])
