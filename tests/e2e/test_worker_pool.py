"""The ordered pool of worker processes: order kept, failures raised, never a hang at exit.

The payroll's and the rebuild's tests exercise it through their own work; these say what
the pool itself promises, with work whose results are known in advance.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ledger.adapters.worker_processes import OrderedPool, WorkerLost
from tests.e2e.test_payroll_workers import _alive


def _slow_square(n: int) -> int:
    time.sleep(0.02 * (n % 3))  # later items often finish first
    return n * n


def test_results_come_back_in_the_order_the_items_were_given() -> None:
    with OrderedPool(_slow_square, 3) as pool:
        got = list(pool.results((f"k{n}", n) for n in range(25)))
    assert got == [(f"k{n}", n * n) for n in range(25)]


def _refuse_seven(n: int) -> int:
    if n == 7:
        raise ValueError("seven is refused")
    return n


def test_an_exception_in_the_work_is_raised_here_as_itself_and_the_workers_end() -> None:
    pool = OrderedPool(_refuse_seven, 2)
    seen = []
    with pytest.raises(ValueError, match="seven is refused"), pool:
        for _, n in pool.results((n, n) for n in range(20)):
            seen.append(n)
    assert seen == list(range(7))
    assert not pool._workers  # killed and forgotten


_STARTED: list[str] = []


def _start(name: str) -> None:
    if name == "bad":
        raise RuntimeError("could not open the store")
    _STARTED.append(name)


def _started_with(_: int) -> list[str]:
    return list(_STARTED)


def test_each_worker_runs_its_start_first_and_a_failed_start_is_raised_here() -> None:
    with OrderedPool(_started_with, 2, _start, ("good",)) as pool:
        assert [r for _, r in pool.results((n, n) for n in range(4))] == [["good"]] * 4
    with pytest.raises(RuntimeError, match="could not open the store"), \
            OrderedPool(_started_with, 2, _start, ("bad",)) as pool:
        list(pool.results((n, n) for n in range(4)))


def test_a_killed_worker_is_reported_and_the_process_still_exits(tmp_path: Path) -> None:
    """The hang CI once met: a worker killed while work was being sent to it left the
    standard library's pool joining a stuck thread at interpreter exit."""
    script = tmp_path / "kill.py"
    script.write_text(textwrap.dedent("""
        import os, signal, sys, time
        from ledger.adapters.worker_processes import OrderedPool, WorkerLost

        def work(item):
            time.sleep(0.05)
            return item * 2

        pool = OrderedPool(work, 2)
        try:
            with pool:
                for key, _ in pool.results((n, bytes(200_000)) for n in range(1000)):
                    if key == 3:
                        os.kill(pool._workers[0].process.pid, signal.SIGKILL)
        except WorkerLost:
            print("lost", flush=True)
            sys.exit(3)
    """))
    started = time.monotonic()
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=60, cwd=Path(__file__).parents[2],
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert proc.stdout.strip() == "lost" and "Traceback" not in proc.stderr
    assert time.monotonic() - started < 30


def _pid_of(_: int) -> int:
    return os.getpid()


def test_one_worker_means_no_process_at_all() -> None:
    with OrderedPool(_pid_of, 1) as pool:
        assert {pid for _, pid in pool.results((n, n) for n in range(3))} == {os.getpid()}


def test_workers_leave_with_a_writer_killed_mid_work(tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    pids = tmp_path / "pids"
    script.write_text(textwrap.dedent(f"""
        import os, time
        from ledger.adapters.worker_processes import OrderedPool

        def work(item):
            time.sleep(0.2)
            return os.getpid()

        with OrderedPool(work, 2) as pool:
            for _, pid in pool.results((n, n) for n in range(10_000)):
                open({str(pids)!r}, "a").write(f"{{pid}}\\n")
    """))
    proc = subprocess.Popen([sys.executable, str(script)], cwd=Path(__file__).parents[2],
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(set(_lines(pids))) < 2:
        time.sleep(0.1)
    workers = {int(p) for p in _lines(pids)}
    assert len(workers) == 2
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in workers), "workers outlived their writer"


def _lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def test_workers_lost_is_what_a_dead_worker_raises() -> None:
    def die(n: int) -> int:
        if n == 2:
            os._exit(1)
        return n
    with pytest.raises(WorkerLost), OrderedPool(die, 2) as pool:
        list(pool.results((n, n) for n in range(6)))
