"""救助活动: the campaigns, each one's recipients, the in-kind hand-over form, and a new
campaign's form.

Reading is open to every signed-in account (a town's account sees its towns' recipients);
recording a hand-over needs ``campaign.deliver``, creating a campaign ``campaign.create``
(county-wide: a campaign's terms are the county's decision), each with the session's CSRF
token, and the acting user is the signed-in account. ID numbers are shown masked.
"""

from __future__ import annotations

from uuid import UUID

from starlette.responses import Response
from starlette.routing import Route

from ledger.console.pages_admin import CHANGE_ERRORS
from ledger.console.refusals import refusal_text
from ledger.console.web import Ctx, page
from ledger.domain.calendar import Month, parse_date
from ledger.domain.campaign import MONTHLY_PROGRAMMES, Campaign
from ledger.domain.identity import IdNumberError
from ledger.domain.money import parse_yuan
from ledger.services.campaigns import (
    campaign_report,
    create_campaign,
    deliver,
    list_campaigns,
)


@page()
def campaigns(ctx: Ctx) -> Response:
    ctx.rt.read_model.catch_up()
    with ctx.rt.engine.connect() as conn:
        rows = list_campaigns(conn)
    return ctx.render("campaigns.html", title="救助活动", campaigns=rows,
                      programmes=MONTHLY_PROGRAMMES,
                      month=str(Month.of(ctx.console.clock().date())))


@page("campaign.create")
def campaign_create(ctx: Ctx) -> Response:
    """A new campaign, as ``ledger campaign create``: cash (an amount) or in kind (items)."""
    if not ctx.actor.county_wide:
        return ctx.forbidden("救助活动由县里决定，只限不分乡镇的账户登记。")
    f = ctx.form
    try:
        cash = f.get("kind") != "items"
        amount = parse_yuan(f.get("amount", "")) if cash else None
        items = None if cash else f.get("items", "")
        towns = tuple(t for t in (x.strip() for x in f.get("towns", "").replace("，", ",")
                                  .replace("、", ",").split(",")) if t)
        made = create_campaign(ctx.rt, f.get("name", ""), Month.parse(f.get("month", "")),
                               f.get("per", ""), amount, items, tuple(ctx.form_list("programmes")),
                               towns, f.get("ref", ""), ctx.actor.name)
        ctx.flash(f"已登记救助活动 {made.terms.name}（{made.terms.month}）")
    except CHANGE_ERRORS as e:
        ctx.flash(f"未登记：{refusal_text(e)}", "error")
    return ctx.redirect("/campaigns")


def _campaign(ctx: Ctx) -> Campaign | None:
    try:
        found = ctx.rt.app.maybe(UUID(ctx.request.path_params["campaign_id"]))
    except ValueError:
        return None
    return found if isinstance(found, Campaign) else None


@page()
def campaign(ctx: Ctx) -> Response:
    found = _campaign(ctx)
    if found is None:
        return ctx.not_found("没有这个救助活动")
    data = campaign_report(ctx.rt, found)
    data["people"] = [r for r in data["people"] if ctx.actor.sees(r["town"])]
    return ctx.render("campaign.html", title=f"救助活动：{found.name}", c=data)


@page("campaign.deliver")
def campaign_deliver(ctx: Ctx) -> Response:
    found = _campaign(ctx)
    if found is None:
        return ctx.not_found("没有这个救助活动")
    try:
        _, share = deliver(ctx.rt, found.id.hex, ctx.form.get("id_number", ""),
                           parse_date(ctx.form.get("date", "")),
                           ctx.form.get("received_by", ""), ctx.actor.name, ctx.actor.towns)
        ctx.flash(f"已登记发放：{found.name}（{share.persons} 人）")
    except IdNumberError:
        ctx.flash("身份证号无效", "error")
    except CHANGE_ERRORS as e:
        ctx.flash(f"未登记：{refusal_text(e)}", "error")
    return ctx.redirect(f"/campaigns/{found.id.hex}")


ROUTES = [
    Route("/campaigns/new", campaign_create, methods=["POST"]),
    Route("/campaigns", campaigns),
    Route("/campaigns/{campaign_id}", campaign),
    Route("/campaigns/{campaign_id}/deliver", campaign_deliver, methods=["POST"]),
]
