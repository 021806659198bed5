"""报表与审计: fund totals and the 月报 (each with its XLSX download), the audit log, the
integrity check."""

from __future__ import annotations

from collections import deque
from datetime import timedelta
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from ledger.adapters.monthly_report_file import AREA_NAMES, monthly_xlsx_bytes
from ledger.adapters.report_files import funds_xlsx, roster_xlsx
from ledger.console.web import Ctx, page
from ledger.domain.calendar import Month, MonthFormatError, parse_date
from ledger.services.audit import audit_entries
from projections.monthly_statistics import monthly_statistics
from projections.reports import ROSTER_HEADER, funds_report, journal_balance, roster_rows
from projections.tracking import changed_position

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COUNTY_ONLY = "月报是全县数字，只限不分乡镇的账户查看和下载。"

AUDIT_SHOWN = 500


def _year(ctx: Ctx) -> int:
    try:
        year = int(ctx.query("year") or ctx.console.clock().date().year)
    except ValueError:
        year = ctx.console.clock().date().year
    return min(max(year, 2000), 2100)


@page()
def funds(ctx: Ctx) -> Response:
    year = _year(ctx)
    with ctx.rt.engine.connect() as conn:
        data = funds_report(conn, year)
    if not ctx.actor.county_wide:  # a town's account sees its towns' rows only
        data = {"year": year, "programmes": {}, "months": {}, "registered_poor": {},
                "towns": {t: v for t, v in data["towns"].items() if t in ctx.actor.towns}}
    return ctx.render("funds.html", title=f"{year} 年资金汇总", year=year, data=data)


@page()
def funds_download(ctx: Ctx) -> Response:
    if not ctx.actor.county_wide:
        return ctx.forbidden("全县资金汇总只限不分乡镇的账户下载。")
    year = _year(ctx)
    with ctx.rt.engine.connect() as conn:
        data = funds_report(conn, year)
    path = ctx.console.work_dir / f"funds-{year}-{id(data)}.xlsx"
    try:
        funds_xlsx(path, data)
        body = path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
    return Response(body, media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="funds-{year}.xlsx"'})


def month_asked(ctx: Ctx) -> tuple[Month, str | None]:
    """The month asked for, else this month; and what was wrong with the one asked for."""
    asked = ctx.query("month").strip()
    if asked:
        try:
            month = Month.parse(asked)
        except MonthFormatError:
            return Month.of(ctx.console.clock().date()), "月份应写成 YYYY-MM，例如 2024-01。"
        if 2000 <= month.year <= 2100:
            return month, None
        return Month.of(ctx.console.clock().date()), "月份应在 2000 至 2100 年之间。"
    return Month.of(ctx.console.clock().date()), None


def _monthly(ctx: Ctx, month: Month) -> dict[str, Any]:
    """The month's figures, computed once per changed read-model position (seconds at 100,000
    cases): the page and its download, viewed again, cost nothing."""
    with ctx.rt.engine.connect() as conn:
        position = changed_position(conn, ctx.rt.read_model.NAME)
        result: dict[str, Any] = ctx.console.view(("monthly", position, str(month)),
                                                  lambda: monthly_statistics(conn, month))
    return result


@page()
def monthly(ctx: Ctx) -> Response:
    """月报: the figures the county reports upward, as ``ledger report monthly`` gives them.

    County-wide accounts only: the figures are the county's (a town's account would see
    other towns' households in them), as for the fund report's download.
    """
    if not ctx.actor.county_wide:
        return ctx.forbidden(COUNTY_ONLY)
    month, problem = month_asked(ctx)
    data = _monthly(ctx, month)
    return ctx.render("monthly.html", status=400 if problem else 200,
                      title=f"{month} 月报", month=str(month), problem=problem,
                      rows=data["rows"], areas=AREA_NAMES)


@page()
def monthly_download(ctx: Ctx) -> Response:
    if not ctx.actor.county_wide:
        return ctx.forbidden(COUNTY_ONLY)
    month, problem = month_asked(ctx)
    if problem:
        return ctx.render("error.html", status=400, title="月份有误", message=problem)
    body = monthly_xlsx_bytes(_monthly(ctx, month))
    return Response(body, media_type=XLSX,
                    headers={"Content-Disposition":
                             f'attachment; filename="monthly-{month}.xlsx"'})


@page()
def roster_download(ctx: Ctx) -> Response:
    """花名册 of a month as XLSX (ID and account numbers masked, 小计 per town), as
    ``ledger report roster --xlsx``; an account limited to towns gets its towns' rows."""
    month, problem = month_asked(ctx)
    if problem:
        return ctx.render("error.html", status=400, title="月份有误", message=problem)
    with ctx.rt.engine.connect() as conn:
        rows = [r for r in roster_rows(conn, str(month)) if ctx.actor.sees(r[0])]
    path = ctx.console.work_dir / f"roster-{month}-{id(rows)}.xlsx"
    try:
        roster_xlsx(path, ROSTER_HEADER, rows)
        body = path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
    return Response(body, media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="roster-{month}.xlsx"'})


@page("audit.read")
def audit(ctx: Ctx) -> Response:
    today = ctx.console.clock().date()
    try:
        since = parse_date(ctx.query("since")) if ctx.query("since") else today - timedelta(30)
    except ValueError:
        since = today - timedelta(30)
    user = ctx.query("user").strip() or None
    event = ctx.query("event").strip()
    entries: deque[dict[str, object]] = deque(maxlen=AUDIT_SHOWN)
    for entry in audit_entries(ctx.rt.app, since, user):
        if not event or event.lower() in str(entry["event"]).lower():
            entries.append(entry)
    return ctx.render("audit.html", title="审计日志", entries=list(reversed(entries)),
                      since=since.isoformat(), user_filter=user or "", event=event,
                      limit=AUDIT_SHOWN)


@page("verify")
def verify(ctx: Ctx) -> Response:
    result = None
    if ctx.query("run") == "1":
        from projections.chain import verify as verify_chain

        ctx.rt.read_model.catch_up()
        chain = verify_chain(ctx.rt.app.recorder, ctx.rt.engine)
        with ctx.rt.engine.connect() as conn:
            debit, credit = journal_balance(conn)
        result = {"chain": chain, "debit": debit, "credit": credit,
                  "ok": chain.ok and debit == credit}
    return ctx.render("verify.html", title="完整性校验", result=result)


ROUTES = [
    Route("/reports/funds", funds),
    Route("/reports/funds.xlsx", funds_download),
    Route("/reports/monthly", monthly),
    Route("/reports/monthly.xlsx", monthly_download),
    Route("/reports/roster.xlsx", roster_download),
    Route("/audit", audit),
    Route("/verify", verify),
]
