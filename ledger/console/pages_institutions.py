"""机构: the institutions paid by the ledger (幸福院、敬老院) with their grants, for everyone;
a form to grant one money (``institution.grant``) and one to correct an institution's bank
account (``institution.account``), for the roles that may.

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
from ledger.domain.identity import mask
from ledger.domain.institution import PERIOD_NAMES
from ledger.domain.money import MoneyFormatError
from ledger.services.institutions import GRANT_PROGRAMMES, change_account, grant, listing


@page()
def institutions(ctx: Ctx) -> Response:
    rows = [r for r in listing(ctx.rt) if ctx.actor.sees(r["town"])]
    return ctx.render("institutions.html", title="机构", institutions=rows,
                      programmes=GRANT_PROGRAMMES, periods=PERIOD_NAMES)


def _outside_towns(ctx: Ctx, code: str) -> Response | None:
    """403 when the institution is in a town this account does not look after."""
    known = {r["code"]: r["town"] for r in listing(ctx.rt)}
    if code in known and not ctx.actor.sees(known[code]):
        return ctx.forbidden("该机构不在您负责的乡镇。")
    return None


@page("institution.grant")
def institution_grant(ctx: Ctx) -> Response:
    f = ctx.form
    code = f.get("code", "").strip().upper()
    if (refused := _outside_towns(ctx, code)) is not None:
        return refused
    try:
        made = grant(ctx.rt, code, f.get("programme", ""), f.get("amount", ""),
                     f.get("per", ""), f.get("from", ""), f.get("to", "").strip() or None,
                     f.get("ref", ""), ctx.actor.name)
        ctx.flash(f"已登记补助 #{made.number}（{code}）：{made.formula()}")
    except (LedgerRefusal, ValueError, MonthFormatError, MoneyFormatError) as e:
        ctx.flash(f"未登记：{refusal_text(e)}", "error")
    return ctx.redirect("/institutions")


@page("institution.account")
def institution_account(ctx: Ctx) -> Response:
    """The new account: transfers the bank returned are paid to it by the next payroll."""
    f = ctx.form
    code = f.get("code", "").strip().upper()
    if (refused := _outside_towns(ctx, code)) is not None:
        return refused
    try:
        changed = change_account(ctx.rt, code, f.get("bank_account", ""),
                                 f.get("bank_name", ""), f.get("reason", ""), ctx.actor.name)
        ctx.flash(f"已更正 {changed.name}（{code}）的银行账户为 {mask(changed.bank_account)}"
                  f"（{changed.bank_name}）；被退回的款项将在下一次月度发放中重发。")
    except (LedgerRefusal, ValueError) as e:
        ctx.flash(f"未更正：{refusal_text(e)}", "error")
    return ctx.redirect("/institutions")


ROUTES = [
    Route("/institutions", institutions),
    Route("/institutions/grant", institution_grant, methods=["POST"]),
    Route("/institutions/account", institution_account, methods=["POST"]),
]
