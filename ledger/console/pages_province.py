"""全省汇总: every county's 月报 figures side by side and summed, as ``ledger province report``.

Shown only by a console served with ``--province FILE`` (the province office's), and only to
accounts not limited to towns. Each county is read as projected, through a read-only
connection, on every view (a county may have projected more since): nothing is kept here.
A county that cannot be read (unreachable, no ledger, a wrong or missing key) fails the
page with one line naming it, never a partial sum passed off as the province's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from ledger.adapters.county_list import CountyListError
from ledger.adapters.db_errors import DatabaseUnavailableError
from ledger.adapters.province_report_file import province_xlsx_bytes
from ledger.bootstrap import NotInitialisedError, province_figures
from ledger.console.pages_reports import XLSX, month_asked
from ledger.console.web import Ctx, page
from ledger.domain.safe_text import scrub

COUNTY_WIDE = "全省汇总只限不分乡镇的账户查看和下载。"
NOT_SERVED = "本控制台未配置全省汇总（启动时用 ledger serve --province 指定各县账本）。"


def _answered(ctx: Ctx, answer: Callable[[dict[str, Any]], Response]) -> Response:
    """``answer(report)``, or the page saying why there is no report."""
    if not ctx.console.province:
        return ctx.not_found(NOT_SERVED)
    if not ctx.actor.county_wide:
        return ctx.forbidden(COUNTY_WIDE)
    month, problem = month_asked(ctx)
    if problem:
        return ctx.render("error.html", status=400, title="月份有误", message=problem)
    try:
        data = province_figures(list(ctx.console.province), month)
    except (CountyListError, NotInitialisedError, DatabaseUnavailableError) as e:
        return ctx.render("error.html", status=503, title="无法读取县账本",
                          message=f"全省汇总未生成：{scrub(str(e))}")
    return answer(data)


@page()
def province(ctx: Ctx) -> Response:
    return _answered(ctx, lambda data: ctx.render(
        "province.html", title=f"{data['month']} 全省汇总", data=data, month=data["month"]))


@page()
def province_download(ctx: Ctx) -> Response:
    return _answered(ctx, lambda data: Response(province_xlsx_bytes(data), media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="province-{data["month"]}.xlsx"'}))


ROUTES = [
    Route("/reports/province", province),
    Route("/reports/province.xlsx", province_download),
]
