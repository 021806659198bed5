"""Backends for the behavioural tests: every `ledger_url` test runs on SQLite and PostgreSQL.

Each test gets a fresh database (tests/databases.py). Without a PostgreSQL server
the PostgreSQL half skips with the reason; in CI (CI=true) a missing server fails
the run instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from eventsourcing.cryptography import AESCipher

from ledger.bootstrap import open_runtime
from ledger.services.runtime import Runtime
from tests.databases import PG_PROBLEM, temporary_database


def require_backend(backend: str) -> None:
    """Skip (or, in CI, fail) a PostgreSQL test when there is no server."""
    if backend == "postgresql" and PG_PROBLEM:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs PostgreSQL: {PG_PROBLEM}")
        pytest.skip(PG_PROBLEM)


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest, tmp_path, monkeypatch) -> Iterator[str]:
    """A fresh, empty ledger database URL on each backend, set as LEDGER_DATABASE_URL."""
    monkeypatch.delenv("LEDGER_CIPHER_KEY", raising=False)
    require_backend(request.param)
    with temporary_database(request.param, tmp_path) as url:
        monkeypatch.setenv("LEDGER_DATABASE_URL", url)
        yield url


@pytest.fixture
def rt(ledger_url: str) -> Iterator[Runtime]:
    runtime = open_runtime(ledger_url, init=True)
    try:
        yield runtime
    finally:
        runtime.close()


@pytest.fixture
def keyed(ledger_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    """A fresh ledger with a key: events encrypted and authenticated, personal columns sealed."""
    key = AESCipher.create_key(32)
    monkeypatch.setenv("LEDGER_CIPHER_KEY", key)
    runtime = open_runtime(ledger_url, init=True, cipher_key=key)
    try:
        yield runtime
    finally:
        runtime.close()
