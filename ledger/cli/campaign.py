"""`ledger campaign create|deliver|show|list`: one-off campaigns (冬春救助 and the like).

Thin: parse, call ``ledger.services.campaigns``, print. A cash campaign is paid by
`ledger payroll run --month M --kind campaign`; an in-kind one records hand-overs here.
"""

from __future__ import annotations

import click

from ledger.cli.accounts import Claim, actor_options
from ledger.cli.support import emit, handled, json_option, month_arg, runtime
from ledger.cli.text import TEXT
from ledger.domain.calendar import parse_date
from ledger.domain.money import format_yuan, parse_yuan


@click.group()
def campaign() -> None:
    """One-off campaigns (冬春救助): cash through a campaign batch, or items handed over."""


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (text or "").replace("，", ",").split(",") if p.strip())


@campaign.command("create")
@click.argument("name", type=TEXT)
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--per", type=click.Choice(["household", "person"]), required=True)
@click.option("--amount", default=None, help="cash: yuan per household or person")
@click.option("--items", type=TEXT, default=None, help='in kind: e.g. "面粉 10kg；棉被 1床"')
@click.option("--programmes", default=None, help="target programmes, e.g. dibao,tekun (default all)")
@click.option("--towns", type=TEXT, default=None, help="target towns, comma separated (default all)")
@click.option("--ref", type=TEXT, default="", help="the document deciding it (文号)")
@json_option
@actor_options
@handled
def campaign_create(name: str, month: str, per: str, amount: str | None, items: str | None,
                    programmes: str | None, towns: str | None, ref: str, as_json: bool,
                    claim: Claim) -> None:
    """Record a campaign: --amount (cash) or --items (in kind), exactly one of them."""
    from ledger.services.campaigns import campaign_report, create_campaign

    with runtime() as rt:
        created = create_campaign(rt, name, month_arg(month), per,
                                  parse_yuan(amount) if amount is not None else None, items,
                                  _split(programmes), _split(towns), ref, claim.proven(rt, "campaign.create"))
        data = campaign_report(rt, created)
    data.pop("people")
    emit(data, as_json, lambda: click.echo(
        f"campaign {data['campaign_id']} {data['name']} {data['month']}: "
        f"{data['recipients']} recipients, {data['persons']} people"
        + (f", total {data['total']}" if data["kind"] == "cash" else f", {data['items']}")))


@campaign.command("deliver")
@click.argument("campaign_ref", metavar="CAMPAIGN")
@click.argument("id_number")
@click.option("--date", "on", required=True, help="hand-over date YYYY-MM-DD")
@click.option("--received-by", type=TEXT, required=True, help="who received the items")
@actor_options
@handled
def campaign_deliver(campaign_ref: str, id_number: str, on: str, received_by: str,
                     claim: Claim) -> None:
    """Record an in-kind hand-over (once per household or person in the campaign)."""
    from ledger.domain.identity import mask
    from ledger.services.campaigns import deliver

    with runtime() as rt:
        found, share = deliver(rt, campaign_ref, id_number, parse_date(on), received_by,
                               claim.proven(rt, "campaign.deliver"))
    click.echo(f"{found.name}: handed over on {on} to {received_by} "
               f"({share.persons} person(s), ID {mask(id_number.strip())})")


@campaign.command("show")
@click.argument("campaign_ref", metavar="CAMPAIGN")
@json_option
@handled
def campaign_show(campaign_ref: str, as_json: bool) -> None:
    """The campaign and who has (and has not) received it, ID numbers masked."""
    from ledger.services.campaigns import campaign_report, find_campaign

    with runtime() as rt:
        data = campaign_report(rt, find_campaign(rt, campaign_ref))

    def text() -> None:
        what = data["items"] if data["kind"] == "in_kind" else f"{data['amount']} per {data['per']}"
        click.echo(f"{data['campaign_id']}  {data['name']} {data['month']}  {what}  "
                   f"{data['recipients']} recipients, {data['persons']} people")
        for r in data["people"]:
            state = ((f"received {r['received_on']} by {r['received_by']}" if r["received"]
                      else "NOT RECEIVED") if data["kind"] == "in_kind"
                     else f"{r['amount']} {r['payment'] or 'not in a batch'}")
            click.echo(f"  {r['town']} {r['village']} {r['name']} {r['id_number']} "
                       f"{r['programme']} ×{r['persons']}  {state}")

    emit(data, as_json, text)


@campaign.command("list")
@json_option
@handled
def campaign_list(as_json: bool) -> None:
    """Every campaign, newest month first."""
    from ledger.services.campaigns import list_campaigns

    with runtime() as rt:
        rt.read_model.catch_up()
        with rt.engine.connect() as conn:
            rows = list_campaigns(conn)
    def text() -> None:
        for r in rows:
            what = r["items"] or f"{format_yuan(r['amount'])} per {r['per']}"
            click.echo(f"{r['campaign_id']}  {r['month']} {r['name']}  {what}")

    emit({"campaigns": rows}, as_json, text)
