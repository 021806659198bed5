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
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from ledger.adapters.private_files import write_private_file
from ledger.adapters.roster_writer import write_roster_csv
from ledger.domain.batch import Batch
from ledger.domain.calendar import Month
from ledger.domain.identity import generate_card_number, generate_id_number
from ledger.services.batches import approve_batch
from ledger.services.case_changes import exit_case, update_case
from ledger.services.enrolment import import_roster
from ledger.services.lifecycle import sweep
from ledger.services.payroll_run import run_payroll
from ledger.services.price_subsidy_run import run_price_linkage
from ledger.services.runtime import Runtime
from ledger.services.temporary_relief import approve_relief, grant_relief

TOWNS = ("城关镇", "太平镇", "青山镇", "河口镇", "白石乡", "东坪乡", "西岭乡", "南湖镇",
         "北岸乡", "龙泉镇", "桃源乡", "金竹乡", "石门镇", "清溪乡")
SHARES = {"dibao": 9300, "tekun": 1700, "disability_living": 5600, "disability_care": 4600,
          "elderly": 7900, "orphan": 80, "child_in_difficulty": 35}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华平刚桂兰玉珍凤春梅建国志红海燕德"
START = Month(2024, 1)
MAKER, CHECKER = "clerk.wang", "chief.li"


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


def _birth(rng: random.Random, programme: str) -> date:
    if programme == "elderly":
        return date(1930, 1, 1) + timedelta(days=rng.randrange(0, 365 * 33))
    if programme in ("orphan", "child_in_difficulty"):
        return date(2008, 1, 1) + timedelta(days=rng.randrange(0, 365 * 15))
    return date(1945, 1, 1) + timedelta(days=rng.randrange(0, 365 * 50))


def county_roster(cases: int, seed: int) -> list[dict[str, Any]]:
    """Roster rows in the import format, proportions as in the report."""
    rng = random.Random(seed)
    total = sum(SHARES.values())
    rows: list[dict[str, Any]] = []
    used: set[str] = set()
    n = 0
    for programme, share in SHARES.items():
        count = max(1, round(cases * share / total))
        for _ in range(count):
            n += 1
            birth = _birth(rng, programme)
            id_number = generate_id_number("431023", birth, n % 1000)
            while id_number in used:  # same birth date and sequence: move a day
                birth += timedelta(days=1)
                id_number = generate_id_number("431023", birth, n % 1000)
            used.add(id_number)
            row: dict[str, Any] = {
                "programme": programme,
                "name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                "id_number": id_number,
                "town": rng.choice(TOWNS), "village": f"{rng.randint(1, 20)}村",
                "area": "urban" if rng.random() < 0.2 else "rural",
                "registered_poor": "是" if rng.random() < 0.65 else "否",
                "bank_name": "农村信用合作联社", "bank_account": generate_card_number("621799", n),
                "start_month": str(START),
            }
            if programme == "dibao":
                row.update(household_size=rng.choice((1, 1, 2, 2, 3, 3, 4, 5)),
                           income_per_capita=f"{rng.randrange(0, 25000) / 100:.2f}")
            elif programme == "tekun":
                row["care_level"] = rng.choice(("self", "self", "partial", "full"))
            elif programme == "disability_living":
                row["disability_grade"] = rng.choice((1, 2, 3, 4))
            elif programme == "disability_care":
                row["disability_grade"] = rng.choice((1, 2))
            rows.append(row)
    return rows


def set_county_standards(rt: Runtime, by: str) -> None:
    """The report's standards, in the order a bureau would have recorded them."""
    app = rt.app
    jan, jul = date(2024, 1, 1), date(2024, 7, 1)
    app.set_standard("dibao", "rural", 456000, "year", jan, "县民政发〔2024〕1号 农村低保4560元/年", False, by)
    app.set_standard("dibao", "urban", 62000, "month", jan, "县民政发〔2024〕1号 城市低保620元/月", False, by)
    app.set_standard("tekun", "basic:rural", 600000, "year", jan, "县民政发〔2024〕2号", False, by)
    app.set_standard("tekun", "basic:urban", 81000, "month", jan, "县民政发〔2024〕2号", False, by)
    app.set_standard("tekun", "basic:rural", 700000, "year", jul, "县民政发〔2024〕9号 特困基本7000元/年", False, by)
    for level, amount in (("self", 30000), ("partial", 250000), ("full", 500000)):
        app.set_standard("tekun", f"care:{level}", amount, "year", jan, "县民政发〔2024〕2号 照料护理", False, by)
    app.set_standard("disability_living", "grade1-2", 10000, "month", jan, "县残联〔2024〕3号", False, by)
    app.set_standard("disability_living", "grade3-4", 8000, "month", jan, "县残联〔2024〕3号", False, by)
    app.set_standard("disability_care", "grade1", 10000, "month", jan, "县残联〔2024〕3号", False, by)
    app.set_standard("disability_care", "grade2", 8000, "month", jan, "县残联〔2024〕3号", False, by)
    for band, amount in (("60-79", 8000), ("80-89", 10000), ("90+", 20000)):
        app.set_standard("elderly", band, amount, "month", jan, "县老龄办〔2024〕1号", False, by)
    app.set_standard("orphan", "orphan", 92000, "month", jan, "县民政发〔2024〕5号", False, by)
    app.set_standard("child_in_difficulty", "child", 50000, "month", jan, "县民政发〔2024〕5号", False, by)


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
        _correct_accounts(rt, returned, month, rng)
        if month == Month(2024, 9):
            # The July increase of rural dibao (4900 yuan/year) recorded late: arrears for Jul–Aug.
            rt.app.set_standard("dibao", "rural", 490000, "year", date(2024, 7, 1),
                                "县民政发〔2024〕12号 农村低保4900元/年 (自7月1日起)", False, MAKER)
            say("recorded retroactively: rural dibao 4900 yuan/year from 2024-07-01")
        if i >= 2:
            summary.graduations += _graduate_some(rt, case_ids["dibao"], month, rng)
            summary.exits += _exit_some(rt, case_ids, month, rng)
        if i % 3 == 1:
            summary.reliefs += _grant_relief(rt, rows, month, rng)
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


CPI = {Month(2024, 6): (Decimal("3.8"), Decimal("6.5"))}
"""Recorded CPI / food-CPI year-on-year rises; every other month is 1.2% / 2.0% (suspended)."""


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


def _correct_accounts(rt: Runtime, returned: list[str], month: Month, rng: random.Random) -> None:
    """Half of last month's returns get a corrected account (so they are reissued); half wait."""
    from ledger.domain.errors import LedgerRefusal

    keep = []
    for case_id in returned:
        if rng.random() < 0.5:
            keep.append(case_id)
            continue
        try:
            update_case(rt.app, UUID(case_id), month, MAKER,
                        bank_account=generate_card_number("622848", rng.randrange(10**6)),
                        bank_name="中国农业银行")
        except LedgerRefusal:
            continue
    returned[:] = keep
    rt.read_model.catch_up()


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
    summary.files.append(spending_chart(report, out / f"spending-{last.year}.png"))


def spending_chart(report: dict[str, Any], path: Path) -> Path:
    """A stacked bar chart of monthly net spending by programme (yuan)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    months = sorted(report["months"])
    programmes = sorted({p for by in report["months"].values() for p in by})
    fig, ax = plt.subplots(figsize=(10, 5))
    bottom = [0.0] * len(months)
    for programme in programmes:
        values = [float(Decimal(report["months"][m].get(programme, {}).get("net", "0")))
                  for m in months]
        ax.bar(months, values, bottom=bottom, label=programme)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("yuan (net of returns)")
    ax.set_title(f"Monthly spending by programme, {report['year']}")
    ax.legend(fontsize=8, ncols=5, loc="upper center", bbox_to_anchor=(0.5, -0.22))
    ax.tick_params(axis="x", rotation=45)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _case_ids(rt: Runtime) -> dict[str, list[str]]:
    from sqlalchemy import select

    from projections import schema

    c = schema.cases.c
    found: dict[str, list[str]] = {}
    with rt.engine.connect() as conn:
        for case_id, programme in conn.execute(select(c.case_id, c.programme).order_by(c.case_id)):
            found.setdefault(programme, []).append(case_id)
    return found


def _graduate_some(rt: Runtime, dibao: list[str], month: Month, rng: random.Random) -> int:
    chosen = rng.sample(dibao, k=max(1, len(dibao) // 200)) if dibao else []
    done = 0
    for case_id in chosen:
        try:
            said = update_case(rt.app, UUID(case_id), month, MAKER, income_per_capita=60000)
        except Exception:  # noqa: BLE001 - an exited case cannot graduate; skip it
            continue
        done += any("graduation" in s for s in said)
    rt.read_model.catch_up()
    return done


def _exit_some(rt: Runtime, case_ids: dict[str, list[str]], month: Month, rng: random.Random) -> int:
    from ledger.domain.errors import CaseStateError

    done = 0
    for programme in ("elderly", "tekun", "disability_living"):
        pool = case_ids.get(programme, [])
        for case_id in rng.sample(pool, k=min(len(pool), max(1, len(pool) // 300))):
            try:
                exit_case(rt.app, UUID(case_id), month, "死亡注销", MAKER)
                done += 1
            except CaseStateError:
                continue
    rt.read_model.catch_up()
    return done


def _grant_relief(rt: Runtime, rows: list[dict[str, Any]], month: Month, rng: random.Random) -> int:
    person = rng.choice([r for r in rows if r["programme"] == "dibao"])
    small = grant_relief(rt, person["id_number"], 2, "因病支出型困难", month.first_day, MAKER)
    approve_relief(rt, small.id, CHECKER)
    big = grant_relief(rt, rng.choice(rows)["id_number"], 6, "火灾", month.first_day, MAKER)
    approve_relief(rt, big.id, CHECKER)
    approve_relief(rt, big.id, "director.zhao")
    return 2


def programme_totals(rt: Runtime) -> dict[str, dict[str, int]]:
    """Per programme: people (distinct cases paid), payments and fen, over approved batches."""
    from sqlalchemy import func, select

    from projections import schema

    p = schema.payments.c
    query = (
        select(p.programme, func.count(func.distinct(p.case_id)), func.count(), func.sum(p.amount))
        .where(p.status.in_(("approved", "exported", "settled", "returned")))
        .group_by(p.programme).order_by(p.programme)
    )
    with rt.engine.connect() as conn:
        return {prog: {"people": people, "payments": n, "total": int(total or 0)}
                for prog, people, n, total in conn.execute(query)}
