"""家庭成员导入: a household members list, as ``ledger members import``: all or nothing.

Every bad row, and every good row the household rules refuse, is named (file, row,
column; ID numbers masked) and nothing is recorded; a dry run checks without recording;
the same file twice records nothing new. A list names households across the county by
their applicants, so only a county-wide account imports it (the roster's clerks).
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from ledger.console.uploads import shown, uploaded
from ledger.console.web import Ctx, page
from ledger.services.members_file import import_members

TITLE = "家庭成员导入"


@page("roster.import")
def members(ctx: Ctx) -> Response:
    if not ctx.actor.county_wide:
        return ctx.forbidden("家庭成员名单涉及全县，只限不分乡镇的账户导入。")
    if ctx.request.method == "GET":
        return ctx.render("members.html", title=TITLE)
    dry_run = ctx.form.get("dry_run") == "yes"
    with uploaded(ctx) as upload:
        if upload is None:
            ctx.flash("请选择家庭成员文件（CSV 或 XLSX）", "error")
            return ctx.redirect("/members")
        name, path = upload
        result = import_members(ctx.rt, path, ctx.console.clock().date(), ctx.actor.name,
                                dry_run)
        problems = shown(result.problems + result.refusals, name, path)
    return ctx.render("members.html", title=TITLE, name=name, result=result,
                      problems=problems, dry_run=dry_run)


ROUTES = [Route("/members", members, methods=["GET", "POST"])]
