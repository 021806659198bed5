"""死亡名单导入: the civil-registration death list, as ``ledger deaths import``.

Each person on the list the ledger knows stops being paid from the month after the death:
their cases end, and they leave any household they are a member of; money already paid
for later months is recovered by the next payroll's ordinary rules. A list covers the
county, so only a county-wide account imports it. Bad rows change nothing and are named
(file, row, column), ID numbers masked, as on the roster page.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from ledger.console.uploads import shown, uploaded
from ledger.console.web import Ctx, page
from ledger.services.deaths import import_deaths

TITLE = "死亡名单导入"


@page("deaths.import")
def deaths(ctx: Ctx) -> Response:
    if not ctx.actor.county_wide:
        return ctx.forbidden("死亡名单涉及全县，只限不分乡镇的账户导入。")
    if ctx.request.method == "GET":
        return ctx.render("deaths.html", title=TITLE)
    with uploaded(ctx) as upload:
        if upload is None:
            ctx.flash("请选择死亡名单文件（CSV 或 XLSX：身份证号、姓名、死亡日期）", "error")
            return ctx.redirect("/deaths")
        name, path = upload
        result = import_deaths(ctx.rt, path, ctx.console.clock().date(), ctx.actor.name)
        problems = shown(result.problems, name, path)
    return ctx.render("deaths.html", title=TITLE, name=name, result=result, problems=problems)


ROUTES = [Route("/deaths", deaths, methods=["GET", "POST"])]
