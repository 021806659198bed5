"""Fresh, empty databases for tests: a SQLite file or a new PostgreSQL database.

PostgreSQL is the server on 127.0.0.1:5432 (trust auth); each database made here
is dropped afterwards. ``PG_PROBLEM`` says why PostgreSQL cannot be used, or None.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

PG_ADMIN = os.environ.get("LEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_problem() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return None
    except Exception as e:  # noqa: BLE001 - any failure means: no server to test against
        return f"PostgreSQL not reachable at {PG_ADMIN}: {e}"


PG_PROBLEM = _pg_problem()
_HEX_TO_LETTERS = str.maketrans("0123456789abcdef", "ghijklmnopabcdef")


@contextmanager
def temporary_database(backend: str, scratch: Path) -> Iterator[str]:
    """The URL of an empty ledger database on ``backend`` ('sqlite' files go in ``scratch``)."""
    if backend == "sqlite":
        yield f"sqlite:///{scratch / 'ledger.db'}"
        return
    # Letters only: a run of digits in the name would be masked as an account number in
    # messages, and tests compare messages naming this database.
    name = "ledger_t_" + uuid.uuid4().hex[:12].translate(_HEX_TO_LETTERS)
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def dump_read_model(rt: Any) -> dict[str, list[Any]]:
    """Every row of every read-model table, for comparing an incremental build with a rebuild.

    The journal's surrogate ``line_id`` is left out (sequences are not reset by a rebuild),
    and the hash chain is compared as its sequence of links: how links are grouped into rows
    follows the catch-up pages, which a rebuild need not repeat.
    """
    from sqlalchemy import select

    from projections import schema
    from projections.rebuild import READ_MODEL_TABLES

    with rt.engine.connect() as conn:
        rows: dict[str, list[Any]] = {
            t.name: sorted((tuple(r) for r in conn.execute(
                select(*[c for c in t.columns if c.name != "line_id"]))), key=repr)
            for t in READ_MODEL_TABLES if t is not schema.chain
        }
        rows["rm_chain"] = ["".join(conn.execute(
            select(schema.chain.c.links).order_by(schema.chain.c.first_position)).scalars())]
    return rows


@contextmanager
def fresh_ledger(backend: str) -> Iterator[tuple[Any, Path]]:
    """An initialised, empty ledger on ``backend`` and a scratch directory, both gone afterwards.

    For tests that need a new ledger per Hypothesis example (fixtures are per test).
    """
    import shutil
    import tempfile

    from ledger.bootstrap import open_runtime

    scratch = Path(tempfile.mkdtemp(prefix="ledger-test-"))
    try:
        with temporary_database(backend, scratch) as url:
            rt = open_runtime(url, init=True)
            try:
                yield rt, scratch
            finally:
                rt.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def two_county_urls(backend: str, scratch: Path) -> Iterator[tuple[str, str]]:
    """Two empty county ledgers: two SQLite files, or two schemas of one PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{scratch / 'county_a.db'}", f"sqlite:///{scratch / 'county_b.db'}"
        return
    with temporary_database("postgresql", scratch) as url:
        yield f"{url}?schema=county_a", f"{url}?schema=county_b"
