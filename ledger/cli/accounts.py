"""`ledger user add|disable|list`, and proving who approves on the command line.

Once any account exists, `payroll approve` and `relief approve` need the acting
account's password on standard input (``--password-stdin``): typing another
person's name after ``--by`` no longer makes you them.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from ledger.adapters.settings import acting_user
from ledger.cli.support import by_option, emit, handled, json_option, runtime
from ledger.domain.accounts import ROLES
from ledger.domain.errors import LedgerRefusal
from ledger.services.runtime import Runtime

password_stdin_option = click.option(
    "--password-stdin", "password_stdin", is_flag=True,
    help="read the acting account's password from standard input (needed once accounts exist)")


class ApproverNotProven(LedgerRefusal):
    """Raised when a CLI approval is not backed by the acting account's password."""


def _read_password() -> str:
    line = sys.stdin.readline()
    return line[:-1] if line.endswith("\n") else line


def proven_user(rt: Runtime, by: str | None, password_stdin: bool, action: str) -> str:
    """The acting user of an approval: with accounts, only an account whose password was given
    and whose role may perform ``action``."""
    from ledger.domain.roles import allowed
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
        raise ApproverNotProven(
            "accounts exist: approving needs the acting account's password (--password-stdin)")
    known = load_account(rt, name)
    if known is not None and not allowed(known.role, action):  # refused before any sign-in
        raise ApproverNotProven(f"user {known.account} ({known.role}) may not {action}")
    try:
        account = authenticate(rt, name, _read_password(), datetime.now(UTC))
    except SignInRefused:
        raise ApproverNotProven(
            "the password is wrong, or the account is unknown, disabled or locked") from None
    return account.account


@click.group()
def user() -> None:
    """Console accounts (用户) and their roles."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--town", "towns", multiple=True, help="limit the account to a town (repeatable)")
@password_stdin_option
@by_option
@handled
def user_add(name: str, role: str, towns: tuple[str, ...], password_stdin: bool,
             by: str | None) -> None:
    from ledger.services.account_service import add_user

    if not password_stdin:
        raise click.UsageError("give the password on standard input with --password-stdin")
    password = _read_password()
    with runtime() as rt:
        account = add_user(rt, name, role, towns, password, acting_user(by))
    where = f" for {', '.join(account.towns)}" if account.towns else ""
    click.echo(f"user {account.account} added as {role}{where}")


@user.command("disable")
@click.argument("name")
@by_option
@handled
def user_disable(name: str, by: str | None) -> None:
    from ledger.services.account_service import disable_user

    with runtime() as rt:
        account = disable_user(rt, name, acting_user(by))
    click.echo(f"user {account.account} disabled")


@user.command("set-role")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--town", "towns", multiple=True, help="limit the account to a town (repeatable)")
@by_option
@handled
def user_set_role(name: str, role: str, towns: tuple[str, ...], by: str | None) -> None:
    """Change an account's role and towns (a recorded fact, shown by `ledger audit`)."""
    from ledger.services.account_service import change_role

    with runtime() as rt:
        account = change_role(rt, name, role, towns, acting_user(by))
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
