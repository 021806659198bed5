"""临时救助, 标准与政策, 物价联动, 用户: lists for everyone, changes for the roles that own them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from uuid import UUID

from sqlalchemy import select
from starlette.responses import Response
from starlette.routing import Route

from ledger.console.pages_people import _hex
from ledger.console.refusals import refusal_text
from ledger.console.web import Ctx, page
from ledger.domain.accounts import ROLES
from ledger.domain.calendar import Month, MonthFormatError, parse_date
from ledger.domain.errors import LedgerRefusal, NotFoundError
from ledger.domain.identity import IdNumberError, mask, normalize_id_number
from ledger.domain.money import MoneyFormatError, format_yuan, parse_yuan
from ledger.domain.policy import POLICY_KEYS
from ledger.domain.price_linkage import decide
from ledger.domain.standards import CATEGORIES
from ledger.services.account_service import add_user, disable_user, list_users
from ledger.services.relief_list import relief_list
from ledger.services.temporary_relief import (
    approve_relief,
    change_relief_account,
    grant_relief,
    refuse_relief,
)
from projections import schema

CHANGE_ERRORS = (LedgerRefusal, ValueError, MonthFormatError, MoneyFormatError, InvalidOperation)


@page()
def reliefs(ctx: Ctx) -> Response:
    ctx.rt.read_model.catch_up()
    with ctx.rt.engine.connect() as conn:
        rows = [r for r in relief_list(conn, ctx.console.clock().date(), ctx.rt.app.policy_book())
                if ctx.actor.sees(r["town"])]
    return ctx.render("reliefs.html", title="临时救助", reliefs=rows)


@page("relief.grant")
def relief_grant(ctx: Ctx) -> Response:
    today = ctx.console.clock().date()
    try:
        number = normalize_id_number(ctx.form.get("id_number", ""), today)
        c = schema.cases.c
        with ctx.rt.engine.connect() as conn:
            towns = set(conn.execute(select(c.town).where(
                c.person_key == ctx.rt.app.person_key(number))).scalars())
        if not towns:
            raise ValueError("此人不在花名册上：请用命令行登记其姓名、乡镇和银行账户")
        if not all(ctx.actor.sees(t) for t in towns):
            return ctx.forbidden("此人不在您负责的乡镇。")
        granted = grant_relief(ctx.rt, number, int(ctx.form.get("multiple", "0")),
                               ctx.form.get("reason", "").strip(), today, ctx.actor.name)
        ctx.flash(f"临时救助已登记：{granted.formula}；需 {granted.approvals_needed} 人审核")
    except IdNumberError:
        ctx.flash("身份证号无效", "error")
    except CHANGE_ERRORS as e:
        ctx.flash(f"未登记：{refusal_text(e)}", "error")
    return ctx.redirect("/reliefs")


def _relief_in_towns(ctx: Ctx) -> str | None:
    """The path's relief id when it exists and is in this account's towns, else None."""
    rid = _hex(ctx.request.path_params["relief_id"])
    r = schema.reliefs.c
    with ctx.rt.engine.connect() as conn:
        town = conn.execute(select(r.town).where(r.relief_id == rid)).scalar() if rid else None
    return rid if town is not None and ctx.actor.sees(town) else None


@page("relief.approve")
def relief_approve(ctx: Ctx) -> Response:
    rid = _relief_in_towns(ctx)
    if rid is None:
        return ctx.not_found("没有这笔临时救助，或不在您负责的乡镇")
    try:
        approved = approve_relief(ctx.rt, UUID(rid), ctx.actor.name)
        ctx.flash(f"已审核；{'可发放' if approved.payable else '还需其他审核人审核'}")
    except (LedgerRefusal, NotFoundError) as e:
        ctx.flash(f"未审核：{refusal_text(e)}", "error")
    return ctx.redirect("/reliefs")


@page("relief.approve")
def relief_refuse(ctx: Ctx) -> Response:
    """The approvers' final no, with its reason (a paid advance stands, to be recovered)."""
    rid = _relief_in_towns(ctx)
    if rid is None:
        return ctx.not_found("没有这笔临时救助，或不在您负责的乡镇")
    try:
        refused = refuse_relief(ctx.rt, UUID(rid), ctx.form.get("reason", ""), ctx.actor.name)
        ctx.flash("已否决" + (f"；已发放的 {format_yuan(refused.refusal_recovery)} 元应追回"
                              if refused.refusal_recovery else ""))
    except (LedgerRefusal, ValueError) as e:
        ctx.flash(f"未否决：{refusal_text(e)}", "error")
    return ctx.redirect("/reliefs")


@page("relief.account")
def relief_account(ctx: Ctx) -> Response:
    """A relief's payee account corrected: a returned transfer is paid again next payroll."""
    rid = _relief_in_towns(ctx)
    if rid is None:
        return ctx.not_found("没有这笔临时救助，或不在您负责的乡镇")
    f = ctx.form
    try:
        changed = change_relief_account(ctx.rt, UUID(rid), f.get("bank_account", ""),
                                        f.get("bank_name", ""), f.get("reason", ""),
                                        ctx.actor.name)
        ctx.flash(f"已更正临时救助的银行账户为 {mask(changed.bank_account)}（{changed.bank_name}）；"
                  "被退回的款项将在下一次月度发放中重发。")
    except (LedgerRefusal, ValueError) as e:
        ctx.flash(f"未更正：{refusal_text(e)}", "error")
    return ctx.redirect("/reliefs")


@page()
def rules(ctx: Ctx) -> Response:
    app = ctx.rt.app
    standards = sorted(app.standard_book().entries(),
                       key=lambda e: (e.programme, e.category, e.effective, e.recorded_at))
    policy = sorted(app.policy_book().entries(), key=lambda e: (e.key, e.effective))
    return ctx.render("rules.html", title="标准与政策", standards=standards, policy=policy,
                      categories=CATEGORIES, policy_keys=POLICY_KEYS)


@page("standard.set")
def standard_set(ctx: Ctx) -> Response:
    f = ctx.form
    try:
        programme, _, category = f.get("standard", "").partition("/")
        warnings = ctx.rt.app.set_standard(
            programme, category, parse_yuan(f.get("amount", "")), f.get("per", ""),
            parse_date(f.get("from", "")), f.get("ref", "").strip(), f.get("force") == "yes",
            ctx.actor.name)
        ctx.flash(f"标准 {programme}/{category} 已记录")
        for warning in warnings:
            ctx.flash(warning, "error")
    except CHANGE_ERRORS as e:
        ctx.flash(f"未记录：{refusal_text(e)}", "error")
    return ctx.redirect("/rules")


@page("policy.set")
def policy_set(ctx: Ctx) -> Response:
    try:
        ctx.rt.app.set_policy(ctx.form.get("key", ""), ctx.form.get("value", "").strip(),
                              parse_date(ctx.form.get("from", "")), ctx.actor.name)
        ctx.flash(f"政策参数 {ctx.form.get('key')} 已记录")
    except CHANGE_ERRORS as e:
        ctx.flash(f"未记录：{refusal_text(e)}", "error")
    return ctx.redirect("/rules")


@page()
def cpi(ctx: Ctx) -> Response:
    app = ctx.rt.app
    now = Month.of(ctx.console.clock().date())
    policy = app.policy_book()
    rows = []
    for k in range(0, 25):
        month = now + -k
        record = app.cpi(month)
        if record is None or record.cpi_yoy is None or record.food_yoy is None:
            continue
        decision = decide(record.cpi_yoy, record.food_yoy,
                          policy.value("price_linkage.cpi_threshold", month),
                          policy.value("price_linkage.food_threshold", month))
        rows.append({"month": str(month), "cpi": record.cpi_yoy, "food": record.food_yoy,
                     "triggered": decision.triggered, "rise": decision.rise,
                     "recorded": record.decided})
    return ctx.render("cpi.html", title="物价联动", rows=rows, month=str(now + -1))


@page("cpi.record")
def cpi_record(ctx: Ctx) -> Response:
    try:
        ctx.rt.app.record_cpi(Month.parse(ctx.form.get("month", "")),
                              Decimal(ctx.form.get("cpi_yoy", "")),
                              Decimal(ctx.form.get("food_yoy", "")), ctx.actor.name)
        ctx.flash(f"{ctx.form.get('month')} 物价指数已记录")
    except CHANGE_ERRORS as e:
        ctx.flash(f"未记录：{refusal_text(e)}", "error")
    return ctx.redirect("/cpi")


@page("user.manage")
def users(ctx: Ctx) -> Response:
    if ctx.request.method == "POST":
        f = ctx.form
        try:
            if f.get("op") == "disable":
                account = disable_user(ctx.rt, f.get("name", ""), ctx.actor.name)
                ctx.console.sessions.end_user(account.account)
                ctx.flash(f"用户 {account.account} 已停用")
            else:
                towns = [t for t in f.get("towns", "").replace("，", ",").split(",") if t.strip()]
                account = add_user(ctx.rt, f.get("name", ""), f.get("role", ""), towns,
                                   f.get("password", ""), ctx.actor.name)
                ctx.flash(f"用户 {account.account} 已添加")
        except CHANGE_ERRORS as e:
            ctx.flash(f"未完成：{refusal_text(e)}", "error")
        return ctx.redirect("/users")
    return ctx.render("users.html", title="用户管理", users=list_users(ctx.rt), roles=ROLES)


ROUTES = [
    Route("/reliefs", reliefs),
    Route("/reliefs/grant", relief_grant, methods=["POST"]),
    Route("/reliefs/{relief_id}/approve", relief_approve, methods=["POST"]),
    Route("/reliefs/{relief_id}/refuse", relief_refuse, methods=["POST"]),
    Route("/reliefs/{relief_id}/account", relief_account, methods=["POST"]),
    Route("/rules", rules),
    Route("/rules/standard", standard_set, methods=["POST"]),
    Route("/rules/policy", policy_set, methods=["POST"]),
    Route("/cpi", cpi),
    Route("/cpi/record", cpi_record, methods=["POST"]),
    Route("/users", users, methods=["GET", "POST"]),
]
