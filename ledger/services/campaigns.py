"""One-off campaigns (冬春救助): create one, find who is in it, record hand-overs, report.

Who is in a campaign is decided by the pure rule ``ledger.domain.campaign.shares`` over
the cases in payment in the campaign's month, read from the case read model (caught up
first), so the cash batch (``ledger.services.campaign_run``), the report and the
hand-over form always agree. A cash campaign is paid by its month's ``campaign`` batch;
an in-kind one records each hand-over on the campaign itself.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, select

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.domain.campaign import (
    MONTHLY_PROGRAMMES,
    Campaign,
    CampaignError,
    Candidate,
    Share,
    Terms,
    check_terms,
    create,
    share_of,
    shares,
)
from ledger.domain.case_record import CaseRecord
from ledger.domain.errors import NotFoundError
from ledger.domain.household import members_in_force
from ledger.domain.identity import mask, normalize_id_number
from ledger.domain.money import Fen, format_yuan
from ledger.domain.programmes import CaseEntitlement
from ledger.domain.text_fields import check_text
from ledger.services.runtime import Runtime
from projections import schema
from projections.payment_lines import LINES

PAID = ("approved", "exported", "reconciled")


def create_campaign(rt: Runtime, name: str, month: Month, per: str, amount: Fen | None,
                    items: str | None, programmes: tuple[str, ...], towns: tuple[str, ...],
                    ref: str, by: str) -> Campaign:
    """Record a new campaign; bad terms are all reported at once and nothing is recorded."""
    problems = check_terms(name, per, amount, items, programmes)
    for what, value in (("name", name), ("items", items or ""), ("ref", ref),
                        *(("town", t) for t in towns)):
        try:
            check_text(value, what)
        except ValueError as e:
            problems.append(str(e))
    if problems:
        raise ValueError("; ".join(problems))
    terms = Terms(name.strip(), month, per, amount or 0, (items or "").strip(),
                  tuple(dict.fromkeys(programmes)), tuple(dict.fromkeys(towns)))
    cid = ids.campaign_id(month, terms.name)
    if rt.app.maybe(cid) is not None:
        raise CampaignError(f"campaign {terms.name} of {month} already exists")
    if not terms.in_kind:
        rt.read_model.catch_up()
        b = schema.batches.c
        with rt.engine.connect() as conn:
            paid = conn.execute(select(b.status).where(
                b.batch_id == ids.batch_id(month, "campaign").hex)).scalar()
        if paid in PAID:
            raise CampaignError(f"the campaign batch of {month} is already {paid}: give the "
                                "campaign a later month")
    campaign = create(cid, terms, ref.strip(), by)
    rt.app.save(campaign)
    rt.read_model.catch_up()
    return campaign


def find_campaign(rt: Runtime, ref: str) -> Campaign:
    """A campaign by its id (32 hex digits) or its name (unique among campaigns)."""
    text = ref.strip()
    try:
        found = rt.app.maybe(UUID(text))
        if isinstance(found, Campaign):
            return found
    except ValueError:
        pass
    rt.read_model.catch_up()
    c = schema.campaigns.c
    with rt.engine.connect() as conn:
        rows = conn.execute(select(c.campaign_id, c.month).where(c.name == text)).all()
    if not rows:
        raise NotFoundError(f"no campaign {text!r}")
    if len(rows) > 1:
        months = ", ".join(sorted(m for _, m in rows))
        raise NotFoundError(f"{len(rows)} campaigns are named {text!r} ({months}): give its id")
    campaign: Campaign = rt.app.load(UUID(rows[0][0]), Campaign, "campaign")
    return campaign


def candidates(rt: Runtime, conn: Connection, terms: Terms) -> dict[str, tuple[Candidate, CaseRecord]]:
    """Every case in payment in the campaign's month of a targeted programme and town."""
    c = schema.cases.c
    query = select(c.case_id, c.person_key, c.record).where(
        c.programme.in_(terms.programmes or MONTHLY_PROGRAMMES),
        c.start_month <= str(terms.month))
    if terms.towns:
        query = query.where(c.town.in_(terms.towns))
    standards, policy = rt.app.standard_book(), rt.app.policy_book()
    month = terms.month
    found = {}
    for case_id, person_key, text in conn.execute(query.order_by(c.case_id)):
        record = CaseRecord.from_json(text)
        entitled = CaseEntitlement(record, standards, policy)
        if not entitled.paid_for(month):
            continue
        dibao = record.programme == "dibao"
        members = tuple(m.person_key for m in members_in_force(record.members, month)) \
            if dibao else ()
        persons = (entitled.facts(month).household_size or 0) if dibao else 1
        found[case_id] = (Candidate(case_id, record.programme, person_key, record.town,
                                    persons, members), record)
    return found


def recipients(rt: Runtime, campaign: Campaign,
               conn: Connection | None = None) -> list[tuple[Share, CaseRecord]]:
    """Who is in the campaign, each with the case record the share comes through.

    Read on ``conn`` (a payroll's snapshot) when given, else on the read model caught up.
    """
    if conn is not None:
        found = candidates(rt, conn, campaign.terms)
    else:
        rt.read_model.catch_up()
        with rt.engine.connect() as fresh:
            found = candidates(rt, fresh, campaign.terms)
    records = {cid: record for cid, (_, record) in found.items()}
    return [(s, records[s.case_id])
            for s in shares(campaign.terms, (cand for cand, _ in found.values()))]


def deliver(rt: Runtime, ref: str, id_number: str, on: date, received_by: str,
            by: str, towns: tuple[str, ...] = ()) -> tuple[Campaign, Share]:
    """Record that a recipient of an in-kind campaign received it (once).

    ``towns``: the acting account's towns (empty: county-wide); a recipient elsewhere is refused.
    """
    campaign = find_campaign(rt, ref)
    number = normalize_id_number(id_number, on)
    check_text(received_by, "received-by")
    if not received_by.strip():
        raise ValueError("--received-by needs the name of whoever received the items")
    key = rt.app.person_key(number)
    people = recipients(rt, campaign)
    share = share_of((s for s, _ in people), key)
    if share is None:
        raise CampaignError(f"{mask(number)} is not in campaign {campaign.name}")
    town = next(record.town for s, record in people if s is share)
    if towns and town not in towns:
        raise CampaignError(f"{mask(number)} lives in {town}, outside your towns")
    campaign.hand_over(share, on, received_by.strip(), by)
    rt.app.save(campaign)
    rt.read_model.catch_up()
    return campaign, share


def campaign_report(rt: Runtime, campaign: Campaign) -> dict[str, Any]:
    """The campaign, and each recipient with whether (and when) it was received or paid."""
    people = recipients(rt, campaign)
    p = LINES.c
    statuses: dict[str, str] = {}
    if not campaign.items and people:
        with rt.engine.connect() as conn:
            wanted = {ids.campaign_payment_id(campaign.id, s.person_key).hex: s.person_key
                      for s, _ in people}
            for pid, status in conn.execute(select(p.payment_id, p.status).where(
                    p.case_id == campaign.id.hex, p.kind == "campaign")):
                if pid in wanted:
                    statuses[wanted[pid]] = status
    rows = []
    for share, record in people:
        row: dict[str, Any] = {
            "name": record.name, "id_number": mask(record.id_number), "town": record.town,
            "village": record.village, "programme": share.programme,
            "persons": share.persons, "amount": format_yuan(share.amount),
        }
        if campaign.items:
            got = campaign.handed_over.get(share.person_key)
            row.update(received=got is not None, received_on=got[0].isoformat() if got else None,
                       received_by=got[1] if got else None)
        else:
            row.update(payment=statuses.get(share.person_key))
        rows.append(row)
    rows.sort(key=lambda r: (r["town"], r["village"], r["name"]))
    received = sum(1 for r in rows if r.get("received"))
    return {
        "campaign_id": campaign.id.hex, "name": campaign.name, "month": str(campaign.month),
        "per": campaign.per, "kind": "in_kind" if campaign.items else "cash",
        "amount": format_yuan(campaign.amount) if not campaign.items else None,
        "items": campaign.items or None, "programmes": list(campaign.programmes),
        "towns": list(campaign.towns), "recipients": len(rows),
        "persons": sum(r["persons"] for r in rows),
        "total": format_yuan(sum(s.amount for s, _ in people)),
        "received": received if campaign.items else None,
        "not_received": len(rows) - received if campaign.items else None,
        "people": rows,
    }


def list_campaigns(conn: Connection) -> list[dict[str, Any]]:
    """Every campaign as the read model has it, newest month first."""
    c = schema.campaigns.c
    rows = conn.execute(select(schema.campaigns).order_by(c.month.desc(), c.name)).mappings()
    return [dict(r) | {"programmes": json.loads(r["programmes"]),
                       "towns": json.loads(r["towns"])} for r in rows]


def campaign_payment_ids(conn: Connection, person_key: str) -> list[str]:
    """The payment ids a person would have from each cash campaign (the person's page)."""
    c = schema.campaigns.c
    found = conn.execute(select(c.campaign_id).where(c["items"] == "")).scalars()
    return [ids.campaign_payment_id(UUID(cid), person_key).hex for cid in found]
