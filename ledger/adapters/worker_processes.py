"""Worker processes that compute for one writer: how they start, and how they end.

Python runs one thread of Python at a time, so the ledger's bulk work (a payroll's
parts, a catch-up's pages) is spread over processes. Two concerns are the same for every
such pool and live here (:class:`OrderedPool`): workers are forked, results come back
in the order the work was handed out, a worker whose writer died exits by itself, and a
worker that died is noticed instead of waited on.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any, Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")
K = TypeVar("K")


def default_workers() -> int:
    """One worker per core: the writer mostly waits on the database while they compute."""
    return os.cpu_count() or 1


def fork_context() -> BaseContext:
    """fork where there is one: a worker starts at once, whatever the caller's main module.

    ``spawn`` re-imports the caller's main module in every worker (a script without a
    ``__main__`` guard would start payrolls recursively) and pays the ledger's imports
    again. A forked worker inherits the writer's open connections but never touches
    them: it opens its own, and exits with ``os._exit`` (no finalizer closes the writer's).
    The pool forks all its workers before it starts its own thread.
    """
    if "fork" in get_all_start_methods():
        return get_context("fork")
    return get_context("spawn")


def watch_parent(parent: int) -> None:
    """Start the thread that ends this worker once ``parent`` (its writer) is gone."""
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """A worker whose writer died (SIGKILL) has nobody to hand its work to: it exits."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


class WorkerLost(RuntimeError):  # noqa: N818 - the caller turns it into its own domain error
    """A worker process stopped before handing back its work."""


class OrderedPool(Generic[In, Out]):
    """``work`` applied to items in ``workers`` forked processes, results in the items' order.

    At most ``2 × workers`` items are in flight, so memory stays bounded however many items
    there are. With one worker nothing is forked: ``work`` runs here. ``start(*args)`` runs
    first in each worker (its one-off setup, say opening its own connection); a worker
    also watches its writer and exits if the writer dies.

    A worker found dead raises :class:`WorkerLost`, never a hang; a failure of any kind
    stops the workers outright rather than waiting on a pool that may never answer.
    """

    def __init__(self, work: Callable[[In], Out], workers: int,
                 start: Callable[..., None] | None = None, args: tuple[Any, ...] = ()) -> None:
        self.work = work
        self.workers = max(1, workers)
        self.start = start
        self.args = args
        self._executor: ProcessPoolExecutor | None = None
        self._started = False

    def __enter__(self) -> OrderedPool[In, Out]:
        if self.workers > 1:
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=fork_context(), initializer=_start,
                initargs=(self.start, self.args, os.getpid()))
        elif self.start is not None:
            self.start(*self.args)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        executor = self._executor
        if executor is None:
            return
        if error is None:
            executor.shutdown(wait=True, cancel_futures=True)
            return
        processes = self._processes()
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.kill()
        for process in processes:
            process.join(timeout=5)

    def results(self, items: Iterable[tuple[K, In]]) -> Iterator[tuple[K, Out]]:
        """Each item's key and ``work``'s result, in the order ``items`` gives them."""
        if self._executor is None:
            for key, item in items:
                yield key, self.work(item)
            return
        window: deque[tuple[K, Future[Out]]] = deque()
        for key, item in items:
            if not self._started:
                # The first submit forks the workers. Frozen, the writer's objects are left
                # out of the workers' garbage collections: a collection walking them would
                # write to every page of the inherited heap and so copy all of it.
                gc.freeze()
                try:
                    window.append((key, self._submit(item)))
                finally:
                    gc.unfreeze()
                self._started = True
                continue
            window.append((key, self._submit(item)))
            if len(window) >= 2 * self.workers:
                done_key, future = window.popleft()
                yield done_key, self._result(future)
        while window:
            done_key, future = window.popleft()
            yield done_key, self._result(future)

    def _submit(self, item: In) -> Future[Out]:
        assert self._executor is not None
        try:
            return self._executor.submit(self.work, item)
        except BrokenProcessPool:
            raise WorkerLost() from None

    def _result(self, future: Future[Out]) -> Out:
        """The item's result; a worker found dead while waiting is lost work, never a hang.

        The pool itself notices a dead worker (BrokenProcessPool), but not always: a worker
        killed while it held the pool's task queue can leave the others, and this wait,
        blocked for good. So the wait looks at the workers every second itself.
        """
        while True:
            try:
                return future.result(timeout=1.0)
            except FutureTimeout:
                if any(process.exitcode is not None for process in self._processes()):
                    raise WorkerLost() from None
            except BrokenProcessPool:
                raise WorkerLost() from None

    def _processes(self) -> list[BaseProcess]:
        """The pool's worker processes (the executor keeps them in ``_processes``)."""
        found = getattr(self._executor, "_processes", None) or {}
        return list(found.values())


def _start(start: Callable[..., None] | None, args: tuple[Any, ...], parent: int) -> None:
    watch_parent(parent)
    if start is not None:
        start(*args)
