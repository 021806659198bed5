"""`ledger payroll status` and `ledger payroll discard`: the month's rhythm (issues 12, 13)."""

from __future__ import annotations

import sys
from datetime import date

import click

from ledger.cli.accounts import Claim, actor_options
from ledger.cli.support import emit, handled, json_option, runtime, uuid_arg
from ledger.domain.calendar import Month, parse_date
from ledger.domain.pay_deadline import MonthStatus, anything_late


@click.command("discard")
@click.argument("batch_id")
@actor_options
@handled
def payroll_discard(batch_id: str, claim: Claim) -> None:
    """Throw a regular draft away (recorded); its month can then be run again."""
    from ledger.services.batches import discard_batch

    with runtime() as rt:
        batch = discard_batch(rt, uuid_arg(batch_id, "batch"), claim.proven(rt, "payroll.run"))
    click.echo(f"batch {batch.id.hex} ({batch.month}) discarded; run "
               f"`ledger payroll run --month {batch.month}` to draft it again")


def status_json(statuses: list[MonthStatus], on: date) -> dict[str, object]:
    """The shape scripts (and the console) read."""
    return {
        "on": on.isoformat(),
        "late": anything_late(statuses),
        "months": [
            {"month": str(s.month), "batch_id": s.batch_id, "status": s.status, **s.steps,
             "pay_by": s.pay_by.isoformat(), "days_left": s.days_left, "late": list(s.late)}
            for s in statuses
        ],
    }


@click.command("status")
@click.option("--month", default=None, help="one month YYYY-MM (default: every month)")
@click.option("--check", is_flag=True, help="exit 1 when anything is late")
@click.option("--on", "on", default=None, hidden=True, help="the date to judge by (default today)")
@json_option
@handled
def payroll_status(month: str | None, check: bool, on: str | None, as_json: bool) -> None:
    """Each month's regular batch (drafted, approved, exported, reconciled) and what is late."""
    from ledger.services.payroll_months import payroll_watch

    today = parse_date(on) if on else date.today()
    only = Month.parse(month) if month else None
    with runtime() as rt:
        statuses = payroll_watch(rt, today, only)
    data = status_json(statuses, today)

    def text() -> None:
        if not statuses:
            click.echo("no payroll month yet (no case, no batch)")
        for s in statuses:
            days = abs(s.days_left)
            left = f"{days} day{'' if days == 1 else 's'} {'left' if s.days_left >= 0 else 'past'}"
            click.echo(f"{s.month}  {s.status:<10} pay by {s.pay_by} ({left})"
                       f"{'  LATE' if s.late else ''}")
            for item in s.late:
                click.echo(f"  late: {item}")

    emit(data, as_json, text)
    if check and data["late"]:
        click.echo("late: " + "; ".join(item for s in statuses for item in s.late), err=True)
        sys.exit(1)
