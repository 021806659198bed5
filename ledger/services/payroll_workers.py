"""Worker processes for a payroll's parts: computed in parallel, handed back in order.

Python runs one thread of Python at a time, so a payroll that computes its lines and
records them in one process uses one core (a background thread was tried: nothing
gained). Here up to N processes compute parts (``payroll_parts.compute_part``) while
the calling process — the one writer — records and projects them. At most
``2 × N`` parts are in flight, so memory stays bounded whatever the ledger's size, and
results come back in the order the parts were read, so the batch is recorded part by
part in case-id order exactly as a single process records it.

Workers only compute; they hold no connection and write nothing. A worker killed
mid-run breaks the pool: the writer stops with :class:`WorkerLostError`, leaving the
batch with an unfinished run that the next run completes (payment ids are
deterministic). A writer killed mid-run leaves its workers without a parent: they
notice within a second and exit.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import TypeVar

from ledger.domain.errors import WorkerLostError
from ledger.services.payroll_parts import ComputedPart, PartInput, RunFacts, compute_part

K = TypeVar("K")

_FACTS: RunFacts | None = None


def default_workers() -> int:
    """One worker per core: the writer mostly waits on the database while they compute."""
    return os.cpu_count() or 1


def _start_worker(facts: RunFacts, parent: int) -> None:
    global _FACTS
    _FACTS = facts
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """A worker whose writer died (SIGKILL) has nobody to hand parts to: it exits."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _compute(part: PartInput) -> ComputedPart:
    assert _FACTS is not None, "worker started without the run's facts"
    return compute_part(_FACTS, part)


class PartPool:
    """Computes parts in ``workers`` processes (or in this one, for one worker)."""

    def __init__(self, facts: RunFacts, workers: int) -> None:
        self.facts = facts
        self.workers = max(1, workers)
        self._executor: ProcessPoolExecutor | None = None
        self._started = False

    def __enter__(self) -> PartPool:
        if self.workers > 1:
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=_context(), initializer=_start_worker,
                initargs=(self.facts, os.getpid()))
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        executor = self._executor
        if executor is None:
            return
        if error is None:
            executor.shutdown(wait=True, cancel_futures=True)
            return
        # A failed run (a lost worker, a refusal, Ctrl-C) must not wait on a pool that may
        # never answer again: stop the workers outright, then let the error through.
        processes = self._processes()
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.kill()
        for process in processes:
            process.join(timeout=5)

    def computed(self, parts: Iterator[tuple[K, PartInput]]) -> Iterator[tuple[K, ComputedPart]]:
        """Each part's key and computed lines, in the order ``parts`` gives them."""
        if self._executor is None:
            for key, part in parts:
                yield key, compute_part(self.facts, part)
            return
        window: deque[tuple[K, Future[ComputedPart]]] = deque()
        for key, part in parts:
            if not self._started:
                # The first submit forks the workers. Frozen, the writer's objects are left
                # out of the workers' garbage collections: a collection walking them would
                # write to every page of the inherited heap and so copy all of it.
                gc.freeze()
                try:
                    window.append((key, self._submit(part)))
                finally:
                    gc.unfreeze()
                self._started = True
                continue
            window.append((key, self._submit(part)))
            if len(window) >= 2 * self.workers:
                done_key, future = window.popleft()
                yield done_key, self._result(future)
        while window:
            done_key, future = window.popleft()
            yield done_key, self._result(future)

    def _submit(self, part: PartInput) -> Future[ComputedPart]:
        assert self._executor is not None
        try:
            return self._executor.submit(_compute, part)
        except BrokenProcessPool:
            raise _lost() from None

    def _result(self, future: Future[ComputedPart]) -> ComputedPart:
        """The part's lines; a worker found dead while waiting is a lost run, never a hang.

        The pool itself notices a dead worker (BrokenProcessPool), but not always: a worker
        killed while it held the pool's task queue can leave the others, and this wait,
        blocked for good. So the wait looks at the workers every second itself.
        """
        while True:
            try:
                return future.result(timeout=1.0)
            except FutureTimeout:
                if any(process.exitcode is not None for process in self._processes()):
                    raise _lost() from None
            except BrokenProcessPool:
                raise _lost() from None

    def _processes(self) -> list[BaseProcess]:
        """The pool's worker processes (the executor keeps them in ``_processes``)."""
        found = getattr(self._executor, "_processes", None) or {}
        return list(found.values())


def _context() -> BaseContext:
    """fork where there is one: a worker starts at once, whatever the caller's main module.

    ``spawn`` re-imports the caller's main module in every worker (a script without a
    ``__main__`` guard would start payrolls recursively) and pays the ledger's imports
    again. A forked worker inherits the writer's open connections but never touches
    them: it only computes, and exits with ``os._exit`` (no finalizer closes them).
    The pool forks all its workers before it starts its own thread.
    """
    if "fork" in get_all_start_methods():
        return get_context("fork")
    return get_context("spawn")


def _lost() -> WorkerLostError:
    return WorkerLostError("a payroll worker process stopped before finishing its part; "
                           "the batch is left unfinished and nothing was paid twice: "
                           "run the payroll again")
