"""首页: this month's regular batch and its deadline, fund totals as a chart, cases by town."""

from __future__ import annotations

from sqlalchemy import Connection, func, or_, select
from starlette.responses import Response
from starlette.routing import Route

from ledger.console.chart import fund_chart
from ledger.console.web import Ctx, User, page
from ledger.domain.calendar import Month
from ledger.domain.pay_deadline import MonthStatus, pay_by_date
from ledger.services.payroll_months import payroll_watch
from projections import schema
from projections.reports import fund_totals
from projections.tracking import changed_position


@page()
def home(ctx: Ctx) -> Response:
    today = ctx.console.clock().date()
    month = Month.of(today)
    policy = ctx.rt.app.policy_book()
    b = schema.batches.c
    with ctx.rt.engine.connect() as conn:
        batches = conn.execute(select(b.batch_id, b.kind, b.status, b.payments, b.total)
                               .where(b.month == str(month)).order_by(b.kind)).mappings().all()
        regular = next((r for r in batches if r["kind"] == "regular"), None)
        # The fund chart sums the year's journal: computed once per journal line (it grows only
        # when batches are approved or the bank answers, never during a payroll run); the case
        # counts once per changed read-model position (a sign-in changes no row).
        journal = conn.execute(select(func.max(schema.journal.c.line_id))).scalar() or 0
        position = changed_position(conn, ctx.rt.read_model.NAME)
        months = ctx.console.view(
            ("chart", journal, today.year, ctx.actor.county_wide),
            lambda: _fund_months(conn, today.year) if ctx.actor.county_wide else {})
        counts = ctx.console.view(
            ("counts", position, str(month), ctx.actor.towns),
            lambda: _cases_by_programme_and_town(conn, month, ctx.actor))
    # The month's rhythm is the same answer as `ledger payroll status` and the watch job.
    statuses = payroll_watch(ctx.rt, today)
    this = next((st for st in statuses if st.month == month), None)
    pay_by = this.pay_by if this else pay_by_date(
        month, int(policy.value("payroll.pay_by_day", month)))
    left = (pay_by - today).days
    return ctx.render(
        "home.html", title="首页", month=str(month), batches=batches, regular=regular,
        pay_by=pay_by, days_left=left,
        regular_late=bool(this and this.late),
        late=[_late_text(st) for st in statuses if st.late], chart=fund_chart(months) if months else None, counts=counts,
        towns=sorted({t for by in counts.values() for t in by}))


def _fund_months(conn: Connection, year: int) -> dict[str, dict[str, int]]:
    totals = fund_totals(conn, year)["months"]
    return {m: {p: t["paid"] - t["returned"] for p, t in by.items()} for m, by in totals.items()}


def _late_text(status: MonthStatus) -> str:
    """What is late in a month, in the office's words."""
    if status.status in ("not run", "draft"):
        what = "尚未生成" if status.status == "not run" else "尚未审核"
        return f"{status.month} 月度发放{what}，应于 {status.pay_by} 前审核并导出"
    if status.status == "approved":
        return f"{status.month} 月度发放已审核，尚未导出银行文件（应于 {status.pay_by} 前）"
    return f"{status.month} 银行文件已导出，回盘结果尚未全部导入"


def _cases_by_programme_and_town(conn: Connection, month: Month,
                                 user: User) -> dict[str, dict[str, int]]:
    c = schema.cases.c
    query = (select(c.programme, c.town, func.count())
             .where(c.start_month <= str(month),
                    or_(c.exit_month.is_(None), c.exit_month > str(month)))
             .group_by(c.programme, c.town))
    if not user.county_wide:
        query = query.where(c.town.in_(user.towns))
    out: dict[str, dict[str, int]] = {}
    for programme, town, n in conn.execute(query):
        out.setdefault(programme, {})[town] = int(n)
    return dict(sorted(out.items()))


ROUTES = [Route("/", home)]
