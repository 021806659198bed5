"""机构: the institutions paid by the ledger (幸福院、敬老院) with their grants, for everyone;
forms to add one (``institution.add``), to grant one money (``institution.grant``) and to
correct an institution's bank account (``institution.account``) or its name
(``institution.rename``), for the roles that may.

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
from ledger.services.institutions import (
    GRANT_PROGRAMMES,
    add,
    change_account,
    grant,
    listing,
    rename,
)


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


@page("institution.add")
def institution_add(ctx: Ctx) -> Response:
    """A new institution, by its unified social credit code (GB 32100 check character)."""
    f = ctx.form
    town = f.get("town", "").strip()
    if not ctx.actor.sees(town):
        return ctx.forbidden("只能添加您负责的乡镇的机构。")
    try:
        added = add(ctx.rt, f.get("code", ""), f.get("name", ""), town,
                    f.get("bank_account", ""), f.get("bank_name", ""), ctx.actor.name)
        ctx.flash(f"已添加机构 {added.name}（{added.code}，{added.town}）")
    except (LedgerRefusal, ValueError) as e:
        ctx.flash(f"未添加：{refusal_text(e)}", "error")
    return ctx.redirect("/institutions")


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


@page("institution.rename")
def institution_rename(ctx: Ctx) -> Response:
    """The name its account is held in: transfers returned for 户名不符 are paid again."""
    f = ctx.form
    code = f.get("code", "").strip().upper()
    if (refused := _outside_towns(ctx, code)) is not None:
        return refused
    try:
        renamed = rename(ctx.rt, code, f.get("name", ""), f.get("reason", ""), ctx.actor.name)
        ctx.flash(f"已将机构 {code} 的名称更正为 {renamed.name}；因户名不符被退回的款项将在下一次"
                  "月度发放中重发。")
    except (LedgerRefusal, ValueError) as e:
        ctx.flash(f"未更正：{refusal_text(e)}", "error")
    return ctx.redirect("/institutions")


ROUTES = [
    Route("/institutions", institutions),
    Route("/institutions/add", institution_add, methods=["POST"]),
    Route("/institutions/grant", institution_grant, methods=["POST"]),
    Route("/institutions/account", institution_account, methods=["POST"]),
    Route("/institutions/rename", institution_rename, methods=["POST"]),
]
