"""A database that cannot be reached is a plain message (exit 2), never a driver's traceback.

The drivers' and libraries' connection errors are many (SQLAlchemy, psycopg, the
eventsourcing library's own); opening the ledger turns any of them into one
:class:`DatabaseUnavailableError` that names the database without its password.
"""

from __future__ import annotations

import eventsourcing.persistence as es
import psycopg
import sqlalchemy.exc

from ledger.domain.safe_text import safe_url, scrub

UNREACHABLE: tuple[type[BaseException], ...] = (
    sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError,
    psycopg.OperationalError, psycopg.InterfaceError,
    es.OperationalError, es.InterfaceError, es.ConnectionUnavailableError,
)
"""Errors that mean: no server, no such database, refused login, unreadable file."""


class DatabaseUnavailableError(RuntimeError):
    """Raised when the ledger's database cannot be reached or opened (exit 2)."""

    def __init__(self, url: str, cause: BaseException) -> None:
        reason = _first_line(getattr(cause, "orig", None) or cause)
        hint = ""
        if "does not exist" in reason and url.startswith("postgres"):
            hint = " (create the database first, e.g. `createdb`, then run `ledger init`)"
        super().__init__(f"cannot reach the database {safe_url(url)}: {reason}{hint}")


def _first_line(error: BaseException) -> str:
    """The driver's own words, first line only, with anything secret masked."""
    lines = [ln.strip() for ln in str(error).splitlines() if ln.strip()]
    text = lines[0] if lines else type(error).__name__
    return scrub(text.removeprefix("connection failed: "))
