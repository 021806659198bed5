"""`ledger payroll run|list|show|approve` (status and discard are in payroll_status.py)."""

from __future__ import annotations

from datetime import date

import click

from ledger.cli.accounts import Claim, actor_options
from ledger.cli.batch_text import print_batch
from ledger.cli.payroll_status import payroll_discard, payroll_status
from ledger.cli.progress import progress
from ledger.cli.support import emit, handled, json_option, runtime, uuid_arg
from ledger.domain.calendar import Month, parse_date
from ledger.services.batch_people import payees, people, report_case_ids


@click.group()
def payroll() -> None:
    """Monthly payroll batches."""


@payroll.command("run")
@click.option("--month", required=True)
@click.option("--on", "on", default=None, hidden=True,
              help="the date the run is made on (default today): no month after the next")
@click.option("--kind", type=click.Choice(["regular", "relief", "campaign"]), default="regular",
              help="relief: the out-of-cycle batch of advance and approved relief; "
                   "campaign: the month's cash campaigns")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="processes computing the payroll's parts (default: LEDGER_PAYROLL_WORKERS, "
                   "else one per core)")
@click.option("--part-size", type=click.IntRange(1, 100000), default=None, hidden=True,
              help="cases per part (default 2000)")
@json_option
@actor_options
@handled
def payroll_run(month: str, on: str | None, kind: str, workers: int | None,
                part_size: int | None, as_json: bool, claim: Claim) -> None:
    from ledger.services.batches import batch_row, batch_summary, report_json
    from ledger.services.campaign_run import run_campaign_batch
    from ledger.services.payroll_run import run_payroll
    from ledger.services.relief_run import run_relief_batch

    today = parse_date(on) if on else date.today()
    chunk = {"chunk": part_size} if part_size else {}
    update, stop = progress(f"payroll {month}")
    with runtime() as rt:
        try:
            batch = (run_relief_batch(rt, Month.parse(month), claim.proven(rt, "payroll.run"), today)
                     if kind == "relief" else
                     run_campaign_batch(rt, Month.parse(month), claim.proven(rt, "payroll.run"), today)
                     if kind == "campaign" else
                     run_payroll(rt, Month.parse(month), claim.proven(rt, "payroll.run"), progress=update,
                                 today=today, workers=workers, **chunk))
        finally:
            stop()
        row = batch_row(rt, batch.id)
        data = batch_summary(row) | {"report": report_json(row)}
        with rt.engine.connect() as conn:
            names = people(conn, report_case_ids(data))
    emit(data, as_json, lambda: print_batch(data, names))


@payroll.command("list")
@click.option("--month", default=None)
@json_option
@handled
def payroll_list(month: str | None, as_json: bool) -> None:
    from ledger.services.batches import list_batches

    with runtime() as rt:
        rt.read_model.catch_up()
        batches = list_batches(rt, str(Month.parse(month)) if month else None)

    def text() -> None:
        for b in batches:
            click.echo(f"{b['batch_id']}  {b['month']} {b['kind']:<13} {b['status']:<10} "
                       f"{b['payments']:>7} {b['total']:>14}")

    emit({"batches": batches}, as_json, text)


@payroll.command("show")
@click.argument("batch_id")
@json_option
@handled
def payroll_show(batch_id: str, as_json: bool) -> None:
    from ledger.services.batches import batch_lines, batch_row, batch_summary, report_json

    with runtime() as rt:
        rt.read_model.catch_up()
        bid = uuid_arg(batch_id, "batch")
        row = batch_row(rt, bid)
        data = batch_summary(row) | {"report": report_json(row), "lines": batch_lines(rt, bid)}
        with rt.engine.connect() as conn:
            names = people(conn, report_case_ids(data))
            names |= payees(conn, [line["payment_id"] for line in data["lines"][:50]])

    def text() -> None:
        print_batch(data, names)
        for line in data["lines"][:50]:
            click.echo(f"  {line['payment_id']} {names.get(line['payment_id'], '')} "
                       f"{line['programme']:<20} {line['kind']:<10} "
                       f"{line['for_month']} {line['amount']:>10} {line['status']}")
        if len(data["lines"]) > 50:
            click.echo(f"  … {len(data['lines']) - 50} more lines (use --json)")

    emit(data, as_json, text)


@payroll.command("approve")
@click.argument("batch_id")
@actor_options
@handled
def payroll_approve(batch_id: str, claim: Claim) -> None:
    from ledger.services.batches import approve_batch

    with runtime() as rt:
        approver = claim.proven(rt, "payroll.approve")
        batch = approve_batch(rt, uuid_arg(batch_id, "batch"), approver)
    click.echo(f"batch {batch.id.hex} ({batch.month}) approved by {batch.approved_by}")


payroll.add_command(payroll_discard)
payroll.add_command(payroll_status)
