"""Worker processes that compute for one writer: how they start, and how they end.

Python runs one thread of Python at a time, so the ledger's bulk work (a payroll's
parts, a catch-up's pages) is spread over processes. Two concerns are the same for every
such pool and live here (:class:`OrderedPool`): workers are forked, results come back
in the order the work was handed out, a worker whose writer died exits by itself, and a
worker that died is noticed instead of waited on.

``concurrent.futures.ProcessPoolExecutor`` was used first and dropped: when a worker is
killed while the pool's feeder thread is writing to it, the pool's manager thread can block
for good joining that feeder, and the interpreter joins the manager thread at exit — the
writer then never exits (seen in CI, under load, in the worker-kill test). Here each worker
has its own pair of pipes and the only threads are daemon senders: nothing at exit waits on
a worker.
"""

from __future__ import annotations

import gc
import os
import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
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


_STOP = None
"""What a worker is sent when there is no more work."""
_LOST = object()
"""What the receiving thread hands on when its worker's pipe ends."""


class OrderedPool(Generic[In, Out]):
    """``work`` applied to items in ``workers`` forked processes, results in the items' order.

    Items are dealt to the workers in turn and each worker answers its own in order, so the
    results come back in the items' order. At most ``2 × workers`` items are in flight, so
    memory stays bounded however many items there are. With one worker nothing is forked:
    ``work`` runs here. ``start(*args)`` runs first in each worker (its one-off setup, say
    opening its own connection); a worker also watches its writer and exits if it dies.

    An exception raised by ``work`` is raised here, as itself. A worker found dead raises
    :class:`WorkerLost`, never a hang; a failure of any kind kills the workers outright.
    """

    def __init__(self, work: Callable[[In], Out], workers: int,
                 start: Callable[..., None] | None = None, args: tuple[Any, ...] = ()) -> None:
        self.work = work
        self.workers = max(1, workers)
        self.start = start
        self.args = args
        self._workers: list[_Worker] = []

    def __enter__(self) -> OrderedPool[In, Out]:
        if self.workers == 1 and self.start is not None:
            self.start(*self.args)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        if error is None:
            for worker in self._workers:
                worker.stop()
            for worker in self._workers:
                worker.join()
        for worker in self._workers:
            worker.kill()  # after a failure at once; after success only one that did not stop
        self._workers = []

    def results(self, items: Iterable[tuple[K, In]]) -> Iterator[tuple[K, Out]]:
        """Each item's key and ``work``'s result, in the order ``items`` gives them."""
        if self.workers == 1:
            for key, item in items:
                yield key, self.work(item)
            return
        window: deque[tuple[K, _Worker]] = deque()
        for n, (key, item) in enumerate(items):
            if not self._workers:
                self._fork()
            worker = self._workers[n % self.workers]
            worker.submit(item)
            window.append((key, worker))
            if len(window) >= 2 * self.workers:
                done_key, done = window.popleft()
                yield done_key, done.result()
        while window:
            done_key, done = window.popleft()
            yield done_key, done.result()

    def _fork(self) -> None:
        # Frozen, the writer's objects are left out of the workers' garbage collections: a
        # collection walking them would write to every page of the inherited heap and so
        # copy all of it.
        gc.freeze()
        try:
            context, parent = fork_context(), os.getpid()
            self._workers = [_Worker(context, self.work, self.start, self.args, parent)
                             for _ in range(self.workers)]
        finally:
            gc.unfreeze()


class _Worker:
    """One worker process, its two pipes, and the daemon thread that feeds it."""

    def __init__(self, context: BaseContext, work: Callable[[Any], Any],
                 start: Callable[..., None] | None, args: tuple[Any, ...], parent: int) -> None:
        their_inbox, self._inbox = context.Pipe(duplex=False)
        self._outbox, their_outbox = context.Pipe(duplex=False)
        self.process = context.Process(  # type: ignore[attr-defined]
            target=_serve, args=(their_inbox, their_outbox, work, start, args, parent),
            daemon=True)
        self.process.start()
        their_inbox.close()
        their_outbox.close()
        # Items go through a thread: a large item blocks its write until the worker reads it,
        # and the writer must meanwhile be free to read results (or both would wait).
        self._items: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._sender = threading.Thread(target=self._send_items, daemon=True)
        self._sender.start()

    def _send_items(self) -> None:
        while True:
            item = self._items.get()
            try:
                self._inbox.send(item)
            except Exception:  # noqa: BLE001 - gone (EPIPE) or closed under it: result() says so
                return
            if item is _STOP:
                return

    def submit(self, item: Any) -> None:
        self._items.put(item)

    def result(self) -> Any:
        """The worker's next result; its death is :class:`WorkerLost`, looked for each second."""
        while not self._outbox.poll(1.0):
            if self.process.exitcode is not None and not self._outbox.poll(0):
                raise WorkerLost()
        try:
            ok, value = self._outbox.recv()
        except (EOFError, OSError):
            raise WorkerLost() from None
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        self._items.put(_STOP)

    def join(self) -> None:
        self._sender.join(timeout=10)
        self.process.join(timeout=10)

    def kill(self) -> None:
        if self.process.exitcode is None:
            self.process.kill()
            self.process.join(timeout=5)
        # The sender may be mid-write: with its reader dead the write fails and it returns.
        # Only then are the pipes closed, never under its feet.
        self._items.put(_STOP)
        self._sender.join(timeout=5)
        self._inbox.close()
        self._outbox.close()


def _serve(inbox: Connection, outbox: Connection, work: Callable[[Any], Any],
           start: Callable[..., None] | None, args: tuple[Any, ...], parent: int) -> None:
    """A worker's life: set up, then answer each item until told to stop (or orphaned)."""
    watch_parent(parent)
    failed: BaseException | None = None
    try:
        if start is not None:
            start(*args)
    except Exception as e:  # noqa: BLE001 - handed to the writer with the first item
        failed = e
    try:
        while True:
            try:
                item = inbox.recv()
            except (EOFError, OSError):
                break
            if item is _STOP:
                break
            answer: tuple[bool, Any]
            try:
                if failed is not None:
                    raise failed
                answer = (True, work(item))
            except Exception as e:  # noqa: BLE001 - raised again in the writer
                answer = (False, e)
            try:
                outbox.send(answer)
            except (OSError, ValueError):
                break
            except Exception as e:  # noqa: BLE001 - an exception that does not pickle
                outbox.send((False, RuntimeError(f"{type(e).__name__}: {e}")))
    finally:
        os._exit(0)  # nothing of the writer's inherited state is finalised here
