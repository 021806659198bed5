"""Shared pieces of the command line: exit-code mapping, runtime opening, output.

Exit codes: 0 done; 1 refused by a business rule; 2 bad input or usage.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from uuid import UUID

import click

from ledger.bootstrap import NotInitialisedError, Runtime, open_runtime
from ledger.calendar import Month, MonthFormatError
from ledger.errors import LedgerRefusal, NotFoundError
from ledger.money import MoneyFormatError
from ledger.sealing import CipherKeyError
from ledger.settings import SettingsError

F = TypeVar("F", bound=Callable[..., Any])


class BadInput(click.ClickException):
    exit_code = 2


def handled(fn: F) -> F:
    """Map domain refusals to exit 1 and bad input to exit 2, with the message on stderr."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except click.ClickException:
            raise
        except NotFoundError as e:  # an id or number that names nothing: bad input
            click.echo(f"not found: {e}", err=True)
            sys.exit(2)
        except LedgerRefusal as e:
            click.echo(f"refused: {e}", err=True)
            sys.exit(1)
        except (NotInitialisedError, SettingsError, CipherKeyError) as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(2)
        except (ValueError, MonthFormatError, MoneyFormatError) as e:
            click.echo(f"bad input: {e}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


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


by_option = click.option("--by", "by", default=None, help="acting user (default LEDGER_USER or OS user)")
json_option = click.option("--json", "as_json", is_flag=True, help="machine-readable output")


