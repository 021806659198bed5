"""`ledger relief list|refuse`: the reliefs, their approvals and refusals (the rest of
`relief` is in cli.py)."""

from __future__ import annotations

from datetime import date

import click

from ledger.cli.accounts import password_stdin_option, proven_user
from ledger.cli.support import by_option, emit, handled, json_option, runtime, uuid_arg
from ledger.cli.text import TEXT
from ledger.domain.calendar import parse_date


@click.command("list")
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


@click.command("refuse")
@click.argument("relief_id")
@click.option("--reason", type=TEXT, required=True)
@password_stdin_option
@by_option
@handled
def relief_refuse(relief_id: str, reason: str, password_stdin: bool, by: str | None) -> None:
    """Finally refuse a relief; an advance already paid stands, its recovery is recorded."""
    from ledger.domain.money import format_yuan
    from ledger.services.temporary_relief import refuse_relief

    with runtime() as rt:
        who = proven_user(rt, by, password_stdin, "relief.approve")
        refused = refuse_relief(rt, uuid_arg(relief_id, "relief"), reason, who)
    click.echo(f"relief {refused.id.hex} refused by {who}: {reason}"
               + (f"; paid {format_yuan(refused.refusal_recovery)} stands, to be recovered"
                  if refused.refusal_recovery else ""))
