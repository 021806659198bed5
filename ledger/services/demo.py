"""A believable synthetic county, run end to end (``ledger demo``).

Modelled on a county civil-affairs report (shared/county-report.txt): 14 towns;
programmes in the report's proportions (dibao ≈ 9,300 households, tekun ≈ 1,700,
disability ≈ 10,200, elderly ≈ 7,900, orphans ≈ 80, children in difficulty ≈ 35,
about 65% registered-poor), scaled to ``--cases``; the report's standards
history (rural dibao raised to 4,560 then 4,900 yuan a year, tekun basic 7,000 a
year from 1 July with care 300/2,500/5,000, disability 100/80, elderly
80/100/200, orphans 920, children 500 a month), one standard change recorded
retroactively. Everyone is invented; ID and card numbers are valid in form only.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from ledger.adapters.private_files import write_private_file
from ledger.adapters.roster_writer import write_roster_csv
from ledger.adapters.spending_chart import INSTALL_HINT, spending_chart
from ledger.domain.batch import Batch
from ledger.domain.calendar import Month
from ledger.domain.statuses import PAID
from ledger.services.batches import approve_batch
from ledger.services.demo_county import (
    CHECKER,
    CPI,
    MAKER,
    START,
    TOWNS,
    county_roster,
    set_county_standards,
)
from ledger.services.demo_events import (
    correct_accounts,
    exit_some,
    graduate_some,
    grant_some_relief,
)
from ledger.services.enrolment import import_roster
from ledger.services.lifecycle import sweep
from ledger.services.payroll_run import run_payroll
from ledger.services.price_subsidy_run import run_price_linkage
from ledger.services.runtime import Runtime


@dataclass
class DemoSummary:
    months: int = 0
    people: Counter[str] = field(default_factory=Counter)
    payments: Counter[str] = field(default_factory=Counter)
    paid: Counter[str] = field(default_factory=Counter)
    batches: list[str] = field(default_factory=list)
    graduations: int = 0
    exits: int = 0
    reliefs: int = 0
    returns_by_month: dict[str, int] = field(default_factory=dict)
    price_subsidies: tuple[int, int] = (0, 0)
    funds: dict[str, Any] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Outputs not written, each with why (the chart without the ``chart`` extra)."""


def run_demo(rt: Runtime, out: Path, cases: int, seed: int, months: int = 12,
             say: Callable[[str], None] = print) -> DemoSummary:
    rng = random.Random(seed + 1)
    out.mkdir(parents=True, exist_ok=True)
    summary = DemoSummary()
    set_county_standards(rt, MAKER)
    rows = county_roster(cases, seed)
    roster = write_roster_csv(out / "roster.csv", rows, encoding="gbk")
    result = import_roster(rt, roster, date(2024, 1, 1), MAKER)
    if result.problems:
        raise RuntimeError("demo roster invalid: " + "; ".join(map(str, result.problems[:3])))
    say(f"enrolled {result.enrolled} cases in {len(TOWNS)} towns")
    case_ids = _case_ids(rt)
    bank_dir = out / "bank"
    bank_dir.mkdir(exist_ok=True)
    returned: list[str] = []
    for i in range(months):
        month = START + i
        correct_accounts(rt, returned, month, rng)
        if month == Month(2024, 9):
            # The July increase of rural dibao (4900 yuan/year) recorded late: arrears for Jul–Aug.
            rt.app.set_standard("dibao", "rural", 490000, "year", date(2024, 7, 1),
                                "县民政发〔2024〕12号 农村低保4900元/年 (自7月1日起)", False, MAKER)
            say("recorded retroactively: rural dibao 4900 yuan/year from 2024-07-01")
        if i >= 2:
            summary.graduations += graduate_some(rt, case_ids["dibao"], month, rng)
            summary.exits += exit_some(rt, case_ids, month, rng)
        if i % 3 == 1:
            summary.reliefs += grant_some_relief(rt, rows, month, rng)
        sweep(rt, month.first_day, "scheduler")
        batch = run_payroll(rt, month, MAKER, today=month.first_day)
        approve_batch(rt, batch.id, CHECKER)
        returned += _pay_through_bank(rt, batch.id, bank_dir, month, rng, summary)
        summary.batches.append(batch.id.hex)
        summary.months += 1
        say(f"{month}: {batch.payments} payments, {batch.total / 100:,.2f} yuan, approved by "
            f"{CHECKER}; {summary.returns_by_month.get(str(month), 0)} returned by the bank")
        cpi, food = CPI.get(month, (Decimal("1.2"), Decimal("2.0")))
        rt.app.record_cpi(month, cpi, food, MAKER)
        subsidy = run_price_linkage(rt, month, "scheduler")
        if subsidy is not None:
            approve_batch(rt, subsidy.id, CHECKER)
            _pay_through_bank(rt, subsidy.id, bank_dir, month, rng, summary, fail_rate=0)
            summary.price_subsidies = (subsidy.payments, subsidy.total)
            say(f"{month}: CPI {cpi}% / food {food}% triggers the price linkage: "
                f"{subsidy.payments} subsidy payments, {subsidy.total / 100:,.2f} yuan")
    _write_outputs(rt, out, START + (months - 1), summary)
    return summary


def _pay_through_bank(rt: Runtime, batch_id: UUID, bank_dir: Path, month: Month,
                      rng: random.Random, summary: DemoSummary, fail_rate: float = 0.004) -> list[str]:
    """Export the bank files, answer as the bank would (a few accounts closed), import results."""
    from ledger.services.bank_export import export_batch
    from ledger.services.bank_results_import import import_results

    kind = rt.app.load(batch_id, Batch, "batch").kind
    stem = bank_dir / f"{month}-{kind}"
    # The demo's own folder: its files are replaced on a rerun (never the ledger itself).
    export_batch(rt, batch_id, "csv", stem.with_suffix(".csv"), MAKER, force=True)
    export_batch(rt, batch_id, "pain001", stem.with_suffix(".xml"), MAKER, force=True)
    with stem.with_suffix(".csv").open(encoding="gbk") as f:
        refs = [line.split(",")[8].strip() for line in list(f)[1:-1]]
    failed = {ref for ref in refs if rng.random() < fail_rate}
    answer = ["付款编号,状态,原因"] + [
        f"{ref},{'失败' if ref in failed else '成功'},{'账户已销户' if ref in failed else ''}"
        for ref in refs
    ]
    results = stem.with_name(stem.name + "-results.csv")
    write_private_file(results, ("\n".join(answer) + "\n").encode("gbk"))
    import_results(rt, results, MAKER)
    summary.returns_by_month[str(month)] = summary.returns_by_month.get(str(month), 0) + len(failed)
    from sqlalchemy import select

    from projections import schema

    p = schema.payments.c
    with rt.engine.connect() as conn:
        return [cid for (cid,) in conn.execute(
            select(p.case_id).where(p.payment_id.in_(sorted(failed)), p.programme != "temporary",
                                    p.programme != "price_subsidy"))]


def _write_outputs(rt: Runtime, out: Path, last: Month, summary: DemoSummary) -> None:
    """Last month's bank files, the roster and fund totals as XLSX, a PNG chart of spending."""
    import shutil

    from ledger.adapters.output_files import ledger_files
    from ledger.adapters.report_files import funds_xlsx, roster_xlsx
    from projections.reports import ROSTER_HEADER, funds_report, roster_rows

    for f in sorted((out / "bank").glob(f"{last}-*")):
        shutil.copy(f, out / f.name)
        summary.files.append(out / f.name)
    with rt.engine.connect() as conn:
        report = funds_report(conn, last.year)
        rows = roster_rows(conn, str(last))
    summary.funds = report
    ledger = ledger_files(rt.settings)  # the demo replaces its own files, never the ledger
    funds_xlsx(out / f"funds-{last.year}.xlsx", report, force=True, protected=ledger)
    roster_xlsx(out / f"roster-{last}.xlsx", ROSTER_HEADER, rows, force=True, protected=ledger)
    summary.files += [out / f"funds-{last.year}.xlsx", out / f"roster-{last}.xlsx"]
    chart = spending_chart(report, out / f"spending-{last.year}.png")
    if chart is None:
        summary.skipped.append(f"spending chart (matplotlib not installed: {INSTALL_HINT})")
    else:
        summary.files.append(chart)


def _case_ids(rt: Runtime) -> dict[str, list[str]]:
    from sqlalchemy import select

    from projections import schema

    c = schema.cases.c
    found: dict[str, list[str]] = {}
    with rt.engine.connect() as conn:
        for case_id, programme in conn.execute(select(c.case_id, c.programme).order_by(c.case_id)):
            found.setdefault(programme, []).append(case_id)
    return found


def programme_totals(rt: Runtime) -> dict[str, dict[str, int]]:
    """Per programme: people (distinct cases paid), payments and fen, over approved batches."""
    from sqlalchemy import func, select

    from projections.payment_lines import LINES

    p = LINES.c
    query = (
        select(p.programme, func.count(func.distinct(p.case_id)), func.count(), func.sum(p.amount))
        .where(p.status.in_(PAID))
        .group_by(p.programme).order_by(p.programme)
    )
    with rt.engine.connect() as conn:
        return {prog: {"people": people, "payments": n, "total": int(total or 0)}
                for prog, people, n, total in conn.execute(query)}
