"""机构: the institutions paid by the ledger (幸福院、敬老院) with their grants, for everyone;
a form to grant one money, for the roles that may (``institution.grant``).

A unified social credit code names an organisation, not a person: it is shown whole.
The bank account is masked like any other.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from ledger.console.refusals import refusal_text
from ledger.console.web import Ctx, page
from ledger.domain.calendar import MonthFormatError
from ledger.domain.errors import LedgerRefusal
from ledger.domain.institution import PERIOD_NAMES
from ledger.domain.money import MoneyFormatError
from ledger.services.institutions import GRANT_PROGRAMMES, grant, listing


@page()
def institutions(ctx: Ctx) -> Response:
    rows = [r for r in listing(ctx.rt) if ctx.actor.sees(r["town"])]
    return ctx.render("institutions.html", title="机构", institutions=rows,
                      programmes=GRANT_PROGRAMMES, periods=PERIOD_NAMES)


@page("institution.grant")
def institution_grant(ctx: Ctx) -> Response:
    f = ctx.form
    code = f.get("code", "").strip().upper()
    known = {r["code"]: r["town"] for r in listing(ctx.rt)}
    if code in known and not ctx.actor.sees(known[code]):
        return ctx.forbidden("该机构不在您负责的乡镇。")
    try:
        made = grant(ctx.rt, code, f.get("programme", ""), f.get("amount", ""),
                     f.get("per", ""), f.get("from", ""), f.get("to", "").strip() or None,
                     f.get("ref", ""), ctx.actor.name)
        ctx.flash(f"已登记补助 #{made.number}（{code}）：{made.formula()}")
    except (LedgerRefusal, ValueError, MonthFormatError, MoneyFormatError) as e:
        ctx.flash(f"未登记：{refusal_text(e)}", "error")
    return ctx.redirect("/institutions")


ROUTES = [
    Route("/institutions", institutions),
    Route("/institutions/grant", institution_grant, methods=["POST"]),
]
