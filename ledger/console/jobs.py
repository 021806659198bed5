"""Long work started from the console (a payroll run) in a background thread.

The page that started it shows the progress and reloads itself (a meta refresh,
no script) until the work is done. One run per month at a time; the ledger's
own guards (run_payroll's superseding rule) still hold across processes.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ledger.console.refusals import refusal_text
from ledger.domain.errors import LedgerRefusal
from ledger.services.runtime import Runtime

log = logging.getLogger("ledger.console")


@dataclass
class Job:
    job_id: str
    title: str
    by: str
    done: int = 0
    total: int = 0
    state: str = "running"
    """running, done or failed."""
    message: str = ""
    result: Any = None

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


class Jobs:
    """Background jobs by id; the page polls a job by its id."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, title: str, by: str,
              work: Callable[[Callable[[int, int], None]], Any]) -> Job:
        with self._lock:
            running = [j for j in self._jobs.values() if j.title == title and j.state == "running"]
            if running:
                return running[0]
            job = Job(secrets.token_hex(8), title, by)
            self._jobs[job.job_id] = job

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        def run() -> None:
            try:
                job.result = work(progress)
                job.state = "done"
            except (LedgerRefusal, ValueError) as e:
                job.state, job.message = "failed", refusal_text(e)
            except Exception:  # noqa: BLE001 - reported on the page; details in the log
                log.exception("console job %s failed", title)
                job.state, job.message = "failed", "内部错误，详见服务器日志"

        threading.Thread(target=run, name=f"console-{job.job_id}", daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)
