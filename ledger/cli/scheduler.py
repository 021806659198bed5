"""`ledger scheduler`: run the job scheduler in the foreground, or one job by hand for a date."""

from __future__ import annotations

import logging

import click

from ledger.cli.accounts import Claim, actor_options
from ledger.cli.support import BadInput, handled, runtime
from ledger.domain.calendar import parse_date


@click.group()
def scheduler() -> None:
    """The scheduled jobs: monthly payroll draft, price linkage, lifecycle sweep, payroll watch."""


@scheduler.command("run")
@click.option("--timezone", default=None, help="time zone of the schedule (default: local)")
@handled
def scheduler_run(timezone: str | None) -> None:
    """Run the scheduler in the foreground (Ctrl-C stops it); schedules live in the database."""
    from jobs.scheduler import add_ledger_jobs, make_scheduler
    from projections.follow import Follower

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with runtime() as rt:  # refuses a database without a ledger (run `ledger init` first)
        # Between jobs, keep the read model caught up (LISTEN/NOTIFY on PostgreSQL, polling on
        # SQLite), so reports read by others are fresh even when nobody runs a command.
        follower = Follower(rt.read_model, workers=rt.workers()).start()
        sched = make_scheduler(rt.settings.url, background=False, timezone=timezone)
        add_ledger_jobs(sched)
        click.echo("scheduler running; Ctrl-C to stop", err=True)
        try:
            sched.start()
        except (KeyboardInterrupt, SystemExit):
            click.echo("scheduler stopped", err=True)
        finally:
            follower.stop()


@scheduler.command("run-job")
@click.argument("job")
@click.option("--date", "on", required=True, help="the date to run the job for (YYYY-MM-DD)")
@actor_options
@handled
def scheduler_run_job(job: str, on: str, claim: Claim) -> None:
    """Run one job (payroll, price_linkage, lifecycle, watch) for a given date."""
    from jobs.runner import JOBS, run_job

    name = job.replace("-", "_")
    if name not in JOBS:
        raise BadInput(f"unknown job {job!r}; known: {', '.join(JOBS)}")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # Run by hand, the job acts as the operator (so maker–checker still holds for its draft),
    # proven like any command that records: the payroll and the price linkage raise batches,
    # the lifecycle sweep ends cases; the watch only reports.
    action = {"payroll": "payroll.run", "price_linkage": "payroll.run",
              "lifecycle": "case.change"}.get(name)
    if action is None:
        who = claim.named()
    else:
        with runtime() as rt:
            who = claim.proven(rt, action)
    result = run_job(name, parse_date(on), by=who)
    if result is None:
        click.echo(f"{name} for {on}: nothing to do")
    elif not hasattr(result, "payments"):
        click.echo(f"{name} for {on}: {result}")
    else:
        click.echo(f"{name} for {on}: batch {result.id.hex} ({result.month}, {result.kind}) "
                   f"{result.payments} payments")
