"""首页: this month's regular batch and its deadline, fund totals as a chart, cases by town."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, or_, select
from starlette.responses import Response
from starlette.routing import Route

from ledger.calendar import Month
from ledger.console.chart import fund_chart
from ledger.console.deadline import days_left, pay_by_date
from ledger.console.web import Ctx, User, page
from projections import schema
from projections.reports import fund_totals

DONE = ("exported", "reconciled")


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
        late = _late(conn, today, policy)
        months = {}
        if ctx.actor.county_wide:
            totals = fund_totals(conn, today.year)["months"]
            months = {m: {p: t["paid"] - t["returned"] for p, t in by.items()}
                      for m, by in totals.items()}
        counts = _cases_by_programme_and_town(conn, month, ctx.actor)
    left = days_left(policy, month, today)
    return ctx.render(
        "home.html", title="首页", month=str(month), batches=batches, regular=regular,
        pay_by=pay_by_date(policy, month), days_left=left,
        regular_late=left < 0 and (regular is None or regular["status"] not in DONE),
        late=late, chart=fund_chart(months) if months else None, counts=counts,
        towns=sorted({t for by in counts.values() for t in by}))


def _late(conn: Connection, today: Any, policy: Any) -> list[str]:
    """Earlier months whose regular batch is not yet with the bank (the last twelve months)."""
    b = schema.batches.c
    this = Month.of(today)
    rows = dict(conn.execute(select(b.month, b.status).where(
        b.kind == "regular", b.month >= str(this + -12), b.month < str(this))).all())
    first = min(rows, default=None)  # months before the ledger's first payroll are not late
    return [f"{m} 月度发放{'尚未生成' if m not in rows else '尚未导出银行文件'}"
            for m in (str(this + -k) for k in range(3, 0, -1))
            if first is not None and m >= first and rows.get(m) not in DONE]


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
