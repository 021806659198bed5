"""What a payroll knows before it reads a case: the months paid, reissues, price subsidies.

Read once per run from the read model and the event log (and, per part, what the cases
of that part were paid before): the facts every case's lines are computed against.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, func, select

from ledger.domain.calendar import Month
from ledger.domain.campaign import PROGRAMME_KEY as CAMPAIGN
from ledger.domain.payroll import Reissue
from ledger.domain.policy import PolicyBook
from ledger.domain.price_linkage import Decision, decide
from ledger.domain.rulebook import CpiRecord, PolicySetting, Standard
from ledger.domain.statuses import BATCH_APPROVED as APPROVED
from ledger.domain.statuses import PAID as PAID_STATUSES
from ledger.services.runtime import Runtime
from projections import schema
from projections.payment_lines import LINES

RULE_TOPICS = [get_topic(Standard.Set), get_topic(PolicySetting.Set)]
CPI_TOPICS = [*RULE_TOPICS, get_topic(CpiRecord.Recorded)]


@dataclass(frozen=True)
class PriceMonth:
    """A measured month whose price-subsidy batch was approved, decided by today's figures."""

    month: Month
    decision: Decision
    floor: int
    changed: bool
    """Its CPI figures, a standard or the policy changed since its batch was computed."""


def price_months(rt: Runtime, conn: Connection, month: Month,
                  policy: PolicyBook) -> list[PriceMonth]:
    """Every approved price-subsidy month up to ``month``, as the facts known now decide it.

    A price subsidy follows the facts like any other payment (SPEC: Retroactive changes):
    a CPI correction, or a case fact recorded late that changes who was covered in the
    measured month or a household's size then, is paid or recovered by the regular payroll.
    """
    b = schema.batches.c
    found = []
    for measured, position in conn.execute(
        select(b.month, b.position).where(b.kind == "price_subsidy", b.status.in_(APPROVED),
                                          b.month <= str(month)).order_by(b.month)
    ):
        x = Month.parse(measured)
        record = rt.app.cpi(x)
        if record is None or record.cpi_yoy is None or record.food_yoy is None:
            continue
        decision = decide(record.cpi_yoy, record.food_yoy,
                          policy.value("price_linkage.cpi_threshold", x),
                          policy.value("price_linkage.food_threshold", x))
        changed = bool(rt.app.recorder.select_notifications(
            int(position), 1, topics=CPI_TOPICS, inclusive_of_start=False))
        found.append(PriceMonth(x, decision, policy.value("price_linkage.floor", x), changed))
    return found


def price_paid(conn: Connection, case_ids: list[str]) -> dict[str, dict[Month, int]]:
    """case -> measured month -> its price subsidy paid in approved batches (reissues not)."""
    p = LINES.c
    paid: dict[str, dict[Month, int]] = defaultdict(dict)
    for case_id, for_month, total in conn.execute(
        select(p.case_id, p.for_month, func.sum(p.amount))
        .where(p.case_id.in_(case_ids), p.programme == "price_subsidy",
               p.status.in_(PAID_STATUSES), p.kind != "reissue")
        .group_by(p.case_id, p.for_month)
    ):
        paid[case_id][Month.parse(for_month)] = int(total)
    return paid


def settled_since(rt: Runtime, conn: Connection, month: Month) -> tuple[int | None, set[str]]:
    """The position up to which earlier months are settled, and the cases still owing.

    When the latest approved regular batch L was computed at log position P, it paid every
    case exactly its entitlement for every earlier paid month, except the recoveries it could
    not net (its receivables). Months are run and approved in order, so no other month was
    paid since. A case whose facts did not change after P, while no standard or policy
    changed after P either, therefore has nothing to pay or recover for past months: its
    history need not be recomputed. Returns (None, …) when that shortcut does not apply.
    """
    b = schema.batches.c
    latest = conn.execute(
        select(b.position, b.report).where(b.kind == "regular", b.status.in_(APPROVED),
                                           b.month < str(month))
        .order_by(b.month.desc()).limit(1)
    ).first()
    if latest is None:
        return None, set()
    position, report = int(latest[0]), json.loads(latest[1] or "{}")
    receivables = report.get("receivables", {})
    if len(receivables.get("by_case", {})) < receivables.get("cases", 0):
        return None, set()  # the list was capped: cannot tell who still owes
    if rt.app.recorder.select_notifications(position, 1, topics=RULE_TOPICS,
                                            inclusive_of_start=False):
        return None, set()  # a standard or policy changed since: every history may differ
    return position, set(receivables.get("by_case", {}))


def paid_months(conn: Connection, month: Month) -> list[Month]:
    b = schema.batches.c
    rows = conn.execute(
        select(b.month).where(b.kind == "regular", b.status.in_(APPROVED), b.month < str(month))
    )
    return sorted(Month.parse(m) for (m,) in rows)


def net_paid(conn: Connection, case_ids: list[str]) -> dict[str, dict[Month, int]]:
    """case -> for_month -> sum of its lines in approved batches (returns included, reissues not).

    Only the case's own programme counts: relief and price-subsidy lines (and their
    corrections, which the regular batch also carries) are one-off payments of their own.
    """
    p = LINES.c
    rows = conn.execute(
        select(p.case_id, p.for_month, func.sum(p.amount))
        .where(p.case_id.in_(case_ids), p.batch_kind == "regular",
               p.status.in_(PAID_STATUSES), p.kind != "reissue",
               p.programme.not_in(("temporary", "price_subsidy")))
        .group_by(p.case_id, p.for_month)
    )
    paid: dict[str, dict[Month, int]] = defaultdict(dict)
    for case_id, for_month, total in rows:
        paid[case_id][Month.parse(for_month)] = int(total)
    return paid


def reissues(conn: Connection, month: Month,
             person_key: Callable[[str], str] = str,
             ) -> tuple[dict[str, list[Reissue]], list[dict[str, Any]]]:
    """Returned payments to pay again (account corrected since the return) and those held.

    The payee is a case, an institution or a relief (whose lines name them where a case
    goes); either way its account must have changed after the bank returned the transfer.
    A campaign's line names its campaign, not a case: it was paid to the account of a case
    of the person it names (``person_key`` finds them), so it is paid again, as a
    ``campaign`` reissue line of that case, once one of that person's cases has its
    account corrected after the return (the latest correction, if several).
    """
    p, c, i, r = LINES.c, schema.cases.c, schema.institutions.c, schema.reliefs.c
    already = set()
    for (text,) in conn.execute(
        select(p.reissue_of).where(p.reissue_of != "", p.status.in_(PAID_STATUSES))
    ):
        already.update(text.split(","))
    rows = conn.execute(
        select(p.payment_id, p.case_id, p.for_month, p.transfer, p.returned_position,
               p.programme, func.coalesce(c.bank_changed_position, i.bank_changed_position,
                                          r.bank_changed_position),
               p.id_number)
        .join(schema.cases, c.case_id == p.case_id, isouter=True)
        .join(schema.institutions, i.institution_id == p.case_id, isouter=True)
        .join(schema.reliefs, r.relief_id == p.case_id, isouter=True)
        .where(p.status == "returned")
    )
    reissues: dict[str, list[Reissue]] = defaultdict(list)
    held = []
    for pid, payee, for_month, transfer, returned_at, programme, bank_at, id_number in rows:
        if pid in already or transfer <= 0:
            continue
        if bank_at is None and programme == CAMPAIGN:
            payee, bank_at = _corrected_case(conn, person_key(id_number)) or (payee, None)
        if bank_at is not None and bank_at > (returned_at or 0):
            reissues[payee].append(Reissue(UUID(pid), Month.parse(for_month), int(transfer),
                                           programme))
        else:
            held.append({"payment_id": pid, "case_id": payee, "programme": programme,
                         "amount": int(transfer), "for_month": for_month})
    return reissues, held


def _corrected_case(conn: Connection, person_key: str) -> tuple[str, int] | None:
    """The person's case whose account was corrected last, and when; None if never."""
    c = schema.cases.c
    found = conn.execute(
        select(c.case_id, c.bank_changed_position)
        .where(c.person_key == person_key, c.bank_changed_position > 0)
        .order_by(c.bank_changed_position.desc()).limit(1)).first()
    return (found[0], int(found[1])) if found else None
