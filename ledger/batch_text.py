"""The text a clerk reads for a batch (`payroll run`, `payroll show`): people named, not only ids.

A checker approving a batch must see *who* is new, who left and whose amount changed:
each case or line is written with the person's name and masked ID number (first 4, last 4)
beside its id. Names come from the read model in one query per list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import click
from sqlalchemy import Connection, select

from ledger.identity import mask
from ledger.money import format_yuan
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
    """Case (or relief) id -> 'name masked-ID' of its person."""
    ids = set(case_ids)
    out = {cid: f"{r.name} {mask(r.id_number)}" for cid, r in case_records(conn, ids).items()}
    rest = ids - set(out)
    r = schema.reliefs.c
    for part in chunks(rest):
        for rid, name, number in conn.execute(
                select(r.relief_id, r.name, r.id_number).where(r.relief_id.in_(part))):
            out[rid] = f"{name} {mask(number)}"
    return out


def report_case_ids(data: dict[str, Any]) -> set[str]:
    """Every case id the change report's shown entries name."""
    report = data.get("report") or {}
    ids = set(report.get("new_cases", [])[:SHOWN]) | set(report.get("exits", [])[:SHOWN])
    ids |= {c["case_id"] for c in report.get("amount_changes", [])[:SHOWN]}
    ids |= {h["case_id"] for h in report.get("held", [])[:SHOWN]}
    return ids


def print_batch(data: dict[str, Any], names: dict[str, str] | None = None) -> None:
    """The batch header, totals by programme and the change report, people named."""
    names = names or {}
    click.echo(f"batch {data['batch_id']}  {data['month']} {data['kind']}  {data['status']}")
    click.echo(f"  payments {data['payments']}  total {data['total']}")
    for key, value in data["by_programme"].items():
        click.echo(f"  {key:<20} {value['payments']:>7} {value['total']:>14}")
    report = data.get("report") or {}
    if not report:
        return
    counts = report.get("counts") or {k: len(report[k]) for k in
                                       ("new_cases", "exits", "amount_changes", "held")}
    click.echo(f"  new cases {counts['new_cases']}, exits {counts['exits']}, "
               f"amount changes {counts['amount_changes']}")
    click.echo(f"  arrears {report['arrears']['lines']} ({report['arrears']['total']}), "
               f"recoveries {report['recoveries']['lines']} ({report['recoveries']['total']}), "
               f"receivables carried {report['receivables']['cases']} "
               f"({report['receivables']['total']}), held {counts['held']}")

    def who(case_id: str) -> str:
        return f"{case_id} {names.get(case_id, '')}".rstrip()

    for title, key in (("new", "new_cases"), ("exit", "exits")):
        for case_id in report.get(key, [])[:SHOWN]:
            click.echo(f"    {title:<7} {who(case_id)}")
    for change in report.get("amount_changes", [])[:SHOWN]:
        click.echo(f"    changed {who(change['case_id'])} {change['programme']} "
                   f"{_yuan(change['before'])} → {_yuan(change['now'])}")
    for held in report.get("held", [])[:SHOWN]:
        click.echo(f"    held    {who(held['case_id'])} {held['programme']} {held['for_month']} "
                   f"{_yuan(held['amount'])}")


def _yuan(value: Any) -> str:
    return format_yuan(value) if isinstance(value, int) else str(value)
