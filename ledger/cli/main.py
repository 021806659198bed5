"""The `ledger` command line: parse, call the application, print, exit.

Exit codes: 0 done; 1 refused by a business rule; 2 bad input or usage.
Errors go to stderr; a refused or failed command changes nothing.
"""

from __future__ import annotations

import click

from ledger.cli.errors import LedgerGroup
from ledger.cli.support import emit, handled, json_option, runtime, uuid_arg
from ledger.domain.safe_text import safe_url


@click.group(cls=LedgerGroup)
def main() -> None:
    """Benefits payment ledger for a county civil-affairs bureau (民政局)."""


@main.command()
@handled
def init() -> None:
    """Create or upgrade the event store and the read-model tables (safe to run twice)."""
    with runtime(init=True) as rt:
        rt.read_model.catch_up()
        click.echo(f"ledger ready in {safe_url(rt.settings.url)}")



@main.command()
@click.argument("payment_id")
@json_option
@handled
def trace(payment_id: str, as_json: bool) -> None:
    """Every event that made a payment what it is."""
    from ledger.services.trace import trace_payment

    with runtime() as rt:
        rt.read_model.catch_up()
        data = trace_payment(rt, uuid_arg(payment_id, "payment"))

    def text() -> None:
        click.echo(f"payment {data['payment_id']}  {data['programme']} {data['kind']} "
                   f"{data['for_month']}  {data['amount']}  {data['status']}")
        click.echo(f"  {data['formula']}")
        for e in data["events"]:
            details = ", ".join(f"{k}={v}" for k, v in e.items()
                                if k not in ("type", "subject", "recorded_at", "effective"))
            click.echo(f"  {e['recorded_at'][:19]}  {e['subject']:<8} {e['type']:<24} "
                       f"{e['effective'] or '':<10} {details[:160]}")

    emit(data, as_json, text)


@main.group()
def projections() -> None:
    """Read models."""


@projections.command("rebuild")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="processes reading and decoding the log ahead "
                   "(default: LEDGER_PAYROLL_WORKERS, else one per core)")
@handled
def projections_rebuild(workers: int | None) -> None:
    """Replay the whole event log into empty read-model tables."""
    from projections.rebuild import rebuild

    with runtime() as rt:
        position = rebuild(rt.read_model, rt.workers(workers))
    click.echo(f"read model rebuilt up to event {position}")


# Every other command group lives in its own module and is registered here.
from ledger.cli import integrity as cli_integrity  # noqa: E402
from ledger.cli import members as cli_members  # noqa: E402
from ledger.cli.accounts import user  # noqa: E402
from ledger.cli.bankfile import bankfile  # noqa: E402
from ledger.cli.campaign import campaign  # noqa: E402
from ledger.cli.case import case  # noqa: E402
from ledger.cli.demo import demo  # noqa: E402
from ledger.cli.institution import institution  # noqa: E402
from ledger.cli.payroll import payroll  # noqa: E402
from ledger.cli.province import province  # noqa: E402
from ledger.cli.relief import relief  # noqa: E402
from ledger.cli.report import report  # noqa: E402
from ledger.cli.review import review  # noqa: E402
from ledger.cli.roster import roster  # noqa: E402
from ledger.cli.scheduler import scheduler  # noqa: E402
from ledger.cli.serve import serve  # noqa: E402
from ledger.cli.standard import cpi, policy, standard  # noqa: E402

for group in (standard, policy, cpi, roster, case, relief, payroll, campaign, demo, bankfile, report,
              review, scheduler, cli_integrity.key, cli_integrity.verify, cli_integrity.audit,
              user, serve, institution, province, *cli_members.COMMANDS):
    main.add_command(group)

if __name__ == "__main__":
    main()
