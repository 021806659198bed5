"""Who a batch names: each case or line as the person's name and masked ID number.

A checker approving a batch must see *who* is new, who left and whose amount changed.
The command line and the console both name people through here, in one query per list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from ledger.domain.identity import mask
from projections import schema
from projections.people import case_records, chunks

SHOWN = 20
"""Entries of each change-report list printed as text (all of them are in --json)."""


def payees(conn: Connection, payment_ids: Iterable[str]) -> dict[str, str]:
    """Payment id -> 'name masked-ID' of its payee."""
    p = schema.payments.c
    out = {}
    for part in chunks(set(payment_ids)):
        for pid, name, number in conn.execute(
                select(p.payment_id, p.name, p.id_number).where(p.payment_id.in_(part))):
            out[pid] = f"{name} {mask(number)}"
    return out


def people(conn: Connection, case_ids: Iterable[str]) -> dict[str, str]:
    """Case (or relief) id -> 'name masked-ID' of its person; an institution's id -> 'name code'
    (an organisation's code is not personal data)."""
    ids = set(case_ids)
    out = {cid: f"{r.name} {mask(r.id_number)}" for cid, r in case_records(conn, ids).items()}
    rest = ids - set(out)
    r = schema.reliefs.c
    for part in chunks(rest):
        for rid, name, number in conn.execute(
                select(r.relief_id, r.name, r.id_number).where(r.relief_id.in_(part))):
            out[rid] = f"{name} {mask(number)}"
    i = schema.institutions.c
    for part in chunks(ids - set(out)):
        for iid, name, code in conn.execute(
                select(i.institution_id, i.name, i.code).where(i.institution_id.in_(part))):
            out[iid] = f"{name} {code}"
    return out


def report_case_ids(data: dict[str, Any]) -> set[str]:
    """Every case id the change report's shown entries name."""
    report = data.get("report") or {}
    ids = set(report.get("new_cases", [])[:SHOWN]) | set(report.get("exits", [])[:SHOWN])
    ids |= {c["case_id"] for c in report.get("amount_changes", [])[:SHOWN]}
    ids |= {h["case_id"] for h in report.get("held", [])[:SHOWN]}
    return ids
