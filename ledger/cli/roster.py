"""`ledger roster import`: enrol a roster (花名册) file, or say every problem and record nothing."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from ledger.cli.accounts import Claim, actor_options
from ledger.cli.support import handled, runtime
from ledger.domain.calendar import parse_date


@click.group()
def roster() -> None:
    """Roster (花名册) import."""


@roster.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="validate only")
@click.option("--today", default=None, help="date for validation (default today)")
@actor_options
@handled
def roster_import(file: Path, dry_run: bool, today: str | None, claim: Claim) -> None:
    from ledger.services.enrolment import import_roster

    with runtime() as rt:
        result = import_roster(rt, file, parse_date(today) if today else date.today(),
                               (claim.named() if dry_run else claim.proven(rt, "roster.import")),
                               dry_run)
    if result.problems or result.refusals:
        for problem in sorted(result.problems + result.refusals, key=lambda p: (p.more > 0, p.row, p.column)):
            click.echo(str(problem), err=True)
        problems = sum(p.more or 1 for p in result.problems)  # the last may stand for many
        click.echo(f"{problems} problem(s), {len(result.refusals)} refused by the "
                   "rules; nothing recorded", err=True)
        sys.exit(2 if result.problems else 1)
    verb = "would enrol" if dry_run else "enrolled"
    click.echo(f"{file}: {result.rows} rows valid; {verb} {result.enrolled if not dry_run else result.rows - result.already}; "
               f"{result.already} already on the ledger")
