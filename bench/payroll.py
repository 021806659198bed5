"""Payroll throughput: roster import, payroll run, approval, projection catch-up.

Usage: python -m bench.payroll --cases 10000 [--url postgresql://postgres@127.0.0.1/bench]
Prints seconds and items/s per phase, peak memory, and the raw event-append
baseline measured in the same run (events appended straight through the
eventsourcing recorder), with each phase's ratio to it.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import StoredEvent

from ledger.batches import approve_batch
from ledger.bootstrap import open_runtime
from ledger.calendar import Month
from ledger.demo import county_roster, set_county_standards
from ledger.enrolment import import_roster
from ledger.payroll_run import run_payroll
from ledger.roster_writer import write_roster_csv


def raw_append_rate(rt, n: int) -> float:
    """Events/s appended straight through the recorder, in chunks like the payroll."""
    events = [StoredEvent(uuid.uuid4(), 1, "bench:Raw", b'{"amount":44300}') for _ in range(n)]
    start = time.perf_counter()
    for i in range(0, n, 2000):
        rt.app.recorder.insert_events(events[i:i + 2000])
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10000)
    parser.add_argument("--url", default=None)
    parser.add_argument("--encrypt", action="store_true",
                        help="set a cipher key: events and personal read-model columns encrypted")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = args.url or f"sqlite:///{tmp / 'bench.db'}"
    key = AESCipher.create_key(num_bytes=32) if args.encrypt else ""
    rt = open_runtime(url, init=True, cipher_key=key)
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"backend {rt.settings.backend}, cases {args.cases}, encrypted {bool(key)}")
    set_county_standards(rt, "bench")
    roster = write_roster_csv(tmp / "roster.csv", county_roster(args.cases, 7))
    phases: list[tuple[str, float, int]] = []

    t = time.perf_counter()
    result = import_roster(rt, roster, date(2024, 1, 1), "bench")
    assert not result.problems, result.problems[:3]
    phases.append(("roster import (validate+enrol+project)", time.perf_counter() - t, result.enrolled))

    t = time.perf_counter()
    batch = run_payroll(rt, Month(2024, 1), "bench")
    phases.append(("payroll run 2024-01", time.perf_counter() - t, batch.payments))

    t = time.perf_counter()
    approve_batch(rt, batch.id, "checker")
    phases.append(("approval (+ projection)", time.perf_counter() - t, batch.payments))

    t = time.perf_counter()
    batch2 = run_payroll(rt, Month(2024, 2), "bench")
    phases.append(("payroll run 2024-02 (with arrears check)", time.perf_counter() - t, batch2.payments))

    baseline = raw_append_rate(rt, args.cases)
    rt.close()
    print(f"{'phase':<44} {'seconds':>8} {'items':>9} {'items/s':>10} {'vs raw append':>14}")
    for name, seconds, items in phases:
        rate = items / seconds if seconds else 0
        print(f"{name:<44} {seconds:>8.2f} {items:>9} {rate:>10.0f} {rate / baseline:>13.2f}x")
    print(f"{'baseline: raw recorder append':<44} {'':>8} {args.cases:>9} {baseline:>10.0f}")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
