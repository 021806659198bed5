"""The payroll computed by worker processes: the same batch as one process, and crash safe.

A ledger of dibao households (rural, 443.00 a month; household ``i`` has ``1 + i % 4``
people and ``(i % 7) × 10`` yuan income per head, so it is paid ``(443.00 − income) ×
size``) is paid for January by one process and, on a second ledger, by two workers, in
small parts so there are many; then the rural standard is raised retroactively to
448.00 from January and February is run the same two ways (every case gets February at
the new rate plus 5.00 a person of January arrears). The two ledgers must hold the same
payments, id for id and fen for fen, and both the amounts computed here by hand.

Then, in real processes (``ledger payroll run --workers 2``): a worker SIGKILLed
mid-run stops the run with a clear message and a rerun pays every case exactly once;
the writer SIGKILLed mid-run takes its workers with it and a rerun does the same.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services.batches import approve_batch
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from projections import schema
from tests import county
from tests.conftest import require_backend
from tests.databases import fresh_ledger
from tests.e2e.test_payroll_crash_and_concurrency import (
    CASES,
    MONTH,
    RECORDED,
    EventStore,
    approve,
    check_batch,
    expected_total,
    household,
    ledger,
    payroll_run,
    roster,  # noqa: F401 - the fixture
    yuan,
)

SMALL = 240
PART = 40


def _enrol(rt, scratch: Path) -> None:
    rows = [county.row(i, "dibao", name=f"测试{i}", bank_account=county.card(i),
                       household_size=household(i)[0], income_per_capita=yuan(household(i)[1]))
            for i in range(SMALL)]
    county.set_standards(rt.app)
    result = import_roster(rt, county.write(scratch / "roster.csv", rows), county.TODAY, "clerk")
    assert result.enrolled == SMALL and not result.problems


def _payments(rt, batch_id) -> list[tuple[str, str, str, int, int]]:
    p = schema.payments.c
    with rt.engine.connect() as conn:
        return sorted((r[0], r[1], r[2], int(r[3]), int(r[4])) for r in conn.execute(
            select(p.payment_id, p.kind, p.for_month, p.amount, p.transfer)
            .where(p.batch_id == batch_id.hex)))


def _two_months(backend: str, workers: int) -> tuple[list, list, list[int]]:
    """January and February (after a retroactive raise) paid with ``workers`` workers."""
    with fresh_ledger(backend) as (rt, scratch):
        _enrol(rt, scratch)
        january = run_payroll(rt, Month(2024, 1), "clerk", chunk=PART, workers=workers)
        approve_batch(rt, january.id, "checker")
        rt.app.set_standard("dibao", "rural", 537600, "year", date(2024, 1, 1), "县民政发〔2024〕2号",
                            False, "clerk")
        february = run_payroll(rt, Month(2024, 2), "clerk", chunk=PART, workers=workers)
        return (_payments(rt, january.id), _payments(rt, february.id),
                [january.total, february.total])


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_one_and_two_workers_make_identical_batches(backend: str) -> None:
    require_backend(backend)
    one = _two_months(backend, 1)
    two = _two_months(backend, 2)
    assert one == two

    january, february, totals = two
    sizes = [household(i)[0] for i in range(SMALL)]
    incomes = [household(i)[1] for i in range(SMALL)]
    jan_amounts = sorted((44300 - income) * size for size, income in zip(sizes, incomes, strict=True))
    assert sorted(amount for _, kind, _, amount, _ in january) == jan_amounts
    assert {kind for _, kind, _, _, _ in january} == {"regular"}
    regular = sorted(a for _, kind, month, a, _ in february if kind == "regular")
    arrears = sorted(a for _, kind, month, a, _ in february if kind == "arrears")
    assert regular == sorted((44800 - income) * size for size, income in zip(sizes, incomes, strict=True))
    assert arrears == sorted(500 * size for size in sizes)
    assert {m for _, kind, m, _, _ in february if kind == "arrears"} == {"2024-01"}
    # (1+2+3+4) × 60 = 600 people; 240 households: 60 of each size.
    assert totals[1] - totals[0] == 600 * 500 + 600 * 500
    assert len({pid for pid, *_ in january + february}) == len(january) + len(february)


def _children(pid: int) -> list[int]:
    """The worker processes of a payroll run: its children (not a resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid and b"resource_tracker" not in cmdline:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _run_and_stop(url: str, store: EventStore, log: Path):
    """A two-worker run, frozen (SIGSTOP) once part of the batch is recorded and workers run.

    Parts are 100 cases and at most four are computed ahead, so when fewer than 2000 of
    the 3000 payments are recorded at least six parts are still to be handed out.
    """
    out = open(log, "w")
    proc = ledger(url, "payroll", "run", "--month", MONTH, "--by", "clerk", "--workers", "2",
                  "--part-size", "100", stdout=out, stderr=subprocess.STDOUT)
    deadline, seen, workers = time.monotonic() + 90, 0, []
    while time.monotonic() < deadline and proc.poll() is None:
        os.kill(proc.pid, signal.SIGSTOP)
        seen = store.count(RECORDED)
        # (Processes are listed only then: a scan of /proc is slow beside the writer's step.)
        workers = _children(proc.pid) if 0 < seen < 2000 else []
        if len(workers) == 2:
            return proc, out, workers, seen
        os.kill(proc.pid, signal.SIGCONT)
        time.sleep(0.002)
    proc.kill()
    out.close()
    pytest.fail(f"not stopped part-way (exit {proc.poll()}, {seen} recorded, workers {workers}):"
                f" {log.read_text()[-2000:]}")


def _rerun_pays_everyone_once(url: str, store: EventStore) -> None:
    batch_id = ids.batch_id(Month.parse(MONTH), "regular").hex
    code, err = approve(url, batch_id, "checker")
    assert code == 1 and "unfinished run" in err
    data = payroll_run(url)
    check_batch(url, data)  # CASES payments, CASES distinct, the hand-computed total
    assert store.count("ledger.domain.payment:Payment.Amended") == 0
    assert store.count("ledger.domain.payment:Payment.Withdrawn") == 0
    assert int(data["payments"]) == CASES and data["total"] == yuan(expected_total())


@pytest.mark.slow
def test_a_worker_killed_mid_run_stops_the_run_and_a_rerun_pays_each_case_once(
        roster, tmp_path):  # noqa: F811 - the fixture
    url = roster
    with EventStore(url) as store:
        proc, out, workers, _ = _run_and_stop(url, store, tmp_path / "run.log")
        os.kill(workers[0], signal.SIGKILL)
        os.kill(proc.pid, signal.SIGCONT)
        proc.wait(timeout=60)
        out.close()
        text = (tmp_path / "run.log").read_text()
        assert proc.returncode == 1, text[-2000:]
        assert "worker process stopped" in text and "run the payroll again" in text
        assert "Traceback" not in text
        assert 0 < store.count(RECORDED) < CASES
        assert not any(_alive(w) for w in workers)
        _rerun_pays_everyone_once(url, store)


@pytest.mark.slow
def test_the_writer_killed_mid_run_takes_its_workers_and_a_rerun_pays_each_case_once(
        roster, tmp_path):  # noqa: F811 - the fixture
    url = roster
    with EventStore(url) as store:
        proc, out, workers, _ = _run_and_stop(url, store, tmp_path / "run.log")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        out.close()
        assert proc.returncode == -signal.SIGKILL
        recorded = store.count(RECORDED)
        assert 0 < recorded < CASES
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(w) for w in workers), "workers outlived their writer"
        assert store.count(RECORDED) == recorded  # workers write nothing
        _rerun_pays_everyone_once(url, store)


def test_the_worker_count_setting_is_a_small_whole_number(monkeypatch) -> None:
    from ledger.adapters.settings import SettingsError, load_settings

    monkeypatch.setenv("LEDGER_PAYROLL_WORKERS", "3")
    assert load_settings("sqlite:///x.db").payroll_workers == 3
    monkeypatch.delenv("LEDGER_PAYROLL_WORKERS")
    assert load_settings("sqlite:///x.db").payroll_workers is None
    for bad in ("0", "two", "-1", "65"):
        monkeypatch.setenv("LEDGER_PAYROLL_WORKERS", bad)
        with pytest.raises(SettingsError, match="LEDGER_PAYROLL_WORKERS must be a whole number"):
            load_settings("sqlite:///x.db")


def test_a_bad_worker_count_on_the_command_line_records_nothing(ledger_url, tmp_path) -> None:
    """`--workers 0` is refused before anything is read or written (exit 2, click's message)."""
    from ledger.bootstrap import open_runtime

    open_runtime(ledger_url, init=True).close()
    proc = ledger(ledger_url, "payroll", "run", "--month", MONTH, "--by", "clerk", "--workers", "0",
                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "--workers" in err and "Traceback" not in err
    rt = open_runtime(ledger_url)
    try:
        assert rt.app.recorder.max_notification_id() in (None, 0)
    finally:
        rt.close()
