"""The text a clerk reads for a batch (`payroll run`, `payroll show`): people named, not only ids.

A checker approving a batch must see *who* is new, who left and whose amount changed:
each case or line is written with the person's name and masked ID number (first 4, last 4)
beside its id (the names come from ledger.services.batch_people).
"""

from __future__ import annotations

from typing import Any

import click

from ledger.domain.money import format_yuan
from ledger.services.batch_people import SHOWN


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
