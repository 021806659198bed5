"""家庭成员导入: a household members list, as ``ledger members import``: all or nothing.

Every bad row, and every good row the household rules refuse, is named (file, row,
column; ID numbers masked) and nothing is recorded; a dry run checks without recording;
the same file twice records nothing new. An account limited to towns imports its towns'
households only: a row naming a household elsewhere is refused, and with it the file.
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
    if ctx.request.method == "GET":
        return ctx.render("members.html", title=TITLE)
    dry_run = ctx.form.get("dry_run") == "yes"
    with uploaded(ctx) as upload:
        if upload is None:
            ctx.flash("请选择家庭成员文件（CSV 或 XLSX）", "error")
            return ctx.redirect("/members")
        name, path = upload
        towns = None if ctx.actor.county_wide else frozenset(ctx.actor.towns)
        result = import_members(ctx.rt, path, ctx.console.clock().date(), ctx.actor.name,
                                dry_run, towns)
        problems = shown(result.problems + result.refusals, name, path)
    return ctx.render("members.html", title=TITLE, name=name, result=result,
                      problems=problems, dry_run=dry_run)


ROUTES = [Route("/members", members, methods=["GET", "POST"])]
