"""记录变更: a clerk records a case's reassessment, its corrected bank account or its exit,
and corrects a payee's mistyped name (更正姓名), from the person's page, as ``ledger case
update``, ``ledger case exit`` and ``ledger case correct-name`` do.

The same service functions as the command line (``ledger.services.case_changes``), so the
same rules refuse the same mistakes (income on a tekun case, a household of 0); an empty
field means "unchanged". A clerk limited to towns changes only those towns' cases. A
corrected account is what lets a returned payment be paid again: the next regular payroll
reissues it to the new account.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from sqlalchemy import select
from starlette.responses import Response
from starlette.routing import Route

from ledger.adapters.roster_cells import (
    parse_area,
    parse_care_level,
    parse_grade,
    parse_household_size,
    parse_income,
)
from ledger.console.pages_people import _hex
from ledger.console.refusals import refusal_text
from ledger.console.web import Ctx, page
from ledger.domain.calendar import Month, MonthFormatError
from ledger.domain.errors import LedgerRefusal, NotFoundError
from ledger.domain.identity import normalize_bank_account
from ledger.services.case_changes import correct_payee_name, exit_case, update_case
from projections import schema

ERRORS = (LedgerRefusal, NotFoundError, ValueError, MonthFormatError)


def _case(ctx: Ctx) -> str | None:
    """The case's id when it exists and is in this account's towns, else None."""
    case_hex = _hex(ctx.request.path_params["case_id"])
    if case_hex is None:
        return None
    c = schema.cases.c
    with ctx.rt.engine.connect() as conn:
        town = conn.execute(select(c.town).where(c.case_id == case_hex)).scalar()
    return case_hex if town is not None and ctx.actor.sees(town) else None


def _changes(form: dict[str, str]) -> dict[str, Any]:
    """The filled fields as ``update_case`` takes them, read by the roster's own cell rules
    (``roster_cells``: the same plausible income, household of 1 to 20, grade, care level
    and area as an imported roster); raises on a malformed one."""
    parsers: dict[str, tuple[str, Callable[[str], Any]]] = {
        "income": ("income_per_capita", parse_income),
        "household_size": ("household_size", parse_household_size),
        "care_level": ("care_level", parse_care_level),
        "disability_grade": ("disability_grade", parse_grade),
        "area": ("area", parse_area),
    }
    changes: dict[str, Any] = {}
    for field_name, (key, parse) in parsers.items():
        if value := form.get(field_name, "").strip():
            changes[key] = parse(value)
    account, bank = form.get("bank_account", "").strip(), form.get("bank_name", "").strip()
    if bool(account) != bool(bank):
        raise ValueError("银行账号与开户银行须一并填写")
    if account:
        changes["bank_account"] = normalize_bank_account(account)
        changes["bank_name"] = bank
    if not changes:
        raise ValueError("没有填写任何变更")
    return changes


@page("case.change")
def change(ctx: Ctx) -> Response:
    case_hex = _case(ctx)
    if case_hex is None:
        return ctx.not_found("没有这个对象，或不在您负责的乡镇")
    try:
        said = update_case(ctx.rt.app, UUID(case_hex), Month.parse(ctx.form.get("from", "")),
                           ctx.actor.name, **_changes(ctx.form))
        ctx.rt.read_model.catch_up()
        ctx.flash("已记录变更：" + "；".join(said) if said else "与已记录的相同，未重复记录")
    except ERRORS as e:
        ctx.flash(f"未记录：{refusal_text(e)}", "error")
    return ctx.redirect(f"/people/{case_hex}")


@page("case.change")
def exit_(ctx: Ctx) -> Response:
    case_hex = _case(ctx)
    if case_hex is None:
        return ctx.not_found("没有这个对象，或不在您负责的乡镇")
    try:
        month = Month.parse(ctx.form.get("from", ""))
        exit_case(ctx.rt.app, UUID(case_hex), month, ctx.form.get("reason", ""), ctx.actor.name)
        ctx.rt.read_model.catch_up()
        ctx.flash(f"已记录退出：{month} 起停发")
    except ERRORS as e:
        ctx.flash(f"未记录：{refusal_text(e)}", "error")
    return ctx.redirect(f"/people/{case_hex}")


@page("case.change")
def correct_name(ctx: Ctx) -> Response:
    """The person's name on all their cases and reliefs (one person, one name); a clerk
    limited to towns is refused when the person has one outside them. Releases a payment returned for a
    wrong name (户名不符) to be paid again, as a corrected account does."""
    case_hex = _case(ctx)
    if case_hex is None:
        return ctx.not_found("没有这个对象，或不在您负责的乡镇")
    try:
        record = ctx.rt.app.case(UUID(case_hex)).record
        towns = None if ctx.actor.county_wide else frozenset(ctx.actor.towns)
        changed = correct_payee_name(ctx.rt, record.id_number, ctx.form.get("name", ""),
                                     ctx.form.get("reason", ""), ctx.actor.name, towns)
        ctx.flash(f"已更正姓名：{len(changed)} 个案件或临时救助" if changed
                  else "姓名与记录相同，未重复记录")
    except ERRORS as e:
        ctx.flash(f"未更正：{refusal_text(e)}", "error")
    return ctx.redirect(f"/people/{case_hex}")


ROUTES = [
    Route("/people/{case_id}/change", change, methods=["POST"]),
    Route("/people/{case_id}/name", correct_name, methods=["POST"]),
    Route("/people/{case_id}/exit", exit_, methods=["POST"]),
]
