"""Who acts on the command line, proven; and `ledger user add|disable|set-role|list`.

Every command that records something takes ``--by`` and ``--password-stdin``
(:func:`actor_options`). On a ledger without accounts (being set up, the demo) the acting
user is the one named (``--by``, else ``LEDGER_USER``, else the OS user), as before. Once any
account exists, a command records nothing until the acting account's password has been
given on standard input and its role may do what the command does (``ledger/domain/roles.py``,
the table the console keeps to): typing another person's name after ``--by`` does not make
you them, and a clerk cannot approve, nor an approver make the batch they approve. An account
limited to towns is refused here: the command line acts county-wide, and the console keeps
such an account to its towns. A dry run records nothing and needs no password.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import click

from ledger.adapters.settings import acting_user
from ledger.cli.support import emit, handled, json_option, runtime
from ledger.domain.accounts import ROLES
from ledger.domain.errors import LedgerRefusal
from ledger.services.runtime import Runtime

F = TypeVar("F", bound=Callable[..., Any])


class ActorNotProven(LedgerRefusal):
    """Raised when a command would record something for an account not proven to act."""


def _read_password() -> str:
    line = sys.stdin.readline()
    return line[:-1] if line.endswith("\n") else line


def proven_user(rt: Runtime, by: str | None, password_stdin: bool, action: str) -> str:
    """The acting user: without accounts the one named; with accounts, only a county-wide
    account whose password was given on standard input and whose role may ``action``."""
    from ledger.domain.roles import ACTIONS, allowed
    from ledger.services.account_service import (
        SignInRefused,
        accounts_exist,
        authenticate,
        load_account,
    )

    name = acting_user(by)
    if not accounts_exist(rt):
        return name
    if not password_stdin:
        raise ActorNotProven(
            f"accounts exist: {action} ({ACTIONS[action]}) needs the acting account's password "
            "on standard input (--password-stdin), and --by or LEDGER_USER naming that account")
    known = load_account(rt, name)
    if known is not None and not allowed(known.role, action):  # refused before any sign-in
        raise ActorNotProven(f"user {known.account} ({known.role}) may not {action}")
    try:
        account = authenticate(rt, name, _read_password(), datetime.now(UTC))
    except SignInRefused:
        raise ActorNotProven(
            "the password is wrong, or the account is unknown, disabled or locked") from None
    if account.towns:
        raise ActorNotProven(f"user {account.account} is limited to towns: the command line "
                             "acts county-wide; use the console, which keeps to those towns")
    return account.account


@dataclass(frozen=True)
class Claim:
    """Who a command says acts (``--by``) and whether their password is on standard input."""

    by: str | None
    password_stdin: bool

    def proven(self, rt: Runtime, action: str) -> str:
        """The acting user, proven for ``action`` (:func:`proven_user`)."""
        return proven_user(rt, self.by, self.password_stdin, action)

    def named(self) -> str:
        """The acting user as named, unproven: for a dry run, which records nothing."""
        return acting_user(self.by)


def actor_options(fn: F) -> F:
    """``--by`` and ``--password-stdin``, handed to the command as one ``claim``."""

    @functools.wraps(fn)
    def wrapper(*args: Any, by: str | None, password_stdin: bool, **kwargs: Any) -> Any:
        return fn(*args, claim=Claim(by, password_stdin), **kwargs)

    wrapper = click.option(
        "--password-stdin", "password_stdin", is_flag=True,
        help="read the acting account's password from standard input (needed once accounts "
             "exist)")(wrapper)
    wrapper = click.option("--by", "by", default=None,
                           help="acting user (default LEDGER_USER or OS user)")(wrapper)
    return wrapper  # type: ignore[return-value]


@click.group()
def user() -> None:
    """Console accounts (用户) and their roles."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--town", "towns", multiple=True, help="limit the account to a town (repeatable)")
@actor_options
@handled
def user_add(name: str, role: str, towns: tuple[str, ...], claim: Claim) -> None:
    """Add an account; its password on standard input (--password-stdin). Once accounts
    exist, the acting administrator's password comes first, on a line of its own."""
    from ledger.services.account_service import add_user

    if not claim.password_stdin:
        raise click.UsageError("give the password on standard input with --password-stdin")
    with runtime() as rt:
        actor = claim.proven(rt, "user.manage")
        account = add_user(rt, name, role, towns, _read_password(), actor)
    where = f" for {', '.join(account.towns)}" if account.towns else ""
    click.echo(f"user {account.account} added as {role}{where}")


@user.command("disable")
@click.argument("name")
@actor_options
@handled
def user_disable(name: str, claim: Claim) -> None:
    from ledger.services.account_service import disable_user

    with runtime() as rt:
        account = disable_user(rt, name, claim.proven(rt, "user.manage"))
    click.echo(f"user {account.account} disabled")


@user.command("set-role")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--town", "towns", multiple=True, help="limit the account to a town (repeatable)")
@actor_options
@handled
def user_set_role(name: str, role: str, towns: tuple[str, ...], claim: Claim) -> None:
    """Change an account's role and towns (a recorded fact, shown by `ledger audit`)."""
    from ledger.services.account_service import change_role

    with runtime() as rt:
        account = change_role(rt, name, role, towns, claim.proven(rt, "user.manage"))
    where = f" for {', '.join(account.towns)}" if account.towns else " county-wide"
    click.echo(f"user {account.account} is now {role}{where}")


@user.command("list")
@json_option
@handled
def user_list(as_json: bool) -> None:
    from ledger.services.account_service import list_users

    with runtime() as rt:
        users = list_users(rt)

    def text() -> None:
        for u in users:
            state = "disabled" if u["disabled"] else "active"
            click.echo(f"{u['name']:<20} {u['role']:<9} {state:<8} {','.join(u['towns'])}")

    emit({"users": users}, as_json, text)
