"""Payroll throughput per phase, judged against two baselines measured in the same run.

Usage: python -m bench.payroll --cases 10000 [--url postgresql://postgres@127.0.0.1/bench] [--encrypt]
       [--only-import] [--skip-rebuild]
       [--workers N]

Phases on the ledger under test: roster import, payroll run, approval, bank CSV and
pain.001 export of the approved batch, a second payroll run, and projection catch-up
(the read model rebuilt from zero over the whole log, as bench/projections.py times it:
once by this process alone, once with the log read ahead by the payroll's workers), then
catch-up alone: a follower catching an emptied read model up from position 0, without the
rebuild's emptying, vacuum and statistics around it.
Each prints seconds, items, items/s and its ratio to the baselines, peak memory, and CPU
seconds (this process · its worker processes; a database server's are in neither). The last
lines give the ceiling of a synchronously projected payroll (append + insert, nothing else)
and the payroll's CPU per line against what 0.5x raw append would leave it.

Baselines, on the same backend but a separate fresh store so the ledger under test is
not polluted (SQLite: another file in the temp dir; PostgreSQL: a database named
``<db>_baseline``, dropped before and after):

* raw append: N payment events appended straight through the eventsourcing recorder,
  in chunks of 2000, with the real stored state bytes of the payroll's payments;
* executemany: N read-model payment rows (sampled from the ledger's own, stored values)
  inserted by the DBAPI driver into a bare table with only a primary key, in chunks of
  2000, one transaction per chunk.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import platform
import resource
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import psycopg
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic
from psycopg import sql
from sqlalchemy import Column, MetaData, Table

from ledger.adapters.roster_writer import write_roster_csv
from ledger.adapters.worker_processes import default_workers
from ledger.bootstrap import open_runtime
from ledger.domain.calendar import Month
from ledger.domain.payment import Payment
from ledger.services.bank_export import export_batch
from ledger.services.batches import approve_batch
from ledger.services.debtor_accounts import DebtorAccounts
from ledger.services.demo_county import county_roster, set_county_standards
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from projections import schema
from projections.follow import Follower
from projections.rebuild import analysed, emptied, rebuild

CHUNK = 2000
SAMPLE = 1000
PAYMENT_TOPIC = get_topic(Payment.Recorded)
T = TypeVar("T")


PEAKS: list[float] = []
"""Peak resident memory (MB) of each timed call, in order."""
CPU: list[tuple[float, float]] = []
"""CPU seconds (this process, its finished worker processes) of each timed call, in order.
A database server's own CPU (PostgreSQL) is in neither: it is another process's."""


def _reset_peak() -> None:
    """Linux: restart the process's peak-RSS count, so each phase gets its own peak.

    Memory an earlier phase freed is first handed back to the system (gc, malloc_trim),
    so it is not counted against the next phase.
    """
    gc.collect()
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass  # elsewhere the figures are the process's peak so far


def _peak_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _cpu() -> tuple[float, float]:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """Call fn and return its result and wall-clock seconds; note its peak memory in PEAKS
    and its CPU time in CPU."""
    _reset_peak()
    cpu = _cpu()
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    PEAKS.append(_peak_mb())
    CPU.append((_cpu()[0] - cpu[0], _cpu()[1] - cpu[1]))
    return result, seconds


def pg_args(rt: Runtime) -> dict[str, str]:
    """psycopg connect arguments for a runtime's PostgreSQL store."""
    env = rt.settings.event_store_env
    return {"host": env["POSTGRES_HOST"], "port": env["POSTGRES_PORT"], "user": env["POSTGRES_USER"],
            "password": env["POSTGRES_PASSWORD"], "dbname": env["POSTGRES_DBNAME"]}


@contextmanager
def baseline_store(rt: Runtime, tmp: Path) -> Iterator[Runtime]:
    """A fresh, empty store on rt's backend, so the baselines never touch the ledger under test."""
    if rt.settings.backend == "sqlite":
        base = open_runtime(f"sqlite:///{tmp / 'baseline.db'}", init=True, cipher_key="")
        try:
            yield base
        finally:
            base.close()
        return
    name = rt.settings.event_store_env["POSTGRES_DBNAME"] + "_baseline"
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(**pg_args(rt), autocommit=True) as conn:
        conn.execute(drop)
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base = open_runtime(urlunsplit(urlsplit(rt.settings.url)._replace(path="/" + name)),
                        init=True, cipher_key="")
    try:
        yield base
    finally:
        base.close()
        with psycopg.connect(**pg_args(rt), autocommit=True) as conn:
            conn.execute(drop)


def raw_append_rate(base: Runtime, states: Sequence[bytes], n: int) -> float:
    """Events/s appended straight through the recorder: real payment state bytes, fresh ids."""
    events = [StoredEvent(uuid4(), 1, PAYMENT_TOPIC, states[i % len(states)]) for i in range(n)]

    def run() -> None:
        for i in range(0, n, CHUNK):
            base.app.recorder.insert_events(events[i:i + CHUNK])
    return n / timed(run)[1]


def executemany_rate(base: Runtime, columns: list[str], sample: Sequence[Sequence[Any]],
                     n: int) -> float:
    """Rows/s inserted by the bare DBAPI driver into a read-model-shaped table with only a primary key."""
    bare = Table("bench_payments", MetaData(),
                 *(Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
                   for c in schema.payments.c))
    bare.create(base.engine)
    key = columns.index("payment_id")
    rows = [tuple(uuid4().hex if j == key else v for j, v in enumerate(sample[i % len(sample)]))
            for i in range(n)]
    sqlite = base.settings.backend == "sqlite"
    marks = ", ".join(["?" if sqlite else "%s"] * len(columns))
    insert = f"INSERT INTO bench_payments ({', '.join(columns)}) VALUES ({marks})"
    conn: Any = (sqlite3.connect(base.settings.event_store_env["SQLITE_DBNAME"]) if sqlite
                 else psycopg.connect(**pg_args(base)))
    try:
        def run() -> None:
            for i in range(0, n, CHUNK):
                conn.cursor().executemany(insert, rows[i:i + CHUNK])
                conn.commit()
        _, seconds = timed(run)
    finally:
        conn.close()
    return n / seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10000)
    parser.add_argument("--url", default=None)
    parser.add_argument("--encrypt", action="store_true",
                        help="set a cipher key: events and personal read-model columns encrypted")
    parser.add_argument("--only-import", action="store_true",
                        help="time the roster import alone and print its peak memory")
    parser.add_argument("--workers", type=int, default=None,
                        help="payroll worker processes (default: LEDGER_PAYROLL_WORKERS, else cores)")
    parser.add_argument("--skip-rebuild", action="store_true",
                        help="leave out the rebuild phase (bench/projections.py measures it too)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = args.url or f"sqlite:///{tmp / 'bench.db'}"
    key = AESCipher.create_key(num_bytes=32) if args.encrypt else ""
    rt = open_runtime(url, init=True, cipher_key=key)
    workers = args.workers or rt.settings.payroll_workers or default_workers()
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"backend {rt.settings.backend}, cases {args.cases}, encrypted {bool(key)}, "
          f"payroll workers {workers}, load average {_load()}")
    set_county_standards(rt, "bench")
    roster = write_roster_csv(tmp / "roster.csv", county_roster(args.cases, 7))
    phases: list[tuple[str, float, int]] = []

    result, s = timed(lambda: import_roster(rt, roster, date(2024, 1, 1), "bench"))
    assert not result.problems, result.problems[:3]
    phases.append(("roster import (validate+enrol+project)", s, result.enrolled))
    if args.only_import:
        print(f"{'phase':<44} {'seconds':>8} {'items':>9} {'items/s':>10} {'peak MB':>8}")
        print(f"{phases[0][0]:<44} {s:>8.2f} {result.enrolled:>9} {result.enrolled / s:>10.0f} "
              f"{PEAKS[0]:>8.0f}")
        rt.close()
        return
    batch, s = timed(lambda: run_payroll(rt, Month(2024, 1), "bench", workers=workers))
    phases.append(("payroll run 2024-01", s, batch.payments))
    _, s = timed(lambda: approve_batch(rt, batch.id, "checker"))
    phases.append(("approval (+ projection)", s, batch.payments))
    done, s = timed(lambda: export_batch(rt, batch.id, "csv", tmp / "2024-01.csv", "bench"))
    phases.append(("bank CSV export 2024-01", s, done.payments))
    done, s = timed(lambda: export_batch(rt, batch.id, "pain001", tmp / "2024-01.xml", "bench",
                                         debtors=DebtorAccounts.placeholder()))
    phases.append(("pain.001 export 2024-01", s, done.payments))
    batch2, s = timed(lambda: run_payroll(rt, Month(2024, 2), "bench", workers=workers))
    phases.append(("payroll run 2024-02 (with arrears check)", s, batch2.payments))
    if not args.skip_rebuild:
        events = rt.app.recorder.max_notification_id() or 0
        _, s = timed(lambda: rebuild(rt.read_model))
        phases.append(("projection catch-up (rebuild, events)", s, events))
        _, s = timed(lambda: rebuild(rt.read_model, workers=workers))
        phases.append((f"  the same, read ahead by {workers} workers", s, events))
        # Catch-up alone, without the rebuild's emptying and statistics: a follower started
        # on an emptied read model (after a restore), through the follower's own path.
        emptied(rt.read_model)
        _, s = timed(Follower(rt.read_model, workers=workers, ahead_from=1).catch_up)
        analysed(rt.read_model)
        phases.append((f"  catch-up from 0 by a follower ({workers} workers)", s, events))
    peaks, cpus = PEAKS[:len(phases)], CPU[:len(phases)]

    states = [n.state for n in rt.app.recorder.select_notifications(None, SAMPLE, topics=[PAYMENT_TOPIC])]
    with rt.engine.connect() as conn:
        res = conn.exec_driver_sql(f"SELECT * FROM rm_payments LIMIT {SAMPLE}")  # stored values, sealed if encrypted
        columns, sample = list(res.keys()), [tuple(r) for r in res]
    rt.close()
    with baseline_store(rt, tmp) as base:
        append = raw_append_rate(base, states, args.cases)
        many = executemany_rate(base, columns, sample, args.cases)

    print(f"{'phase':<44} {'seconds':>8} {'items':>9} {'items/s':>10} {'vs raw append':>14} "
          f"{'vs executemany':>15} {'peak MB':>8} {'CPU s: this · workers':>22}")
    for (name, seconds, items), peak, (me, workers_cpu) in zip(phases, peaks, cpus, strict=True):
        rate = items / seconds if seconds else 0
        print(f"{name:<44} {seconds:>8.2f} {items:>9} {rate:>10.0f} {rate / append:>13.3f}x "
              f"{rate / many:>14.3f}x {peak:>8.0f} {me:>12.2f} · {workers_cpu:>7.2f}")
    print(f"{'baseline: raw recorder append':<44} {'':>8} {args.cases:>9} {append:>10.0f}")
    print(f"{'baseline: executemany into bare table':<44} {'':>8} {args.cases:>9} {many:>10.0f}")
    # What one writer could reach if computing the lines cost nothing: append each event and
    # insert its read-model row (into a table without the read model's other indexes, and
    # without the hash chain), one after the other, as a synchronously projected payroll must.
    ceiling = 1 / (1 / append + 1 / many)
    print(f"{'ceiling: append + executemany, nothing else':<44} {'':>8} {args.cases:>9} "
          f"{ceiling:>10.0f} {ceiling / append:>13.3f}x")
    first = phases[1] if len(phases) > 1 else None
    if first is not None:
        me, workers_cpu = cpus[1]
        print(f"payroll 2024-01 CPU per line: this process {me / first[2] * 1e6:.0f} µs, workers "
              f"{workers_cpu / first[2] * 1e6:.0f} µs, on {os.cpu_count()} cores; at 0.5x raw "
              f"append the run would have {2 * first[2] / append * (os.cpu_count() or 1):.2f} "
              f"CPU s of these cores, it used {me + workers_cpu:.2f}")
    print(f"load average at the end: {_load()} (other processes share these cores)")
    print(f"peak memory of the whole process: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
          f"largest worker: {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
