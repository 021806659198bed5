"""Shared pieces of the command line: exit-code mapping, runtime opening, output.

Exit codes: 0 done; 1 refused by a business rule; 2 bad input or usage.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar
from uuid import UUID

import click

from ledger.adapters.db_errors import DatabaseUnavailableError
from ledger.adapters.sealing import CipherKeyError
from ledger.adapters.settings import SettingsError
from ledger.bootstrap import NotInitialisedError, open_runtime
from ledger.domain.calendar import Month, MonthFormatError
from ledger.domain.errors import LedgerRefusal, NotFoundError, WorkerLostError
from ledger.domain.money import MoneyFormatError
from ledger.domain.safe_text import scrub
from ledger.services.runtime import Runtime

F = TypeVar("F", bound=Callable[..., Any])


class BadInput(click.ClickException):
    exit_code = 2


def handled(fn: F) -> F:
    """Map domain refusals to exit 1 and bad input to exit 2, with the message on stderr.

    Under ``--json`` the error is JSON on stdout instead: ``{"error": ..., "exit": N}``,
    so a script reading stdout always gets JSON. Every message is scrubbed
    (ledger/domain/safe_text.py): no password, key or full number is ever printed.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except click.ClickException as e:
            fail(e.format_message(), e.exit_code, kwargs.get("as_json", False))
        except NotFoundError as e:  # an id or number that names nothing: bad input
            fail(f"not found: {e}", 2, kwargs.get("as_json", False))
        except LedgerRefusal as e:
            fail(f"refused: {e}", 1, kwargs.get("as_json", False))
        except (NotInitialisedError, SettingsError, CipherKeyError,
                DatabaseUnavailableError) as e:
            fail(f"error: {e}", 2, kwargs.get("as_json", False))
        except WorkerLostError as e:  # the run stopped part-way; running it again finishes it
            fail(f"error: {e}", 1, kwargs.get("as_json", False))
        except (ValueError, MonthFormatError, MoneyFormatError) as e:
            fail(f"bad input: {e}", 2, kwargs.get("as_json", False))

    return wrapper  # type: ignore[return-value]


def fail(message: str, code: int, as_json: bool = False) -> NoReturn:
    """Print one error (scrubbed; JSON on stdout under --json) and exit with ``code``."""
    message = scrub(message)
    if as_json:
        click.echo(json.dumps({"error": message, "exit": code}, ensure_ascii=False))
    else:
        click.echo(message, err=True)
    sys.exit(code)


@contextmanager
def runtime(init: bool = False) -> Iterator[Runtime]:
    rt = open_runtime(init=init)
    try:
        yield rt
    finally:
        rt.close()


def emit(data: Any, as_json: bool, text: Callable[[], None]) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False))
    else:
        text()


def month_arg(text: str) -> Month:
    return Month.parse(text)


def uuid_arg(text: str, what: str) -> UUID:
    try:
        return UUID(text.strip())
    except ValueError:
        raise BadInput(f"not a {what} id: {text!r}") from None


json_option = click.option("--json", "as_json", is_flag=True, help="machine-readable output")


