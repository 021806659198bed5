"""Configuration from the environment: which store, which user, which key.

``LEDGER_DATABASE_URL`` picks both the event store (the eventsourcing library's
own SQLite or PostgreSQL module) and the read-model database (SQLAlchemy); they
are the same database, so one backup holds everything.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from ledger.domain.safe_text import safe_url
from ledger.domain.user_names import normalise_user

DEFAULT_URL = "sqlite:///ledger.db"


class SettingsError(ValueError):
    """Raised when LEDGER_DATABASE_URL cannot be understood."""


@dataclass(frozen=True)
class Settings:
    url: str
    event_store_env: dict[str, str]
    sqlalchemy_url: str
    backend: str
    """'sqlite' or 'postgresql'."""
    cipher_key: str | None = None
    """LEDGER_CIPHER_KEY: personal data in events and read models is encrypted with it."""
    payroll_workers: int | None = None
    """LEDGER_PAYROLL_WORKERS: processes computing a payroll's parts (default: one per core)."""


def load_settings(url: str | None = None, cipher_key: str | None = None) -> Settings:
    url = url or os.environ.get("LEDGER_DATABASE_URL") or DEFAULT_URL
    if cipher_key is None:
        cipher_key = os.environ.get("LEDGER_CIPHER_KEY") or None
    env: dict[str, str] = {}
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if not path or path == ":memory:":
            raise SettingsError("an in-memory SQLite ledger would vanish; give a file path")
        env.update(PERSISTENCE_MODULE="eventsourcing.sqlite", SQLITE_DBNAME=path,
                   SQLITE_LOCK_TIMEOUT="60")
        sa_url, backend = f"sqlite:///{path}", "sqlite"
    elif url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        parts = urlsplit(url)
        if not parts.path.strip("/"):
            raise SettingsError(f"no database name in LEDGER_DATABASE_URL {safe_url(url)!r}")
        env.update(
            PERSISTENCE_MODULE="eventsourcing.postgres",
            POSTGRES_DBNAME=parts.path.strip("/"),
            POSTGRES_HOST=parts.hostname or "127.0.0.1",
            POSTGRES_PORT=str(parts.port or 5432),
            POSTGRES_USER=unquote(parts.username or getpass.getuser()),
            POSTGRES_PASSWORD=unquote(parts.password or ""),
            POSTGRES_LOCK_TIMEOUT="30",
            # The library's recorder with a faster chunk insert (see ledger/adapters/postgres_recorder.py).
            APPLICATION_RECORDER_TOPIC="ledger.adapters.postgres_recorder:PostgresEventRecorder",
            POSTGRES_POOL_SIZE="2",
            POSTGRES_MAX_OVERFLOW="4",
        )
        sa_url = "postgresql+psycopg://" + url.split("://", 1)[1]
        backend = "postgresql"
    else:
        raise SettingsError(
            "LEDGER_DATABASE_URL must be sqlite:///PATH or postgresql://..., "
            f"not {safe_url(url)!r}"
        )
    if cipher_key:
        env.update(CIPHER_TOPIC="eventsourcing.cryptography:AESCipher", CIPHER_KEY=cipher_key)
    return Settings(url=url, event_store_env=env, sqlalchemy_url=sa_url, backend=backend,
                    cipher_key=cipher_key, payroll_workers=_workers())


def _workers() -> int | None:
    text = os.environ.get("LEDGER_PAYROLL_WORKERS", "").strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise SettingsError(f"LEDGER_PAYROLL_WORKERS must be a whole number from 1 to 64, "
                            f"not {text[:20]!r}")
    return int(text)


def acting_user(by: str | None = None) -> str:
    """--by, else LEDGER_USER, else the OS user: every change records who did it.

    Normalised (ledger/domain/user_names.py), so ``CLERK`` and ``clerk `` are the one user
    maker–checker compares; a bad name is bad input (UserNameError, exit 2).
    """
    if by is not None:
        return normalise_user(by)
    return normalise_user(os.environ.get("LEDGER_USER") or getpass.getuser())
