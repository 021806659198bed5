"""`ledger bankfile`: the transfer file for the bank, and the bank's results back.

Exit codes as everywhere: 0 done; 1 refused (the batch is not approved, or its
lines do not add up to its approved total); 2 bad input (unknown format or
encoding, a name the encoding cannot hold, an unwritable ``--out``, a bad
``LEDGER_DEBTOR_ACCOUNTS`` file). ``import-results`` exits 0 when every line
was applied; 1 when lines were rejected — an unknown payment, one never sent, a
result that conflicts with an earlier one (in the ledger or in the same file), a
malformed line beside good ones — each listed on stderr as ``FILE:LINE: …``
after the rest of the file was applied; and 2 when no line of the file could be
read as a result at all (nothing recorded).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ledger.adapters.input_files import MAX_LISTED
from ledger.adapters.problems import Problem
from ledger.cli.accounts import Claim, actor_options
from ledger.cli.progress import progress
from ledger.cli.support import BadInput, handled, runtime, uuid_arg
from ledger.domain.money import format_yuan
from ledger.services.bank_export import export_batch
from ledger.services.bank_results_import import import_results, problem_text
from ledger.services.debtor_accounts import DEBTOR_ACCOUNTS_ENV, DebtorAccounts


@click.group()
def bankfile() -> None:
    """Bank transfer files (一卡通) and the bank's results."""


@bankfile.command("export")
@click.argument("batch_id")
@click.option("--format", "fmt", type=click.Choice(["csv", "pain001"]), required=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="file to write (owner-only, mode 0600)")
@click.option("--encoding", type=click.Choice(["gbk", "utf-8"]), default=None,
              help="csv only (default gbk); pain.001 is always UTF-8")
@click.option("--force", is_flag=True,
              help="replace an existing file (never the ledger's own database)")
@actor_options
@handled
def export(batch_id: str, fmt: str, out: Path, encoding: str | None, force: bool,
           claim: Claim) -> None:
    """Write the bank file of an approved batch; the same batch always gives the same bytes."""
    debtors = DebtorAccounts.from_env() if fmt == "pain001" else None
    with runtime() as rt:
        try:
            done = export_batch(rt, uuid_arg(batch_id, "batch"), fmt, out, claim.proven(rt, "bank.export"),
                                encoding=encoding, debtors=debtors, force=force)
        except OSError as exc:
            raise BadInput(f"{out}: cannot write: {exc.strerror or exc}") from None
    if debtors is not None and not debtors.configured:
        click.echo(f"warning: {DEBTOR_ACCOUNTS_ENV} is not set: the fund accounts in {out} are "
                   "placeholders (UNCONFIGURED) and the bank will refuse the file", err=True)
    what = "recorded on the batch" if done.recorded else "same file as already recorded"
    click.echo(f"batch {done.batch_id.hex} ({done.month} {done.kind}): {done.payments} payments, "
               f"total {format_yuan(done.total)}")
    click.echo(f"{done.format} ({done.encoding}) written to {done.path}")
    click.echo(f"sha256 {done.sha256} ({what}); batch {done.status}")


@bankfile.command("import-results")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@actor_options
@handled
def import_results_command(file: Path, claim: Claim) -> None:
    """Settle or return each payment the bank reports on (CSV or pain.002)."""
    update, stop = progress(f"results {file.name}")
    with runtime() as rt:
        try:
            report = import_results(rt, file, claim.proven(rt, "bank.import"), progress=update)
        finally:
            stop()
    for problem in report.problems[:MAX_LISTED]:
        click.echo(problem_text(problem), err=True)
    count = sum(p.more or 1 for p in report.problems)  # a summary problem stands for many
    if len(report.problems) > MAX_LISTED:
        click.echo(f"... and {count - MAX_LISTED} more problem(s) not listed", err=True)
    if report.problems and report.results == 0 and not any(map(_a_payment_rule, report.problems)):
        click.echo(f"{file}: no line could be read as a bank result "
                   f"({count} problem(s)); nothing recorded", err=True)
        sys.exit(2)
    click.echo(f"{file}: {report.results} result(s): {report.settled} settled, "
               f"{report.returned} returned, {report.unchanged} already recorded; "
               f"{report.changes} change(s)")
    for batch_id in report.reconciled:
        click.echo(f"batch {batch_id.hex} reconciled: every payment has a bank result")
    if report.problems:
        rest = "the rest of the file was applied" if report.applied else "nothing was applied"
        click.echo(f"{count} line(s) rejected, listed above; {rest}", err=True)
        sys.exit(1)


def _a_payment_rule(problem: Problem) -> bool:
    """A well-formed line the ledger refused (its problems name the column ``payment``):
    unknown, never sent, or conflicting with an earlier result."""
    return problem.column == "payment"

