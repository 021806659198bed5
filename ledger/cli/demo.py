"""`ledger demo`: a synthetic county run end to end into an empty ledger."""

from __future__ import annotations

from pathlib import Path

import click

from ledger.cli.support import handled, runtime
from ledger.domain.money import format_yuan
from ledger.domain.safe_text import safe_url


@click.command()
@click.option("--cases", type=click.IntRange(10, 2_000_000), default=1500, show_default=True)
@click.option("--seed", type=int, default=2024, show_default=True)
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("demo-out"),
              show_default=True)
@click.option("--months", type=click.IntRange(1, 12), default=12, show_default=True)
@handled
def demo(cases: int, seed: int, out: Path, months: int) -> None:
    """Build a synthetic county and run twelve months end to end."""
    from ledger.services.demo import programme_totals, run_demo

    with runtime(init=True) as rt:
        if rt.app.recorder.max_notification_id():
            raise click.ClickException(
                f"{safe_url(rt.settings.url)} already holds a ledger; the demo needs an empty one "
                "(remove the file or set LEDGER_DATABASE_URL)")
        summary = run_demo(rt, out, cases, seed, months, say=click.echo)
        totals = programme_totals(rt)
    click.echo(f"{'programme':<20} {'people':>7} {'payments':>9} {'yuan':>16}")
    for programme, t in totals.items():
        click.echo(f"{programme:<20} {t['people']:>7} {t['payments']:>9} {format_yuan(t['total']):>16}")
    returned = sum(summary.returns_by_month.values())
    click.echo(f"bank returns: {returned} payments; price subsidies: {summary.price_subsidies[0]} "
               f"payments, {format_yuan(summary.price_subsidies[1])} yuan")
    for what in summary.skipped:
        click.echo(f"skipped: {what}")
    click.echo(f"demo finished: {summary.months} months, {summary.graduations} graduations, "
               f"{summary.exits} exits, {summary.reliefs} reliefs; files in {out}")
