"""Console page latency on a big ledger: person search, a person's page, a batch page, the dashboard.

Not a timed test: run it by hand and put the figures in the README.

    .venv/bin/python -m bench.console --cases 100000

Builds a county (bench/payroll.py's builder: ledger.services.demo's roster and standards),
imports it, runs and approves January, then requests each page through the real
ASGI app in-process (Starlette's TestClient: routing, sign-in check, SQL,
templates; no network) and prints the median and 95th percentile.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from starlette.testclient import TestClient

from ledger.adapters.roster_writer import write_roster_csv
from ledger.bootstrap import open_runtime
from ledger.console.app import create_app
from ledger.domain.calendar import Month
from ledger.services.account_service import add_user
from ledger.services.batches import approve_batch
from ledger.services.demo_county import county_roster, set_county_standards
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from projections import schema
from projections.payment_lines import LINES


def measure(web: TestClient, paths: list[str], rounds: int,
            cold: bool = False) -> tuple[float, float]:
    """Median and p95 ms of ``rounds`` requests; ``cold``: the console's per-position views
    forgotten before each, as after anything is recorded (the first view of a page)."""
    times = []
    for i in range(rounds):
        path = paths[i % len(paths)]
        if cold:
            web.app.state.console.views.clear()  # type: ignore[attr-defined]
        start = time.perf_counter()
        response = web.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--url", default=None)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = args.url or f"sqlite:///{tmp / 'bench.db'}"
    rt = open_runtime(url, init=True)
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, {platform.processor() or '?'}, "
          f"Python {platform.python_version()}, backend {rt.settings.backend}, cases {args.cases}")
    set_county_standards(rt, "bench")
    roster = write_roster_csv(tmp / "roster.csv", county_roster(args.cases, 7))
    started = time.perf_counter()
    assert not import_roster(rt, roster, date(2024, 1, 1), "bench").problems
    batch = run_payroll(rt, Month(2024, 1), "bench")
    approve_batch(rt, batch.id, "checker")
    print(f"ledger built in {time.perf_counter() - started:.0f} s: {batch.payments} payments")
    add_user(rt, "bench.auditor", "auditor", [], "bench-password", "bench")
    c = schema.cases.c
    with rt.engine.connect() as conn:
        sample = conn.execute(select(c.case_id, c.name).limit(2000)).all()
    people = sample[:: max(1, len(sample) // args.rounds)]
    clock = datetime(2024, 1, 5, 9, tzinfo=UTC)
    web = TestClient(create_app(rt, clock=lambda: clock))
    token = web.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    web.post("/login", data={"username": "bench.auditor", "password": "bench-password",
                             "csrf_token": token})
    pages = batch.payments // 100 + 1
    rows = [
        ("person search (part of a name)", [f"/people?q={n[1:]}" for _, n in people]),
        ("person search (case id)", [f"/people?q={cid}" for cid, _ in people]),
        ("a person's page", [f"/people/{cid}" for cid, _ in people]),
        ("batch page, first page of 100 lines", [f"/payroll/{batch.id.hex}"]),
        ("batch page, a deep page (next-page link)",
         [f"/payroll/{batch.id.hex}?page={pages - k}&after={_line_before(rt, batch.id.hex, pages - k)}"
          for k in range(5)]),
        ("batch page, a deep page by number alone", [f"/payroll/{batch.id.hex}?page={pages - k}"
                                                     for k in range(5)]),
        ("dashboard (首页)", ["/"]),
    ]
    print(f"{'page':<40} {'median ms':>10} {'p95 ms':>8}")
    for name, paths in rows:
        web.get(paths[0])  # warm
        median, p95 = measure(web, paths, args.rounds)
        print(f"{name:<40} {median:>10.1f} {p95:>8.1f}")
    for name, paths in rows[3:]:  # the batch pages and the dashboard, first view after a change
        median, p95 = measure(web, paths, args.rounds, cold=True)
        print(f"{name + ', first view':<40} {median:>10.1f} {p95:>8.1f}")
    # The 月报 reads every line of the month and every case paid: a report of seconds at
    # this size, not a page of milliseconds, so three views, not ``rounds``.
    median, p95 = measure(web, ["/reports/monthly?month=2024-01"], 3, cold=True)
    print(f"{'月报 page, first view (every line)':<40} {median:>10.1f} {p95:>8.1f}")
    median, p95 = measure(web, ["/reports/monthly?month=2024-01"], args.rounds)
    print(f"{'月报 page, viewed again':<40} {median:>10.1f} {p95:>8.1f}")
    _while_a_payroll_runs(url, web, people, args.rounds)
    rt.close()


def _line_before(rt: Any, batch_hex: str, page: int) -> str:
    """The last line of the page before ``page``: the cursor its 下一页 link carries."""
    p = LINES.c
    with rt.engine.connect() as conn:
        return str(conn.execute(
            select(p.payment_id).where(p.batch_id == batch_hex, p.own_status != "withdrawn")
            .order_by(p.case_id, p.for_month, p.kind, p.payment_id)
            .offset((page - 1) * 100 - 1).limit(1)).scalar_one())


def _while_a_payroll_runs(url: str, web: TestClient, people: list[Any], rounds: int) -> None:
    """The same pages while February's payroll runs as the console runs it: a job thread
    waiting on a child process (ledger/console/payroll_process.py)."""
    import threading

    from ledger.console.payroll_process import run_in_child

    background = open_runtime(url)
    done = threading.Event()
    took: list[float] = []

    def run() -> None:
        started = time.perf_counter()
        run_in_child(background, "2024-02", "bench", date(2024, 2, 1), lambda n, of: None)
        took.append(time.perf_counter() - started)
        done.set()

    threading.Thread(target=run, daemon=True).start()
    time.sleep(1.0)  # let the run get going
    rows = [("a person's page", [f"/people/{cid}" for cid, _ in people]),
            ("dashboard (首页)", ["/"])]
    print("while the February payroll runs in the background (a child process):")
    for name, paths in rows:
        if done.is_set():
            print(f"{name:<40} (the run had finished: not measured)")
            continue
        median, p95 = measure(web, paths, rounds)
        print(f"{name:<40} {median:>10.1f} {p95:>8.1f}")
    done.wait()
    print(f"the background payroll took {took[0]:.1f} s")
    background.close()


if __name__ == "__main__":
    main()
