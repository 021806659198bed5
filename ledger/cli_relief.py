"""`ledger relief list`: the reliefs and their approvals (the rest of `relief` is in cli.py)."""

from __future__ import annotations

import click

from ledger.cli_support import emit, handled, json_option, runtime


@click.command("list")
@json_option
@handled
def relief_list(as_json: bool) -> None:
    """Every relief with its approvals so far and needed: what waits for the approvers."""
    from ledger.relief_list import relief_list as reliefs

    with runtime() as rt:
        rt.read_model.catch_up()
        with rt.engine.connect() as conn:
            rows = reliefs(conn)

    def text() -> None:
        for d in rows:
            click.echo(f"{d['relief_id']}  {d['name']} {d['id_number']}  {d['multiple']}× "
                       f"{d['amount']:>10}  {d['reason']}  approvals {d['approvals']}/"
                       f"{d['approvals_needed']}  {d['status']}  granted by {d['granted_by']} "
                       f"at {(d['granted_at'] or '')[:19]}")

    emit({"reliefs": rows}, as_json, text)
