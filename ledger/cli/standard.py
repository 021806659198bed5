"""`ledger standard|policy|cpi`: the benefit standards, policy settings and CPI records
the money rules read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

import click

from ledger.cli.accounts import Claim, actor_options
from ledger.cli.support import BadInput, emit, handled, json_option, runtime
from ledger.cli.text import TEXT
from ledger.domain.calendar import Month, parse_date
from ledger.domain.errors import StandardBelowMinimumError
from ledger.domain.money import format_yuan, parse_yuan


@click.group()
def standard() -> None:
    """Benefit standards per programme and category."""


@standard.command("set")
@click.argument("programme")
@click.option("--category", required=True)
@click.option("--amount", required=True, help="yuan")
@click.option("--per", type=click.Choice(["month", "year"]), required=True)
@click.option("--from", "from_", required=True, help="effective date YYYY-MM-DD")
@click.option("--ref", type=TEXT, default="", help="reference text (the policy document)")
@click.option("--force", is_flag=True, help="record a tekun basic below 1.3 × dibao with a warning")
@actor_options
@handled
def standard_set(programme: str, category: str, amount: str, per: str, from_: str, ref: str,
                 force: bool, claim: Claim) -> None:
    with runtime() as rt:
        try:
            warnings = rt.app.set_standard(programme, category, parse_yuan(amount), per,
                                           parse_date(from_), ref, force, claim.proven(rt, "standard.set"))
        except StandardBelowMinimumError as e:
            raise StandardBelowMinimumError(f"{e}; give --force to record it anyway") from None
        for warning in warnings:
            click.echo(warning, err=True)
        click.echo(f"standard {programme}/{category} {amount} per {per} from {from_} recorded")


@standard.command("list")
@click.option("--on", "on", default=None, help="date YYYY-MM-DD (default: all history)")
@json_option
@handled
def standard_list(on: str | None, as_json: bool) -> None:
    with runtime() as rt:
        book = rt.app.standard_book()
        entries = book.on(parse_date(on)) if on else sorted(
            book.entries(), key=lambda e: (e.programme, e.category, e.effective))
        data = {"standards": [
            {"programme": e.programme, "category": e.category, "amount": format_yuan(e.amount),
             "per": e.per, "monthly": format_yuan(e.monthly), "from": e.effective.isoformat(),
             "ref": e.ref, "forced": e.forced, "recorded_at": e.recorded_at.isoformat()}
            for e in entries
        ]}

        def text() -> None:
            for s in data["standards"]:
                click.echo(f"{s['programme']:<20} {s['category']:<14} {s['amount']:>10}/{s['per']:<5} "
                           f"monthly {s['monthly']:>9} from {s['from']}  {s['ref']}")

        emit(data, as_json, text)


@click.group()
def policy() -> None:
    """Policy settings with effective dates."""


@policy.command("set")
@click.argument("key")
@click.argument("value")
@click.option("--from", "from_", default=None, help="effective date (default today)")
@actor_options
@handled
def policy_set(key: str, value: str, from_: str | None, claim: Claim) -> None:
    with runtime() as rt:
        effective = parse_date(from_) if from_ else date.today()
        rt.app.set_policy(key, value, effective, claim.proven(rt, "policy.set"))
        click.echo(f"policy {key} = {value} from {effective}")


@click.group()
def cpi() -> None:
    """Monthly CPI records for the price linkage."""


def _percent(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise BadInput(f"not a percentage: {text!r}") from None


@cpi.command("record")
@click.argument("month")
@click.option("--cpi-yoy", required=True)
@click.option("--food-yoy", required=True)
@actor_options
@handled
def cpi_record(month: str, cpi_yoy: str, food_yoy: str, claim: Claim) -> None:
    with runtime() as rt:
        rt.app.record_cpi(Month.parse(month), _percent(cpi_yoy), _percent(food_yoy), claim.proven(rt, "cpi.record"))
        click.echo(f"CPI {month}: cpi {cpi_yoy}% food {food_yoy}% recorded")
