"""对象查询: search people by name, ID number or case id; a person's page; a payment's trace."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from sqlalchemy import Select, select
from starlette.responses import Response
from starlette.routing import Route

from ledger.console.web import Ctx, page
from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord
from ledger.domain.errors import NotFoundError
from ledger.domain.household import REASONS, RELATIONS
from ledger.domain.identity import IdNumberError, mask, mask_numbers, normalize_id_number
from ledger.domain.member_classes import CLASSES
from ledger.services.campaigns import campaign_payment_ids
from ledger.services.case_view import case_summary
from ledger.services.trace import trace_payment
from projections import schema
from projections.payment_lines import LINES

LIMIT = 100
HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")


def _hex(text: str) -> str | None:
    compact = text.strip().replace("-", "")
    return compact.lower() if HEX32.match(compact) else None


@page()
def people(ctx: Ctx) -> Response:
    q = ctx.query("q").strip()[:100]
    number = _id_number(q, ctx) if q else None
    rows: list[Any] = []
    if q:
        c = schema.cases.c
        every = select(c.case_id, c.programme, c.name, c.town, c.village, c.record,
                       c.exit_month).order_by(c.name, c.programme).limit(LIMIT + 1)
        query: Select[Any] | None
        if (case_hex := _hex(q)) is not None:
            query = every.where(c.case_id == case_hex)
        elif number is not None:
            query = every.where(c.person_key == ctx.rt.app.person_key(number))
        elif ctx.rt.settings.cipher_key:
            query = None  # names are sealed in the read model: compare them opened, below
        else:
            escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = every.where(c.name.like(f"%{escaped}%", escape="\\"))
        with ctx.rt.engine.connect() as conn:
            found = _sealed_names(ctx, conn, q) if query is None else conn.execute(
                query if ctx.actor.county_wide else query.where(c.town.in_(ctx.actor.towns)))
            rows = [dict(r._mapping) | {"id_number": CaseRecord.from_json(r.record).id_number}
                    for r in found]
    # The search box shows an ID number masked, like every other page, also one typed with
    # spaces (which the search accepts and a run-of-digits rule would not see).
    shown = mask(number) if number is not None else mask_numbers(q)
    return ctx.render("people.html", title="对象查询", q=shown, rows=rows[:LIMIT],
                      more=len(rows) > LIMIT)


def _sealed_names(ctx: Ctx, conn: Any, q: str) -> list[Any]:
    """Name search when personal data is encrypted: a sealed column cannot be searched in
    SQL, so each name is opened and compared (a scan of the cases)."""
    c = schema.cases.c
    query = select(c.case_id, c.programme, c.name, c.town, c.village, c.exit_month)
    if not ctx.actor.county_wide:
        query = query.where(c.town.in_(ctx.actor.towns))
    hits = [r.case_id for r in conn.execute(query.execution_options(yield_per=5000))
            if q in r.name][:LIMIT + 1]
    if not hits:
        return []
    return list(conn.execute(
        select(c.case_id, c.programme, c.name, c.town, c.village, c.record, c.exit_month)
        .where(c.case_id.in_(hits)).order_by(c.name, c.programme)))


def _id_number(q: str, ctx: Ctx) -> str | None:
    try:
        return normalize_id_number(q, ctx.console.clock().date())
    except IdNumberError:
        return None


@page()
def person(ctx: Ctx) -> Response:
    case_hex = _hex(ctx.request.path_params["case_id"])
    c, p = schema.cases.c, LINES.c
    with ctx.rt.engine.connect() as conn:
        key = conn.execute(select(c.person_key, c.town).where(c.case_id == case_hex)).first() \
            if case_hex else None
        if key is None or not ctx.actor.sees(key.town):
            return ctx.not_found("没有这个对象，或不在您负责的乡镇")
        records = [CaseRecord.from_json(r) for r in conn.execute(
            select(c.record).where(c.person_key == key.person_key).order_by(c.programme)).scalars()]
        # A town's account sees the person's cases in its towns, and only their payments:
        # the person's case in another town (and its money) stays out of sight, as its page does.
        case_ids = [r.case_id for r in records if ctx.actor.sees(r.town)]
        shares = campaign_payment_ids(conn, key.person_key)  # paid under the campaign's id
        query = (select(p.payment_id, p.case_id, p.programme, p.kind, p.for_month,
                        p.batch_month, p.amount, p.status)
                 .where(p.case_id.in_(case_ids) | p.payment_id.in_(shares),
                        p.own_status != "withdrawn"))
        if not ctx.actor.county_wide:
            query = query.where(p.town.in_(ctx.actor.towns))
        payments = conn.execute(query.order_by(p.batch_month.desc(), p.for_month.desc())
                                .limit(500)).mappings().all()
    month = Month.of(ctx.console.clock().date())
    standards, policy = ctx.rt.app.standard_book(), ctx.rt.app.policy_book()
    cases = [case_summary(r, standards, policy, month) for r in records if ctx.actor.sees(r.town)]
    first = cases[0]
    return ctx.render("person.html", title=first["name"], person=first, cases=cases,
                      payments=payments, relations=RELATIONS, leave_reasons=REASONS,
                      member_classes=CLASSES)


@page()
def payment(ctx: Ctx) -> Response:
    pid = _hex(ctx.request.path_params["payment_id"])
    p = schema.payments.c
    with ctx.rt.engine.connect() as conn:
        row = conn.execute(select(p.name, p.town, p.village, p.bank_name, p.bank_account,
                                  p.batch_id, p.batch_month, p.case_id)
                           .where(p.payment_id == pid)).first() if pid else None
    if row is None or not ctx.actor.sees(row.town):
        return ctx.not_found("没有这笔付款，或不在您负责的乡镇")
    try:
        trace = trace_payment(ctx.rt, UUID(pid))
    except NotFoundError:
        return ctx.not_found("没有这笔付款")
    return ctx.render("payment.html", title="付款追溯", trace=trace, payee=row,
                      events=[_event_view(e) for e in trace["events"]])


def _event_view(e: dict[str, Any]) -> dict[str, Any]:
    details = {k: v for k, v in e.items() if k not in ("type", "subject", "recorded_at", "effective")}
    return {"type": e["type"], "subject": e["subject"], "recorded_at": e["recorded_at"][:19],
            "effective": e["effective"] or "", "details": details}


ROUTES = [
    Route("/people", people),
    Route("/people/{case_id}", person),
    Route("/payments/{payment_id}", payment),
]
