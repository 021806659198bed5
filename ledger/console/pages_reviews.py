"""动态管理: the dibao households due (or overdue) for their periodic review in a month, and
a clerk's record of a review, as ``ledger review due`` and ``ledger review record``.

The list is the command line's (``due_reviews``), limited to the account's towns; a review
whose outcome is ``exit`` also ends the case from the month after the review, in the same
save (the service's rule). Only the first :data:`SHOWN` households carry a form: a county
with thousands due works through them page by page as they are recorded.
"""

from __future__ import annotations

from uuid import UUID

from starlette.responses import Response
from starlette.routing import Route

from ledger.console.pages_case_changes import _case
from ledger.console.refusals import refusal_text
from ledger.console.web import Ctx, page
from ledger.domain.calendar import Month, MonthFormatError, parse_date
from ledger.domain.errors import LedgerRefusal, NotFoundError
from ledger.domain.periodic_review import CLASSES, OUTCOMES
from ledger.services.reviews import due_reviews, record_review

SHOWN = 200
OUTCOME_NAMES = {"continue": "继续保障", "change": "有变化（另行记录变更）", "exit": "退出（次月停发）"}


@page()
def reviews(ctx: Ctx) -> Response:
    try:
        month = Month.parse(ctx.query("month")) if ctx.query("month") else Month.of(
            ctx.console.clock().date())
    except MonthFormatError:
        month = Month.of(ctx.console.clock().date())
        ctx.flash("月份应写成 YYYY-MM", "error")
    ctx.rt.read_model.catch_up()
    due = [d for d in due_reviews(ctx.rt, month) if ctx.actor.sees(d["town"])]
    return ctx.render("reviews.html", title=f"{month} 动态管理", month=str(month),
                      due=due[:SHOWN], count=len(due), outcomes=OUTCOME_NAMES, classes=CLASSES,
                      review_day=ctx.console.clock().date().isoformat())


@page("review.record")
def record(ctx: Ctx) -> Response:
    case_hex = _case(ctx)
    if case_hex is None:
        return ctx.not_found("没有这个对象，或不在您负责的乡镇")
    f = ctx.form
    try:  # back to the month the list was showing; the form's text is never echoed as is
        back = f"/reviews?month={Month.parse(f.get('month', ''))}"
    except MonthFormatError:
        back = "/reviews"
    try:
        outcome = f.get("outcome", "")
        if outcome not in OUTCOMES:
            raise ValueError("复核结论无效")
        record_review(ctx.rt, UUID(case_hex), parse_date(f.get("date", "")), outcome,
                      f.get("household_class") or None, ctx.actor.name)
        ctx.flash(f"已记录复核：{OUTCOME_NAMES[outcome]}")
    except (LedgerRefusal, NotFoundError, ValueError) as e:
        ctx.flash(f"未记录：{refusal_text(e)}", "error")
    return ctx.redirect(back)


ROUTES = [
    Route("/reviews", reviews),
    Route("/reviews/{case_id}/record", record, methods=["POST"]),
]
