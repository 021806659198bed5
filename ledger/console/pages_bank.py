"""Files in and out: roster import (with a dry run), bank file export and download, bank results.

Uploaded files are written to the console's private work folder (mode 0700)
and handed to the command line's own functions (import_roster, export_batch,
import_results), so the console and the CLI accept and refuse exactly the same.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from uuid import UUID

from starlette.responses import Response
from starlette.routing import Route

from ledger.adapters.roster import read_roster
from ledger.console.pages_payroll import _county_wide, _summary
from ledger.console.refusals import refusal_text
from ledger.console.uploads import shown, uploaded
from ledger.console.web import Ctx, page
from ledger.domain.errors import LedgerRefusal
from ledger.domain.identity import mask
from ledger.services.bank_export import FORMATS, export_batch
from ledger.services.bank_results_import import import_results, problem_text
from ledger.services.enrolment import import_roster


@page("roster.import")
def roster(ctx: Ctx) -> Response:
    if ctx.request.method == "GET":
        return ctx.render("roster.html", title="花名册导入")
    dry_run = ctx.form.get("dry_run") == "yes"
    today = ctx.console.clock().date()
    with uploaded(ctx) as upload:
        if upload is None:
            ctx.flash("请选择要导入的花名册文件（CSV 或 XLSX）", "error")
            return ctx.redirect("/roster")
        name, path = upload
        outside = _outside_towns(ctx, path, name)
        if outside:
            return ctx.render("roster.html", title="花名册导入", name=name, dry_run=dry_run,
                              problems=outside, refused=True)
        result = import_roster(ctx.rt, path, today, ctx.actor.name, dry_run)
        problems = shown(result.problems + result.refusals, name, path)
    if not problems:
        if dry_run:
            ctx.flash(f"{name}：预检通过，{result.rows} 行有效，将新增 "
                      f"{result.rows - result.already} 户/人，{result.already} 条已在册；未导入")
        else:
            ctx.flash(f"{name}：已导入 {result.enrolled} 条，{result.already} 条已在册")
    return ctx.render("roster.html", title="花名册导入", name=name, dry_run=dry_run,
                      problems=problems, result=result, refused=bool(problems))


def _outside_towns(ctx: Ctx, path: Path, name: str) -> list[dict[str, str | int]]:
    """Rows a town-limited clerk may not import: people of other towns."""
    if ctx.actor.county_wide:
        return []
    rows, _ = read_roster(path, ctx.console.clock().date())
    return [{"file": name, "row": r.row, "column": "town",
             "problem": f"{mask(r.id_number)} 属于 {r.town}，不在您负责的乡镇"}
            for r in rows if r.town not in ctx.actor.towns]


@page("bank.export")
def export(ctx: Ctx) -> Response:
    if (refused := _county_wide(ctx)) is not None:
        return refused
    data = _summary(ctx)
    if data is None:
        return ctx.not_found("没有这个批次")
    fmt = ctx.form.get("format", "csv")
    encoding = ctx.form.get("encoding") or None
    if fmt not in FORMATS or encoding not in (None, "gbk", "utf-8"):
        ctx.flash("未知的文件格式或编码", "error")
        return ctx.redirect(f"/payroll/{data['batch_id']}")
    suffix = ".xml" if fmt == "pain001" else ".csv"
    out = ctx.console.work_dir / f"{secrets.token_hex(8)}{suffix}"
    try:
        result = export_batch(ctx.rt, UUID(data["batch_id"]), fmt, out, ctx.actor.name,
                              encoding if fmt == "csv" else None)
        body = out.read_bytes()
    except (LedgerRefusal, ValueError) as e:
        ctx.flash(f"未导出：{refusal_text(e)}", "error")
        return ctx.redirect(f"/payroll/{data['batch_id']}")
    finally:
        out.unlink(missing_ok=True)
    filename = f"bank-{data['month']}-{data['kind']}-{result.sha256[:8]}{suffix}"
    ctx.flash(f"已导出 {fmt} 银行文件：{result.payments} 笔，SHA-256 {result.sha256[:16]}…")
    return Response(body, media_type="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


@page("bank.import")
def results(ctx: Ctx) -> Response:
    if (refused := _county_wide(ctx)) is not None:
        return refused
    back = ctx.form.get("back", "/payroll")
    back = back if back.startswith("/payroll") else "/payroll"
    with uploaded(ctx) as upload:
        if upload is None:
            ctx.flash("请选择银行回盘文件（CSV 或 pain.002）", "error")
            return ctx.redirect(back)
        name, path = upload
        try:
            report = import_results(ctx.rt, path, ctx.actor.name)
        except (LedgerRefusal, ValueError) as e:
            ctx.flash(f"未导入：{refusal_text(e)}", "error")
            return ctx.redirect(back)
    ctx.flash(f"{name}：读取 {report.results} 条，成功 {report.settled}，退回 {report.returned}，"
              f"已有 {report.unchanged}，对账完成批次 {len(report.reconciled)} 个")
    for problem in report.problems[:50]:
        ctx.flash(problem_text(problem).replace(str(path), name), "error")
    return ctx.redirect(back)


ROUTES = [
    Route("/roster", roster, methods=["GET", "POST"]),
    Route("/payroll/{batch_id}/export", export, methods=["POST"]),
    Route("/bank/results", results, methods=["POST"]),
]
