"""Configuration from the environment: which store, which user, which key.

``LEDGER_DATABASE_URL`` picks both the event store (the eventsourcing library's
own SQLite or PostgreSQL module) and the read-model database (SQLAlchemy); they
are the same database, so one backup holds everything.

On PostgreSQL one county's ledger may live in its own schema of a shared database:
``postgresql://host/province?schema=county_431023``. The schema is then the library's
``POSTGRES_SCHEMA`` (event table, its type and function) and the read models' only
``search_path`` (SQLAlchemy, alembic and the scheduler's job store), so nothing of one
county is ever found in another's; ``ledger init`` creates the schema.
"""

from __future__ import annotations

import getpass
import os
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from ledger.domain.safe_text import safe_url
from ledger.domain.user_names import normalise_user

DEFAULT_URL = "sqlite:///ledger.db"
SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
"""A county schema: lower-case letters, digits and _, as PostgreSQL keeps it unquoted."""


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
    schema: str | None = None
    """PostgreSQL only: the county's schema (``?schema=NAME``), or None for ``public``."""
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
        schema, query = _county_schema(parts.query, url)
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
        if schema:
            env["POSTGRES_SCHEMA"] = schema
        sa_url = "postgresql+psycopg://" + parts._replace(scheme="", query=query).geturl()[2:]
        backend = "postgresql"
    else:
        raise SettingsError(
            "LEDGER_DATABASE_URL must be sqlite:///PATH or postgresql://..., "
            f"not {safe_url(url)!r}"
        )
    if cipher_key:
        env.update(CIPHER_TOPIC="eventsourcing.cryptography:AESCipher", CIPHER_KEY=cipher_key)
    return Settings(url=url, event_store_env=env, sqlalchemy_url=sa_url, backend=backend,
                    cipher_key=cipher_key, schema=schema if backend == "postgresql" else None,
                    payroll_workers=_workers())


def _county_schema(query: str, url: str) -> tuple[str | None, str]:
    """The ``schema`` of a PostgreSQL URL, and the query the driver gets instead.

    The schema becomes the connection's only ``search_path`` (libpq ``options``). A
    ``search_path`` given by hand is refused: the event store would not follow it, and a
    county whose events and read models sat in different schemas would be two ledgers.
    """
    schema = None
    rest, options = [], []
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key == "schema":
            if not SCHEMA_NAME.fullmatch(value):
                raise SettingsError(
                    f"schema {value!r} in {safe_url(url)!r}: use lower-case letters, digits "
                    "and _ (at most 63, not starting with a digit)")
            schema = value
        elif key == "options" and "search_path" in value:
            raise SettingsError(
                f"name a county's schema with ?schema=NAME, not a search_path option "
                f"({safe_url(url)!r})")
        elif key == "options":
            options.append(value)
        else:
            rest.append((key, value))
    if schema:
        options.append(f"-csearch_path={schema}")
    if options:
        rest.append(("options", " ".join(options)))
    return schema, urlencode(rest, quote_via=quote)


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
