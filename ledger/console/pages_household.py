"""A dibao household's members, one at a time, on the person's page: add one (with any
classification), a member leaving, a member's classification (分类施保), a mistyped name or
relation corrected (更正, also for a member who has left); as ``ledger member
add|remove|classify|correct``.

A member is named in the form by their place in the page's list and their masked number,
never by a full ID number (the page shows none): the server finds them again in the case
record and refuses when the list has changed since the page was shown. The clerk types a
new member's ID number; it is checked and never echoed back in full.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from uuid import UUID

from starlette.responses import Response
from starlette.routing import Route

from ledger.console.pages_case_changes import _case
from ledger.console.refusals import refusal_text
from ledger.console.web import Ctx, page
from ledger.domain.calendar import Month, MonthFormatError
from ledger.domain.errors import LedgerRefusal, NotFoundError
from ledger.domain.household import RELATIONS
from ledger.domain.identity import IdNumberError, mask, normalize_id_number
from ledger.domain.member_classes import CLASSES
from ledger.services.case_view import member_spells
from ledger.services.members import add_member, classify_member, correct_member, remove_member

ERRORS = (LedgerRefusal, NotFoundError, ValueError, MonthFormatError)


def _member(ctx: Ctx, case_hex: str) -> str:
    """The full ID number of the member the form names; raises if the list has changed."""
    listed = member_spells(ctx.rt.app.case(UUID(case_hex)).record)
    try:
        spell = listed[int(ctx.request.path_params["n"])]
    except (ValueError, IndexError):
        raise ValueError("没有这名家庭成员") from None
    if mask(spell.id_number) != ctx.form.get("masked", ""):
        raise ValueError("家庭成员名单已有变化，请刷新页面后重试")
    return spell.id_number


@page("case.change")
def add(ctx: Ctx) -> Response:
    case_hex = _case(ctx)
    if case_hex is None:
        return ctx.not_found("没有这个对象，或不在您负责的乡镇")
    f = ctx.form
    try:
        record = ctx.rt.app.case(UUID(case_hex)).record
        person = normalize_id_number(f.get("id_number", ""), ctx.console.clock().date())
        relation = f.get("relation", "")
        if relation not in RELATIONS:
            raise ValueError("与申请人关系无效")
        classes = tuple(ctx.form_list("classes"))
        if any(c not in CLASSES for c in classes):
            raise ValueError("分类无效")
        towns = None if ctx.actor.county_wide else frozenset(ctx.actor.towns)
        added = add_member(ctx.rt, record.id_number, person, f.get("name", ""), relation,
                           Month.parse(f.get("from", "")), ctx.actor.name, classes, towns)
        ctx.flash(f"{mask(person)} {'已纳入' if added else '已在册，未重复记录'}")
    except IdNumberError:
        ctx.flash("未记录：身份证号无效", "error")
    except ERRORS as e:
        ctx.flash(f"未记录：{refusal_text(e)}", "error")
    return ctx.redirect(f"/people/{case_hex}")


def _on_member(ctx: Ctx, change: Callable[[str, str, Mapping[str, str]], str],
               refused: str = "未记录") -> Response:
    """Find the member the form names (``_member``), let ``change`` record what the form
    asks (given the member's ID number, the case and the form; it returns what it did),
    and say so; a refusal or bad field is said instead and nothing is recorded."""
    case_hex = _case(ctx)
    if case_hex is None:
        return ctx.not_found("没有这个对象，或不在您负责的乡镇")
    try:
        ctx.flash(change(_member(ctx, case_hex), case_hex, ctx.form))
    except ERRORS as e:
        ctx.flash(f"{refused}：{refusal_text(e)}", "error")
    return ctx.redirect(f"/people/{case_hex}")


@page("case.change")
def remove(ctx: Ctx) -> Response:
    def leave(person: str, _case_hex: str, f: Mapping[str, str]) -> str:
        month = Month.parse(f.get("from", ""))
        remove_member(ctx.rt, person, month, f.get("reason", ""), ctx.actor.name)
        return f"{mask(person)} 自 {month} 起移出"
    return _on_member(ctx, leave)


@page("case.change")
def classify(ctx: Ctx) -> Response:
    def record_class(person: str, _case_hex: str, f: Mapping[str, str]) -> str:
        classification = f.get("class", "")
        if classification not in CLASSES:
            raise ValueError("分类无效")
        until = Month.parse(f["until"]) if f.get("until", "").strip() else None
        _, done = classify_member(ctx.rt, person, classification, Month.parse(f.get("from", "")),
                                  until, ctx.actor.name)
        return (f"{mask(person)} {'已记录分类' if done else '已有此分类，未重复记录'}"
                f"：{CLASSES[classification]}")
    return _on_member(ctx, record_class)


@page("case.change")
def correct(ctx: Ctx) -> Response:
    def record_correction(person: str, case_hex: str, f: Mapping[str, str]) -> str:
        relation = f.get("relation", "")
        if relation not in RELATIONS:
            raise ValueError("与申请人关系无效")
        applicant = ctx.rt.app.case(UUID(case_hex)).record.id_number
        done = correct_member(ctx.rt, applicant, person, f.get("name", "").strip(), relation,
                              f.get("reason", "").strip(), ctx.actor.name)
        return f"{mask(person)} {'已更正' if done else '与记录相同，未重复记录'}"
    return _on_member(ctx, record_correction, "未更正")


ROUTES = [
    Route("/people/{case_id}/members/add", add, methods=["POST"]),
    Route("/people/{case_id}/members/{n:int}/remove", remove, methods=["POST"]),
    Route("/people/{case_id}/members/{n:int}/classify", classify, methods=["POST"]),
    Route("/people/{case_id}/members/{n:int}/correct", correct, methods=["POST"]),
]
