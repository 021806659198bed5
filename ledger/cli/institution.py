"""`ledger institution add|grant|account|list`: institutions as payees (幸福院、敬老院).

Thin: parse, call ``ledger.services.institutions``, print. A wrong code (GB 32100 check
character) is bad input (exit 2) and nothing is recorded.
"""

from __future__ import annotations

import click

from ledger.cli.accounts import Claim, actor_options
from ledger.cli.support import emit, handled, json_option, runtime
from ledger.cli.text import TEXT
from ledger.domain.institution import PERIODS


@click.group()
def institution() -> None:
    """Institutions paid by the ledger (幸福院、敬老院), by unified social credit code."""


@institution.command("add")
@click.argument("code")
@click.option("--name", type=TEXT, required=True)
@click.option("--town", type=TEXT, required=True)
@click.option("--bank-account", required=True)
@click.option("--bank-name", type=TEXT, required=True)
@actor_options
@handled
def institution_add(code: str, name: str, town: str, bank_account: str, bank_name: str,
                    claim: Claim) -> None:
    """Add an institution; CODE is its 18-character unified social credit code."""
    from ledger.services.institutions import add

    with runtime() as rt:
        added = add(rt, code, name, town, bank_account, bank_name, claim.proven(rt, "institution.add"))
    click.echo(f"institution {added.code} {added.name} ({added.town}) added")


@institution.command("grant")
@click.argument("code")
@click.option("--programme", required=True, help="the programme whose fund pays (e.g. tekun)")
@click.option("--amount", required=True, help="yuan, per --per")
@click.option("--per", type=click.Choice(PERIODS), required=True)
@click.option("--from", "from_month", required=True, help="first month paid, YYYY-MM")
@click.option("--to", "to_month", default=None, help="last month paid, YYYY-MM (month|year)")
@click.option("--ref", type=TEXT, required=True, help="the decision's reference (文号)")
@actor_options
@handled
def institution_grant(code: str, programme: str, amount: str, per: str, from_month: str,
                      to_month: str | None, ref: str, claim: Claim) -> None:
    """Grant an institution money, paid by the regular payroll (programme `institution`)."""
    from ledger.domain.money import format_yuan
    from ledger.services.institutions import grant

    with runtime() as rt:
        made = grant(rt, code, programme, amount, per, from_month, to_month, ref,
                     claim.proven(rt, "institution.grant"))
    until = f" to {made.to_month}" if made.to_month else ("" if per == "once" else " on")
    click.echo(f"grant #{made.number} to {code.strip().upper()}: {made.formula()}, paid "
               f"{format_yuan(made.monthly())} {'once in' if per == 'once' else 'a month from'} "
               f"{made.from_month}{until}")


@institution.command("account")
@click.argument("code")
@click.option("--bank-account", required=True)
@click.option("--bank-name", type=TEXT, required=True)
@click.option("--reason", type=TEXT, required=True, help="why it changes (e.g. 账户已销户)")
@actor_options
@handled
def institution_account(code: str, bank_account: str, bank_name: str, reason: str,
                        claim: Claim) -> None:
    """Correct an institution's bank account; transfers the bank returned are paid again
    to it by the next regular payroll."""
    from ledger.domain.identity import mask
    from ledger.services.institutions import change_account

    with runtime() as rt:
        changed = change_account(rt, code, bank_account, bank_name, reason, claim.proven(rt, "institution.account"))
    click.echo(f"institution {changed.code} {changed.name}: account now "
               f"{mask(changed.bank_account)} ({changed.bank_name})")


@institution.command("rename")
@click.argument("code")
@click.option("--name", type=TEXT, required=True, help="the name its bank account is held in")
@click.option("--reason", type=TEXT, required=True, help="why it changes (e.g. 机构更名)")
@actor_options
@handled
def institution_rename(code: str, name: str, reason: str, claim: Claim) -> None:
    """Correct an institution's name; transfers the bank returned (户名不符) are paid again
    under it by the next regular payroll."""
    from ledger.services.institutions import rename

    with runtime() as rt:
        renamed = rename(rt, code, name, reason, claim.proven(rt, "institution.rename"))
    click.echo(f"institution {renamed.code}: name now {renamed.name}")


@institution.command("list")
@json_option
@handled
def institution_list(as_json: bool) -> None:
    """Every institution with its grants (bank account masked)."""
    from ledger.services.institutions import listing

    with runtime() as rt:
        rows = listing(rt)

    def text() -> None:
        for r in rows:
            click.echo(f"{r['code']}  {r['name']}  {r['town']}  {r['bank_name']} "
                       f"{r['bank_account']}")
            for g in r["grants"]:
                click.echo(f"  #{g['number']} {g['programme']} {g['amount']}/{g['per']} from "
                           f"{g['from']}{' to ' + g['to'] if g['to'] else ''}  [{g['ref']}]  "
                           f"by {g['granted_by']}")

    emit({"institutions": rows}, as_json, text)
