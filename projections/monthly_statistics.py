"""Monthly statistics (月报): households, people, spending, average per person, new and ended.

Read from the read model (payments of approved batches, cases, reliefs), never from
the event streams. The figures, per programme and area (``urban``, ``rural``, ``all``):

- ``paid`` (支出): every line of the month's approved batches (batch month M, any batch
  kind), arrears and recoveries included, whatever the bank did with it since.
- ``households`` (户数) and ``people`` (人数): who was *paid for* M — the cases with a
  regular or graduation line in M's batches (for the one-off programmes, a
  ``price_subsidy`` or ``relief`` line). A dibao household counts its household size in
  the month its line pays for; everyone else counts 1, so for a per-person programme
  ``households`` counts cases. A price subsidy paid to a dibao household counts its size.
- ``average_per_person`` (月人均补助水平): those lines (regular + graduation; the one-off
  line for the one-off programmes) ÷ people, fen half-up. Arrears are not the month's
  level of support, so they are left out here though they are in ``paid``.
- ``new`` (新增): cases whose first regular or graduation line, in any approved batch up
  to M, pays for M — the month the county first paid them, whatever start month the
  roster gave (a back-dated enrolment is new when it is first paid).
- ``ended`` (减少): cases whose recorded exit month is M, i.e. M is the first month they
  are no longer paid (death, moving, a review's exit); a case that exited before it was
  ever in payment is not counted. A graduation that ran its course is not an exit
  event (graduations are derived from the facts): a household paid a graduation line
  for M − 1 and no regular or graduation line for M has ended in M.
- One-off programmes (``temporary``, ``price_subsidy``) have no cases that begin or end:
  their ``new`` and ``ended`` are 0.
- Campaigns (``campaign``, 冬春救助 and the like) and institutions (``institution``, 幸福院)
  are paid from the same batches, so they have rows of their own after the spec's
  programmes (in ``REPORTED_PROGRAMMES`` order, when the month paid them): without
  them the month's 支出 would not add up to what its batches paid. A campaign row counts
  its payees (a household paid by two campaigns in a month is one household) and the
  people each payee's first line counted (``campaign.persons_of``, the payroll's own
  count). A campaign line belongs to its campaign, not to a case, so campaign figures are
  county-wide (``all``) only. An institution is a payee, not a household: ``households``
  counts the institutions paid, ``people`` is 0 (the ledger records no residents) and so
  is the average; it has no area either. Neither has ``new`` or ``ended``.

A case with no area recorded is counted in ``all`` only. Area and household size are
the facts known *now* for the month a line pays for (the ledger's one fold of facts):
a household size corrected back-dated changes the people of a month already reported,
while the money stays what that month's batches paid (the correction's recovery or
arrears is in the month it is paid).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, func, select

from ledger.domain.calendar import Month
from ledger.domain.campaign import PROGRAMME_KEY as CAMPAIGN
from ledger.domain.campaign import persons_of
from ledger.domain.case_record import PROGRAMMES, ROSTER_PROGRAMMES, CaseRecord, MonthFacts
from ledger.domain.institution import PROGRAMME as INSTITUTION
from ledger.domain.money import divide_half_up, format_yuan
from ledger.domain.statuses import PAID
from projections import schema
from projections.payment_lines import LINES
from projections.people import case_records, chunks, people_in

MONTHLY_KINDS = ("regular", "graduation")
ONE_OFF_KINDS = ("price_subsidy", "relief", "campaign")
BASE_KINDS = MONTHLY_KINDS + ONE_OFF_KINDS
"""Line kinds that say a case was paid for the month (as opposed to arrears, reissues…)."""
AREAS = ("urban", "rural", "all")
REPORTED_PROGRAMMES = (*PROGRAMMES, CAMPAIGN, INSTITUTION)
"""Every programme a batch line can have, in the order the 月报 shows them."""


class _Figures:
    def __init__(self) -> None:
        self.paid = 0
        self.base = 0
        self.households: set[str] = set()
        self.people = 0
        self.new = 0
        self.ended = 0

    def row(self, programme: str, area: str) -> dict[str, Any]:
        people = self.people
        return {
            "programme": programme, "area": area, "households": len(self.households),
            "people": people, "paid": format_yuan(self.paid),
            "average_per_person": format_yuan(divide_half_up(self.base, people) if people else 0),
            "new": self.new, "ended": self.ended,
        }


def _relief_areas(conn: Connection, relief_ids: set[str]) -> dict[str, str]:
    r = schema.reliefs.c
    out: dict[str, str] = {}
    for part in chunks(relief_ids):
        out.update(dict(conn.execute(select(r.relief_id, r.area).where(r.relief_id.in_(part))).all()))
    return out


def _first_paid(conn: Connection, case_ids: set[str], month: str) -> dict[str, str]:
    """Case -> the earliest month a regular or graduation line of an approved batch paid for."""
    p = LINES.c
    out: dict[str, str] = {}
    for part in chunks(case_ids):
        out.update(dict(conn.execute(
            select(p.case_id, func.min(p.for_month))
            .where(p.case_id.in_(part), p.kind.in_(MONTHLY_KINDS), p.status.in_(PAID),
                   p.batch_month <= month)
            .group_by(p.case_id)).all()))
    return out


def _people(programme: str, formula: str, record: CaseRecord | None,
            facts: MonthFacts | None) -> int:
    """保障人数 a base line counts: the campaign's own count, none for an institution."""
    if programme == CAMPAIGN:
        return persons_of(formula)
    if programme == INSTITUTION:
        return 0
    return people_in(record, facts)


def _campaign_payees(conn: Connection, payment_ids: list[str]) -> dict[str, str]:
    """Campaign line -> its payee's ID number: who was paid, whichever campaign paid them."""
    p = schema.payments.c
    out: dict[str, str] = {}
    for part in chunks(payment_ids):
        out.update(dict(conn.execute(
            select(p.payment_id, p.id_number).where(p.payment_id.in_(part))).all()))
    return out


def monthly_statistics(conn: Connection, month: Month) -> dict[str, Any]:
    """The spec's `report monthly --json` shape for ``month``."""
    m = str(month)
    p, c = LINES.c, schema.cases.c
    lines = conn.execute(
        select(p.payment_id, p.case_id, p.programme, p.kind, p.for_month, p.amount, p.formula)
        .where(p.batch_month == m, p.status.in_(PAID))
    ).all()
    ended_rows = conn.execute(
        select(c.case_id, c.programme)
        .where(c.exit_month == m, c.start_month < m, c.programme.in_(ROSTER_PROGRAMMES))
    ).all()
    paid_for = {ln.case_id for ln in lines
                if ln.kind in MONTHLY_KINDS and ln.programme in ROSTER_PROGRAMMES}
    exited = {r.case_id for r in ended_rows}
    ended: list[tuple[str, str]] = [*((r.case_id, r.programme) for r in ended_rows), *(
        (case_id, "dibao") for (case_id,) in conn.execute(
            select(p.case_id).distinct()
            .where(p.kind == "graduation", p.for_month == str(month + -1),
                   p.status.in_(PAID)))
        if case_id not in paid_for and case_id not in exited)]
    case_ids = {ln.case_id for ln in lines
                if ln.programme not in ("temporary", CAMPAIGN, INSTITUTION)}
    records = case_records(conn, case_ids | {case_id for case_id, _ in ended})
    relief_areas = _relief_areas(conn, {ln.case_id for ln in lines if ln.programme == "temporary"})
    first = _first_paid(conn, paid_for, m)
    payees = _campaign_payees(conn, [ln.payment_id for ln in lines if ln.programme == CAMPAIGN])

    figures: dict[tuple[str, str], _Figures] = defaultdict(_Figures)

    def buckets(programme: str, area: str | None) -> list[_Figures]:
        out = [figures[(programme, "all")]]
        if area in ("urban", "rural"):
            out.append(figures[(programme, area)])
        return out

    for ln in lines:
        record = records.get(ln.case_id)
        facts = record.facts_for(Month.parse(ln.for_month)) if record else None
        area = relief_areas.get(ln.case_id) if facts is None else facts.area
        for f in buckets(ln.programme, area):
            f.paid += ln.amount
            if ln.kind in BASE_KINDS:
                f.base += ln.amount
                household = payees.get(ln.payment_id, ln.case_id)
                if household not in f.households:
                    f.households.add(household)
                    f.people += _people(ln.programme, ln.formula, record, facts)
                    if (ln.kind in MONTHLY_KINDS and ln.programme in ROSTER_PROGRAMMES
                            and first.get(ln.case_id) == m):
                        f.new += 1
    for case_id, programme in ended:
        for f in buckets(programme, records[case_id].facts_for(month + -1).area):
            f.ended += 1

    rows = [figures[(programme, area)].row(programme, area)
            for programme in REPORTED_PROGRAMMES if (programme, "all") in figures
            for area in AREAS]
    return {"month": m, "rows": rows}
