"""Projection catch-up (events/s, full rebuild) and trace latency (median, p99).

Usage: python -m bench.projections --cases 20000 [--months 3] [--url postgresql://...]
Builds a ledger (roster, N months of payroll approved), then rebuilds the read
model from zero and times it, then times `trace` on random payments.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from uuid import UUID, uuid4

from eventsourcing.persistence import StoredEvent
from sqlalchemy import select

from ledger.adapters.roster_writer import write_roster_csv
from ledger.bootstrap import open_runtime
from ledger.domain.calendar import Month
from ledger.services.batches import approve_batch
from ledger.services.demo_county import county_roster, set_county_standards
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.trace import trace_payment
from projections import schema
from projections.rebuild import rebuild


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--traces", type=int, default=300)
    parser.add_argument("--url", default=None)
    parser.add_argument("--workers", type=int, default=1,
                        help="processes reading the log ahead of the rebuild (default 1: none)")
    parser.add_argument("--filler", type=int, default=0,
                        help="append this many unrelated events before timing trace, to reach "
                             "a log of millions of events quickly")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    rt = open_runtime(args.url or f"sqlite:///{tmp / 'bench.db'}", init=True)
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"backend {rt.settings.backend}, cases {args.cases}, months {args.months}, "
          f"read-ahead workers {args.workers}")
    set_county_standards(rt, "bench")
    import_roster(rt, write_roster_csv(tmp / "r.csv", county_roster(args.cases, 7)),
                  date(2024, 1, 1), "bench")
    for i in range(args.months):
        batch = run_payroll(rt, Month(2024, 1) + i, "bench")
        approve_batch(rt, batch.id, "checker")
    events = rt.app.recorder.max_notification_id() or 0
    t = time.perf_counter()
    rebuild(rt.read_model, workers=args.workers)
    seconds = time.perf_counter() - t
    print(f"projection rebuild: {events} events in {seconds:.2f} s = {events / seconds:,.0f} events/s")
    if args.filler:
        t = time.perf_counter()
        for start in range(0, args.filler, 10_000):
            rt.app.recorder.insert_events([
                StoredEvent(uuid4(), 1, "bench:Filler", b'{"x":1}')
                for _ in range(min(10_000, args.filler - start))])
        total = rt.app.recorder.max_notification_id() or 0
        print(f"appended {args.filler} filler events in {time.perf_counter() - t:.0f} s; "
              f"the log now holds {total} events")
        events = total
    with rt.engine.connect() as conn:
        ids = conn.execute(select(schema.payments.c.payment_id)).scalars().all()
    sample = random.Random(1).sample(ids, min(args.traces, len(ids)))
    times = []
    for pid in sample:
        t = time.perf_counter()
        trace_payment(rt, UUID(pid))
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"trace latency over {len(times)} payments: median {statistics.median(times):.1f} ms, "
          f"p99 {p99:.1f} ms (ledger of {events} events)")
    rt.close()


if __name__ == "__main__":
    main()
