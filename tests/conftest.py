"""Backends for the behavioural tests: every `ledger_url` test runs on SQLite and PostgreSQL.

PostgreSQL is the server on 127.0.0.1:5432 (trust auth). Each test gets a fresh
database, dropped afterwards. Without a server the PostgreSQL half skips with
the reason; in CI (CI=true) a missing server fails the run instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from ledger.bootstrap import Runtime, open_runtime

PG_ADMIN = os.environ.get("LEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_problem() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return None
    except Exception as e:  # noqa: BLE001 - any failure means: no server to test against
        return f"PostgreSQL not reachable at {PG_ADMIN}: {e}"


_PG_PROBLEM = _pg_problem()


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest, tmp_path, monkeypatch) -> Iterator[str]:
    """A fresh, empty ledger database URL on each backend, set as LEDGER_DATABASE_URL."""
    monkeypatch.delenv("LEDGER_CIPHER_KEY", raising=False)
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ledger.db'}"
        monkeypatch.setenv("LEDGER_DATABASE_URL", url)
        yield url
        return
    if _PG_PROBLEM:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs PostgreSQL: {_PG_PROBLEM}")
        pytest.skip(_PG_PROBLEM)
    name = f"ledger_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    monkeypatch.setenv("LEDGER_DATABASE_URL", url)
    try:
        yield url
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def rt(ledger_url: str) -> Iterator[Runtime]:
    runtime = open_runtime(ledger_url, init=True)
    try:
        yield runtime
    finally:
        runtime.close()
