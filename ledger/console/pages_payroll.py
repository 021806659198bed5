"""月度发放: batches, a batch's lines and change report, running a draft, approving it.

The work is the command line's: run_payroll, approve_batch. The approver is the
signed-in account (maker–checker is the Batch's own rule); the confirmation form
carries the total and count the approver saw, and a batch that changed since is
not approved.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Connection, func, select, tuple_
from starlette.responses import Response
from starlette.routing import Route

from ledger.console.pages_people import _hex
from ledger.console.refusals import refusal_text
from ledger.console.web import Ctx, page
from ledger.domain.calendar import Month, MonthFormatError
from ledger.domain.errors import LedgerRefusal, NotFoundError
from ledger.services.batch_people import people as names_of
from ledger.services.batch_people import report_case_ids
from ledger.services.batches import (
    approve_batch,
    batch_row,
    batch_summary,
    discard_batch,
    list_batches,
    report_json,
)
from projections.payment_lines import LINES
from projections.tracking import changed_position

PAGE = 100


def _county_wide(ctx: Ctx) -> Response | None:
    if not ctx.actor.county_wide:
        return ctx.forbidden("批次涉及全县，只限不分乡镇的账户操作。")
    return None


@page()
def payroll(ctx: Ctx) -> Response:
    ctx.rt.read_model.catch_up()
    batches = list_batches(ctx.rt)
    batches.reverse()
    month = Month.of(ctx.console.clock().date())
    return ctx.render("payroll.html", title="月度发放", batches=batches, month=str(month),
                      kinds=RUN_KINDS)


RUN_KINDS = {"regular": "月度发放", "relief": "临时救助批次", "campaign": "救助活动批次"}
"""Batches the console runs, as ``ledger payroll run --kind``: the regular payroll, and the
two out-of-cycle batches (advance and approved relief; the month's cash campaigns)."""


@page("payroll.run")
def run(ctx: Ctx) -> Response:
    if (refused := _county_wide(ctx)) is not None:
        return refused
    from ledger.console.payroll_process import run_in_child
    from ledger.services.campaign_run import run_campaign_batch
    from ledger.services.relief_run import run_relief_batch

    kind = ctx.form.get("kind", "regular")
    if kind not in RUN_KINDS:
        ctx.flash("批次类型无效", "error")
        return ctx.redirect("/payroll")
    try:
        month = Month.parse(ctx.form.get("month", ""))
    except MonthFormatError:
        ctx.flash("月份格式应为 YYYY-MM", "error")
        return ctx.redirect("/payroll")
    by = ctx.actor.name
    today = ctx.console.clock().date()  # the same calendar rule as the command line

    def work(progress: Any) -> str:
        # The regular payroll is the county's whole roster: a child process, so the pages
        # stay responsive. The out-of-cycle batches are a few lines each: run here.
        if kind == "relief":
            return run_relief_batch(ctx.rt, month, by, today).id.hex
        if kind == "campaign":
            return run_campaign_batch(ctx.rt, month, by, today).id.hex
        return run_in_child(ctx.rt, str(month), by, today, progress)

    job = ctx.console.jobs.start(f"{month} {RUN_KINDS[kind]}", by, work)
    return ctx.redirect(f"/jobs/{job.job_id}")


@page()
def job(ctx: Ctx) -> Response:
    found = ctx.console.jobs.get(ctx.request.path_params["job_id"])
    if found is None:
        return ctx.not_found("没有这个任务")
    if found.state == "done":
        ctx.flash(f"{found.title}草稿已生成")
        return ctx.redirect(f"/payroll/{found.result}")
    return ctx.render("job.html", title=found.title, job=found)


def _pages(count: int) -> int:
    return max(1, -(-count // PAGE))


def _lines(ctx: Ctx, batch_hex: str, page_no: int) -> tuple[list[Any], int, bool, bool]:
    """A page of the batch's lines in (case, month, kind) order, and how many there are.

    Turning pages goes by key (``after``/``before``: the payment id of the last or first line
    shown), so the 500th page of a 100,000-line batch reads 100 lines from the index, not
    49,900 skipped with ``OFFSET`` (measured: 121-201 ms at that depth). A page number alone
    (a bookmark, or a cursor that is not a line of this batch) still works, by offset.
    """
    p = LINES.c
    where = [p.batch_id == batch_hex, p.own_status != "withdrawn"]
    if not ctx.actor.county_wide:
        where.append(p.town.in_(ctx.actor.towns))
    order = (p.case_id, p.for_month, p.kind, p.payment_id)
    columns = (p.payment_id, p.case_id, p.name, p.town, p.village, p.bank_account,
               p.programme, p.kind, p.for_month, p.amount, p.status)
    with ctx.rt.engine.connect() as conn:
        # Counting a batch's lines by status reads every line (120-165 ms at 100,000): done
        # once per changed read-model position, as the dashboard's counts, not on every page turned.
        position = changed_position(conn, ctx.rt.read_model.NAME)
        by_status = ctx.console.view(
            ("by_status", position, batch_hex, ctx.actor.towns),
            lambda: {status: (int(n), int(total or 0)) for status, n, total in conn.execute(
                select(p.status, func.count(), func.sum(p.transfer))
                .where(*where).group_by(p.status))})
        ctx.extra["by_status"] = by_status
        count = sum(n for n, _ in by_status.values())
        key = tuple_(*order)
        if (after := _anchor(conn, ctx.query("after", ""), where, order)) is not None:
            rows = conn.execute(select(*columns).where(*where, key > tuple_(*after))
                                .order_by(*order).limit(PAGE + 1)).mappings().all()
            return list(rows[:PAGE]), count, True, len(rows) > PAGE
        if (before := _anchor(conn, ctx.query("before", ""), where, order)) is not None:
            rows = conn.execute(select(*columns).where(*where, key < tuple_(*before))
                                .order_by(*(c.desc() for c in order)).limit(PAGE + 1)
                                ).mappings().all()
            return list(reversed(rows[:PAGE])), count, len(rows) > PAGE, True
        page_no = min(page_no, _pages(count))  # a page past the last shows the last
        rows = conn.execute(
            select(*columns).where(*where).order_by(*order)
            .limit(PAGE + 1).offset((page_no - 1) * PAGE)).mappings().all()
    return list(rows[:PAGE]), count, page_no > 1, len(rows) > PAGE


def _anchor(conn: Connection, cursor: str, where: list[Any],
            order: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The ``order`` key of the line ``cursor`` names, if it is a line this page may show."""
    payment_hex = _hex(cursor) if cursor else None
    if payment_hex is None:
        return None
    found = conn.execute(select(*order).where(*where, LINES.c.payment_id == payment_hex)).first()
    return tuple(found) if found is not None else None


def _summary(ctx: Ctx) -> dict[str, Any] | None:
    batch_hex = _hex(ctx.request.path_params["batch_id"])
    if batch_hex is None:
        return None
    try:
        row = batch_row(ctx.rt, UUID(batch_hex))
    except NotFoundError:
        return None
    return batch_summary(row) | {"report": report_json(row), "computed": row["computed"],
                                 "running": row["running"]}


@page()
def batch(ctx: Ctx) -> Response:
    data = _summary(ctx)
    if data is None:
        return ctx.not_found("没有这个批次")
    try:
        page_no = max(1, int(ctx.query("page", "1")))
    except ValueError:
        page_no = 1
    lines, count, earlier, later = _lines(ctx, data["batch_id"], page_no)
    page_no = min(page_no, _pages(count))
    report = data["report"]
    with ctx.rt.engine.connect() as conn:
        names = names_of(conn, report_case_ids(data)) if ctx.actor.county_wide else {}
    return ctx.render("batch.html", title=f"{data['month']} 发放批次", b=data, lines=lines,
                      count=count, page_no=page_no, pages=_pages(count),
                      earlier=earlier, later=later, names=names, report=report, by_status=ctx.extra.get("by_status", {}))


@page("payroll.approve")
def approve(ctx: Ctx) -> Response:
    if (refused := _county_wide(ctx)) is not None:
        return refused
    data = _summary(ctx)
    if data is None:
        return ctx.not_found("没有这个批次")
    if ctx.request.method == "GET":
        return ctx.render("approve.html", title="审核确认", b=data)
    if ctx.form.get("confirm") != "yes":
        ctx.flash("请勾选“我已核对合计金额与笔数”后再审核", "error")
        return ctx.redirect(f"/payroll/{data['batch_id']}/approve")
    if (ctx.form.get("total"), ctx.form.get("payments")) != (data["total"], str(data["payments"])):
        ctx.flash("批次在您核对后发生了变化，请重新核对", "error")
        return ctx.redirect(f"/payroll/{data['batch_id']}/approve")
    try:
        approved = approve_batch(ctx.rt, UUID(data["batch_id"]), ctx.actor.name)
    except (LedgerRefusal, NotFoundError) as e:
        ctx.flash(f"未审核：{refusal_text(e)}", "error")
        return ctx.redirect(f"/payroll/{data['batch_id']}")
    ctx.flash(f"{approved.month} 批次已由 {approved.approved_by} 审核通过")
    return ctx.redirect(f"/payroll/{data['batch_id']}")


@page("payroll.run")
def discard(ctx: Ctx) -> Response:
    """Throw a regular draft away (recorded), as ``ledger payroll discard``: its month can be
    run again. Asked to be confirmed; an approved batch is never discarded (the domain says)."""
    if (refused := _county_wide(ctx)) is not None:
        return refused
    data = _summary(ctx)
    if data is None:
        return ctx.not_found("没有这个批次")
    if ctx.form.get("confirm") != "yes":
        ctx.flash("请勾选“确认作废此草稿”后再作废", "error")
        return ctx.redirect(f"/payroll/{data['batch_id']}")
    try:
        discard_batch(ctx.rt, UUID(data["batch_id"]), ctx.actor.name)
        ctx.flash(f"{data['month']} 草稿已作废；可重新生成")
    except (LedgerRefusal, NotFoundError) as e:
        ctx.flash(f"未作废：{refusal_text(e)}", "error")
    return ctx.redirect(f"/payroll/{data['batch_id']}")


ROUTES = [
    Route("/payroll", payroll),
    Route("/payroll/run", run, methods=["POST"]),
    Route("/jobs/{job_id}", job),
    Route("/payroll/{batch_id}", batch),
    Route("/payroll/{batch_id}/approve", approve, methods=["GET", "POST"]),
    Route("/payroll/{batch_id}/discard", discard, methods=["POST"]),
]
