"""`ledger relief grant|approve|list|refuse|account`: temporary relief (临时救助), its approvals,
refusals and account corrections."""

from __future__ import annotations

from datetime import date

import click

from ledger.cli.accounts import Claim, actor_options
from ledger.cli.support import emit, handled, json_option, runtime, uuid_arg
from ledger.cli.text import TEXT
from ledger.domain.calendar import parse_date
from ledger.domain.identity import normalize_id_number


@click.group()
def relief() -> None:
    """Temporary relief (临时救助)."""


@relief.command("grant")
@click.argument("id_number")
@click.option("--multiple", type=int, required=True)
@click.option("--reason", type=TEXT, required=True)
@click.option("--name", type=TEXT, default=None)
@click.option("--area", type=click.Choice(["urban", "rural"]), default=None)
@click.option("--town", type=TEXT, default=None)
@click.option("--village", type=TEXT, default=None)
@click.option("--bank-account", default=None)
@click.option("--bank-name", type=TEXT, default=None)
@click.option("--on", "on", default=None, help="grant date (default today)")
@click.option("--advance", is_flag=True, help="先行救助: payable by a relief batch before approval")
@actor_options
@handled
def relief_grant(id_number: str, multiple: int, reason: str, name: str | None, area: str | None,
                 town: str | None, village: str | None, bank_account: str | None,
                 bank_name: str | None, on: str | None, advance: bool, claim: Claim) -> None:
    from ledger.domain.identity import normalize_bank_account
    from ledger.services.temporary_relief import NewPerson, grant_relief

    today = parse_date(on) if on else date.today()
    number = normalize_id_number(id_number, today)
    person = NewPerson(name, area, town, village,
                       normalize_bank_account(bank_account) if bank_account else None, bank_name)
    with runtime() as rt:
        granted = grant_relief(rt, number, multiple, reason, today, claim.proven(rt, "relief.grant"), person,
                               advance)
    click.echo(f"relief {granted.id.hex} granted{' in advance' if advance else ''}: "
               f"{granted.formula}; needs {granted.approvals_needed} approval(s)")


@relief.command("approve")
@click.argument("relief_id")
@actor_options
@handled
def relief_approve(relief_id: str, claim: Claim) -> None:
    from ledger.services.temporary_relief import approve_relief

    with runtime() as rt:
        approver = claim.proven(rt, "relief.approve")
        approved = approve_relief(rt, uuid_arg(relief_id, "relief"), approver)
    state = "payable" if approved.payable else f"needs {approved.approvals_needed - len(approved.approvers)} more approval(s)"
    click.echo(f"relief {approved.id.hex} approved by {approved.approvers[-1]}: {state}")


@relief.command("list")
@click.option("--overdue", is_flag=True,
              help="only advance relief whose approvals are past due (先行救助)")
@click.option("--on", "on", default=None, hidden=True, help="today, YYYY-MM-DD (for tests)")
@json_option
@handled
def relief_list(overdue: bool, on: str | None, as_json: bool) -> None:
    """Every relief with its approvals so far and needed: what waits for the approvers."""
    from ledger.services.relief_list import relief_list as reliefs

    today = parse_date(on) if on else date.today()
    with runtime() as rt:
        rt.read_model.catch_up()
        with rt.engine.connect() as conn:
            rows = reliefs(conn, today, rt.app.policy_book())
    if overdue:
        rows = [d for d in rows if d["overdue"]]

    def text() -> None:
        for d in rows:
            advance = (f"  advance, approvals due {d['approvals_due']}"
                       + (" OVERDUE" if d["overdue"] else "")
                       + (f", {d['payment']}" if d["payment"] else "")) if d["advance"] else ""
            refusal = (f"  refused by {d['refusal']['by']}: {d['refusal']['reason']}; "
                       f"to recover {d['refusal']['recovery']}") if d["refusal"] else ""
            click.echo(f"{d['relief_id']}  {d['name']} {d['id_number']}  {d['multiple']}× "
                       f"{d['amount']:>10}  {d['reason']}  approvals {d['approvals']}/"
                       f"{d['approvals_needed']}  {d['status']}  granted by {d['granted_by']} "
                       f"at {(d['granted_at'] or '')[:19]}{advance}{refusal}")

    emit({"reliefs": rows}, as_json, text)


@relief.command("refuse")
@click.argument("relief_id")
@click.option("--reason", type=TEXT, required=True)
@actor_options
@handled
def relief_refuse(relief_id: str, reason: str, claim: Claim) -> None:
    """Finally refuse a relief; an advance already paid stands, its recovery is recorded."""
    from ledger.domain.money import format_yuan
    from ledger.services.temporary_relief import refuse_relief

    with runtime() as rt:
        who = claim.proven(rt, "relief.approve")
        refused = refuse_relief(rt, uuid_arg(relief_id, "relief"), reason, who)
    click.echo(f"relief {refused.id.hex} refused by {who}: {reason}"
               + (f"; paid {format_yuan(refused.refusal_recovery)} stands, to be recovered"
                  if refused.refusal_recovery else ""))


@relief.command("account")
@click.argument("relief_id")
@click.option("--bank-account", required=True)
@click.option("--bank-name", type=TEXT, required=True)
@click.option("--reason", type=TEXT, required=True, help="why it changes (e.g. 账户已销户)")
@actor_options
@handled
def relief_account(relief_id: str, bank_account: str, bank_name: str, reason: str,
                   claim: Claim) -> None:
    """Correct the account a relief is paid to; a transfer of it the bank returned is paid
    again to it by the next regular payroll."""
    from ledger.domain.identity import mask
    from ledger.services.temporary_relief import change_relief_account

    with runtime() as rt:
        changed = change_relief_account(rt, uuid_arg(relief_id, "relief"), bank_account,
                                        bank_name, reason, claim.proven(rt, "relief.account"))
    click.echo(f"relief {changed.id.hex}: account now {mask(changed.bank_account)} "
               f"({changed.bank_name})")
