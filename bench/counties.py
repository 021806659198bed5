"""Counties in parallel: N county ledgers paying their first month at once, one process each.

Usage: python -m bench.counties --counties 4 --cases-per-county 100000
           [--url postgresql://postgres@127.0.0.1:5432/bench_counties] [--layout schema|database]
           [--skip-big]

Each county is a ledger of its own on one PostgreSQL server: a schema of the database the
URL names (``?schema=county_i``, the default layout) or a database of its own
(``<db>_county_i``, ``--layout database``). The database (and the per-county databases) are
dropped and made again first. Setup, timed but not the point: every county ledger is
initialised and imports the same generated roster (bench/payroll.py's, county_roster) in
its own process, all at once. Then, timed from the moment all N processes are ready:

* the N counties' first-month payrolls at once, one process per county: the wall time
  until the last one is done, and each county's own seconds;
* in the same run, one more county of M cases paying alone (nothing else of this run going);
* one ledger of N × M cases paying alone (leave it out with ``--skip-big``).

Each figure is printed beside the machine's load average (``os.getloadavg``), because the
cores may be shared with other work.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from ledger.adapters.roster_writer import write_roster_csv
from ledger.bootstrap import open_runtime
from ledger.domain.calendar import Month
from ledger.services.demo import county_roster, set_county_standards
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench_counties"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f} {five:.1f} {fifteen:.1f}"


def _admin(url: str) -> str:
    """The server's maintenance database, to create and drop the bench's databases."""
    return urlunsplit(urlsplit(url)._replace(path="/postgres", query=""))


def fresh_database(url: str, name: str) -> None:
    with psycopg.connect(_admin(url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def county_urls(url: str, names: list[str], layout: str) -> dict[str, str]:
    """A fresh, empty place for each county's ledger: a schema, or a database of its own."""
    base = urlsplit(url)
    db = base.path.strip("/")
    fresh_database(url, db)
    if layout == "schema":
        return {n: urlunsplit(base._replace(query=f"schema={n}")) for n in names}
    out = {}
    for n in names:
        fresh_database(url, f"{db}_{n}")
        out[n] = urlunsplit(base._replace(path=f"/{db}_{n}"))
    return out


def _set_up(url: str, roster: str) -> tuple[float, int]:
    """One county: init, standards, roster import (in its own process)."""
    start = time.perf_counter()
    rt = open_runtime(url, init=True, cipher_key="")
    try:
        set_county_standards(rt, "bench")
        result = import_roster(rt, Path(roster), date(2024, 1, 1), "bench")
        assert not result.problems, result.problems[:3]
        return time.perf_counter() - start, result.enrolled
    finally:
        rt.close()


def _pay(url: str, barrier: Any, results: Any) -> None:
    """One county's first payroll, started when every county is ready."""
    rt = open_runtime(url, cipher_key="")
    try:
        barrier.wait()
        start = time.perf_counter()
        batch = run_payroll(rt, Month(2024, 1), "bench")
        results.put((url, time.perf_counter() - start, batch.payments))
    finally:
        rt.close()


def set_up_all(urls: list[str], roster: Path) -> float:
    """Every county's setup at once, one process each; the wall time."""
    start = time.perf_counter()
    with mp.get_context("spawn").Pool(len(urls)) as pool:
        done = pool.starmap(_set_up, [(u, str(roster)) for u in urls])
    for url, (seconds, enrolled) in zip(urls, done, strict=True):
        print(f"  set up {urlsplit(url).query or urlsplit(url).path}: {enrolled} cases, "
              f"{seconds:.1f} s")
    return time.perf_counter() - start


def pay_at_once(urls: list[str]) -> tuple[float, list[tuple[str, float, int]]]:
    """The counties' first payrolls at once, one process each: wall time and each county's own."""
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(len(urls) + 1), ctx.Queue()
    workers = [ctx.Process(target=_pay, args=(u, barrier, results)) for u in urls]
    for w in workers:
        w.start()
    barrier.wait()
    start = time.perf_counter()
    done = [results.get() for _ in urls]
    wall = time.perf_counter() - start
    for w in workers:
        w.join()
        if w.exitcode:
            raise SystemExit(f"a county's payroll failed (exit {w.exitcode})")
    return wall, done


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--counties", type=int, default=4)
    parser.add_argument("--cases-per-county", type=int, default=10000)
    parser.add_argument("--url", default=DEFAULT_URL, help="a PostgreSQL database (dropped first)")
    parser.add_argument("--layout", choices=("schema", "database"), default="schema")
    parser.add_argument("--skip-big", action="store_true",
                        help="leave out the one ledger of counties × cases")
    args = parser.parse_args()
    n, m = args.counties, args.cases_per_county
    tmp = Path(tempfile.mkdtemp())
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.node()}; {n} counties × {m} cases, "
          f"one county per {args.layout}; {load()}")
    names = [f"county_{i}" for i in range(1, n + 1)] + ["county_alone"]
    urls = county_urls(args.url, names, args.layout)
    roster = write_roster_csv(tmp / "roster.csv", county_roster(m, 7))
    counties = [urls[name] for name in names[:n]]

    print(f"setup: {n + 1} counties initialised and imported at once ({load()})")
    print(f"  wall {set_up_all([*counties, urls['county_alone']], roster):.1f} s ({load()})")

    figures: list[tuple[str, float, int, str]] = []
    wall, each = pay_at_once(counties)
    lines = sum(p for _, _, p in each)
    figures.append((f"{n} counties of {m} at once (wall)", wall, lines, load()))
    for url, seconds, payments in sorted(each):
        figures.append((f"  {urlsplit(url).query or urlsplit(url).path} (its own)", seconds,
                        payments, ""))
    wall, [(_, _, payments)] = pay_at_once([urls["county_alone"]])
    figures.append((f"1 county of {m} alone", wall, payments, load()))
    if not args.skip_big:
        big = county_urls(args.url.rsplit("/", 1)[0] + "/" + urlsplit(args.url).path.strip("/")
                          + "_big", ["county_big"], args.layout)["county_big"]
        big_roster = write_roster_csv(tmp / "big.csv", county_roster(n * m, 7))
        print(f"setup: one ledger of {n * m} cases ({load()})")
        print(f"  wall {set_up_all([big], big_roster):.1f} s ({load()})")
        wall, [(_, _, payments)] = pay_at_once([big])
        figures.append((f"1 ledger of {n * m} alone", wall, payments, load()))

    print(f"{'first-month payroll':<40} {'seconds':>8} {'lines':>9} {'lines/s':>9}  load after")
    for name, seconds, items, when in figures:
        print(f"{name:<40} {seconds:>8.1f} {items:>9} {items / seconds:>9.0f}  {when}")


if __name__ == "__main__":
    main()
