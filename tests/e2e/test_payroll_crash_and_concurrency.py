"""`ledger payroll run` killed half-way, and run twice at once, in real processes.

A roster of 3000 dibao households (rural, 443.00 a month) is imported; household
``i`` has ``1 + i % 4`` people and a per-capita income of ``(i % 7) × 10`` yuan, so
it is paid ``(443.00 − income) × size``. The expected batch is computed here from
those numbers alone, and compared with what the ledger recorded, both in its
read model and in the event store itself.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import func, select

from ledger.bootstrap import open_runtime
from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services.enrolment import import_roster
from projections import schema
from tests import county

CASES = 3000
MONTH = "2024-01"
LEDGER = Path(sys.executable).with_name("ledger")  # the console script of this venv
RECORDED = "ledger.domain.payment:Payment.Recorded"


def household(i: int) -> tuple[int, int]:
    """(household size, per-capita income in fen) of roster row ``i``."""
    return 1 + i % 4, (i % 7) * 1000


def expected_total() -> int:
    return sum((44300 - income) * size for size, income in map(household, range(CASES)))


def test_the_expected_total_agrees_with_the_hand_computation() -> None:
    # Every 28 rows hold each (size, income) pair once: (1+2+3+4) × Σ(443 − 10b, b=0..6)
    # = 10 × 2891 = 28910.00. 3000 = 107 × 28 + 4, the last four rows have sizes 1..4 and
    # incomes 0..30: 443 + 433×2 + 423×3 + 413×4 = 4230.00. 107 × 28910 + 4230 = 3097600.00.
    assert expected_total() == 3097600_00


def yuan(fen: int) -> str:
    return str((Decimal(fen) / 100).quantize(Decimal("0.01")))


@pytest.fixture
def roster(ledger_url: str, tmp_path: Path) -> str:
    """The ledger at ``ledger_url`` with standards set and 3000 households enrolled."""
    rows = []
    for i in range(CASES):
        size, income = household(i)
        # ID numbers: seq 0..999 within each of three birth dates.
        rows.append(county.row(i % 1000, "dibao", birth=date(1960 + i // 1000, 3, 15),
                               name=f"测试{i}", bank_account=county.card(i),
                               household_size=size, income_per_capita=yuan(income)))
    rt = open_runtime(ledger_url, init=True)
    try:
        county.set_standards(rt.app)
        result = import_roster(rt, county.write(tmp_path / "roster.csv", rows), county.TODAY,
                               "clerk")
        assert result.enrolled == CASES and not result.problems
    finally:
        rt.close()
    return ledger_url


class EventStore:
    """Read-only queries straight on the events table, independent of the ledger's code."""

    def __init__(self, url: str) -> None:
        if url.startswith("sqlite:///"):
            self.conn: Any = sqlite3.connect(f"file:{url[len('sqlite:///'):]}?mode=ro", uri=True,
                                             timeout=30, isolation_level=None)
            self.table = "stored_events"
        else:
            self.conn = psycopg.connect(url, autocommit=True)
            self.table = "ledger_events"

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.close()

    def query(self, sql: str) -> tuple:
        return tuple(self.conn.execute(sql.format(table=self.table)).fetchone())

    def count(self, topic: str) -> int:
        return self.query(f"SELECT count(*) FROM {{table}} WHERE topic = '{topic}'")[0]

    def payments(self) -> tuple[int, int]:
        """(Recorded events, distinct payments among them)."""
        return self.query(
            f"SELECT count(*), count(DISTINCT originator_id) FROM {{table}} WHERE topic = '{RECORDED}'"
        )


def ledger(url: str, *args: str, extra_env: dict[str, str] | None = None,
           **popen: object) -> subprocess.Popen:
    env = dict(os.environ, LEDGER_DATABASE_URL=url, **(extra_env or {}))
    env.pop("LEDGER_CIPHER_KEY", None)
    return subprocess.Popen([str(LEDGER), *args], env=env, text=True, **popen)  # type: ignore[call-overload]


def payroll_run(url: str) -> dict:
    proc = ledger(url, "payroll", "run", "--month", MONTH, "--by", "clerk", "--json",
                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return json.loads(out)


def check_batch(url: str, data: dict) -> None:
    """The batch against the independent computation: its JSON, the store, the read model."""
    total = yuan(expected_total())
    assert (data["month"], data["status"], data["payments"], data["total"]) == (
        MONTH, "draft", CASES, total)
    assert data["by_programme"] == {"dibao": {"payments": CASES, "total": total}}
    with EventStore(url) as store:
        assert store.payments() == (CASES, CASES)  # no payment recorded twice

    p, b = schema.payments.c, schema.batches.c
    rt = open_runtime(url)
    try:
        with rt.engine.connect() as conn:
            assert conn.execute(select(func.count()).where(b.month == MONTH)).scalar_one() == 1
            count, cases, amount = conn.execute(
                select(func.count(), func.count(p.case_id.distinct()), func.sum(p.amount))
                .where(p.batch_id == data["batch_id"], p.own_status != "withdrawn")
            ).one()
    finally:
        rt.close()
    assert (count, cases, int(amount)) == (CASES, CASES, expected_total())


def approve(url: str, batch_id: str, by: str) -> tuple[int, str]:
    """`ledger payroll approve`: (exit code, stderr)."""
    proc = ledger(url, "payroll", "approve", batch_id, "--by", by,
                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err


def kill_part_way(url: str, store: EventStore, log: Path) -> int:
    """Start a payroll run and SIGKILL it once some but not all payments are recorded.

    The process is stepped: frozen (SIGSTOP), the store looked at, then killed while
    still frozen or let go on (SIGCONT) for a moment. The batch is saved in chunks of
    2000 lines, so there is a moment with 2000 of the 3000 recorded. Returns how many
    were recorded when it died.
    """
    with open(log, "w") as out:
        proc = ledger(url, "payroll", "run", "--month", MONTH, "--by", "clerk",
                      stdout=out, stderr=subprocess.STDOUT)
        seen, deadline = 0, time.monotonic() + 50
        while time.monotonic() < deadline and proc.poll() is None:
            os.kill(proc.pid, signal.SIGSTOP)
            seen = store.count(RECORDED)
            if 0 < seen < CASES:
                os.kill(proc.pid, signal.SIGKILL)
                break
            os.kill(proc.pid, signal.SIGCONT)
            time.sleep(0.002)
        else:
            proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL and 0 < seen < CASES, (
        f"not killed part-way: exit {proc.returncode} with {seen} payments recorded; "
        f"{log.read_text()[-2000:]}")
    return store.count(RECORDED)


@pytest.mark.slow
def test_payroll_run_killed_part_way_finishes_the_same_batch_when_run_again(roster, tmp_path):
    url, started = roster, time.monotonic()
    batch_id = ids.batch_id(Month.parse(MONTH), "regular").hex
    with EventStore(url) as store:
        recorded = kill_part_way(url, store, tmp_path / "killed.log")
        assert 0 < recorded < CASES

        # The killed run left the batch with an unfinished run: nobody can approve it.
        code, err = approve(url, batch_id, "checker")
        assert code == 1 and "unfinished run" in err

        data = payroll_run(url)
        assert data["batch_id"] == batch_id
        check_batch(url, data)
        # The rerun recorded only what was missing: nothing amended, nothing withdrawn.
        assert store.count("ledger.domain.payment:Payment.Amended") == 0
        assert store.count("ledger.domain.payment:Payment.Withdrawn") == 0

    assert approve(url, batch_id, "checker") == (0, "")
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"took {elapsed:.1f} s"


@pytest.mark.slow
def test_two_concurrent_runs_of_the_same_month_end_with_one_correct_batch(roster):
    url, started = roster, time.monotonic()
    procs = [ledger(url, "payroll", "run", "--month", MONTH, "--by", by, "--json",
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for by in ("clerk", "clerk2")]
    results = [p.communicate(timeout=60) for p in procs]
    for proc, (_, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
    first, second = (json.loads(out) for out, _ in results)
    assert first["batch_id"] == second["batch_id"]

    shown = ledger(url, "payroll", "show", first["batch_id"], "--json",
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = shown.communicate(timeout=60)
    assert shown.returncode == 0, err
    data = json.loads(out)
    check_batch(url, data)
    assert len(data["lines"]) == CASES

    # Both runners made the draft, so neither may approve it; a third user may.
    for maker in ("clerk", "clerk2"):
        code, err = approve(url, data["batch_id"], maker)
        assert code == 1 and "cannot approve" in err
    assert approve(url, data["batch_id"], "checker") == (0, "")
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"took {elapsed:.1f} s"
