"""A console payroll run in a child process, so the pages stay responsive meanwhile.

A run of 100,000 cases computes for seconds in Python; in a thread of the console's
own process it shares the interpreter lock with every page (measured: a person's page
went from a p95 of 16 ms to 277 ms). In a child process it shares nothing but the
database: the child opens the same ledger (URL and key passed explicitly), runs the
same ``run_payroll`` with the same guards, and reports its progress through two
shared counters and its outcome through a queue.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from ledger.services.runtime import Runtime

_CONTEXT = multiprocessing.get_context("spawn")
"""A fresh interpreter: no inherited threads, connections or locks from the console.

The child is not a daemon: a daemonic process may not start processes, and the payroll
starts its worker processes as soon as a county has more than one part of cases (a daemon
child failed every such run with ``AssertionError``). So the console, when it exits, waits
for a run it started to finish; killed, it leaves the run to finish on its own (a run is
safe to kill and rerun either way)."""


def _child(url: str, cipher_key: str | None, month: str, by: str, today: str,
           done: Any, total: Any, outcome: Any) -> None:
    from ledger.bootstrap import open_runtime
    from ledger.console.refusals import refusal_text
    from ledger.domain.calendar import Month
    from ledger.domain.errors import LedgerRefusal
    from ledger.services.payroll_run import run_payroll

    def progress(n: int, of: int) -> None:
        done.value, total.value = n, of

    rt = open_runtime(url, cipher_key=cipher_key)
    try:
        batch = run_payroll(rt, Month.parse(month), by, progress=progress,
                            today=date.fromisoformat(today))
        outcome.put(("done", batch.id.hex))
    except (LedgerRefusal, ValueError) as e:
        outcome.put(("refused", refusal_text(e)))
    except Exception as e:  # noqa: BLE001 - reported to the parent, which logs it
        outcome.put(("error", f"{type(e).__name__}"))
    finally:
        rt.close()


def run_in_child(rt: Runtime, month: str, by: str, today: date,
                 progress: Callable[[int, int], None]) -> str:
    """Run the month's payroll in a child process; the batch id, or the refusal raised."""
    from ledger.domain.errors import LedgerRefusal

    done, total = _CONTEXT.Value("q", 0), _CONTEXT.Value("q", 0)
    outcome = _CONTEXT.Queue()
    child = _CONTEXT.Process(
        target=_child, name=f"payroll-{month}", daemon=False,
        args=(rt.settings.url, rt.settings.cipher_key, month, by, today.isoformat(),
              done, total, outcome))
    child.start()
    result: tuple[str, str] | None = None
    while result is None:
        progress(done.value, total.value)
        try:
            result = outcome.get(timeout=0.2)
        except Exception:  # noqa: BLE001 - queue.Empty: still running (or died)
            if not child.is_alive() and outcome.empty():
                time.sleep(0.2)  # a last message may still be in flight
                if outcome.empty():
                    result = ("error", f"the run stopped (exit {child.exitcode})")
    child.join(timeout=10)
    state, text = result
    progress(done.value, total.value)
    if state == "done":
        return text
    if state == "refused":
        raise LedgerRefusal(text)
    raise RuntimeError(text)
