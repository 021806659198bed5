"""报表与审计: fund totals (with the XLSX download), the audit log, the integrity check."""

from __future__ import annotations

from collections import deque
from datetime import timedelta

from starlette.responses import Response
from starlette.routing import Route

from ledger.adapters.report_files import funds_xlsx
from ledger.console.web import Ctx, page
from ledger.domain.calendar import parse_date
from ledger.services.audit import audit_entries
from projections.reports import funds_report, journal_balance

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
    return Response(body, media_type="application/vnd.openxmlformats-officedocument."
                    "spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="funds-{year}.xlsx"'})


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
    Route("/audit", audit),
    Route("/verify", verify),
]
