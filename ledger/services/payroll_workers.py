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

from collections.abc import Iterator
from types import TracebackType
from typing import TypeVar

from ledger.adapters.worker_processes import OrderedPool, WorkerLost
from ledger.domain.errors import WorkerLostError
from ledger.services.payroll_parts import ComputedPart, PartInput, RunFacts, compute_part

K = TypeVar("K")

_FACTS: RunFacts | None = None


def _start_worker(facts: RunFacts) -> None:
    global _FACTS
    _FACTS = facts


def _compute(part: PartInput) -> ComputedPart:
    assert _FACTS is not None, "worker started without the run's facts"
    return compute_part(_FACTS, part)


class PartPool:
    """Computes parts in ``workers`` processes (or in this one, for one worker)."""

    def __init__(self, facts: RunFacts, workers: int) -> None:
        self.workers = max(1, workers)
        self._pool = OrderedPool(_compute, self.workers, _start_worker, (facts,))

    def __enter__(self) -> PartPool:
        self._pool.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._pool.__exit__(kind, error, tb)

    def computed(self, parts: Iterator[tuple[K, PartInput]]) -> Iterator[tuple[K, ComputedPart]]:
        """Each part's key and computed lines, in the order ``parts`` gives them."""
        try:
            yield from self._pool.results(parts)
        except WorkerLost:
            raise _lost() from None


def _lost() -> WorkerLostError:
    return WorkerLostError("a payroll worker process stopped before finishing its part; "
                           "the batch is left unfinished and nothing was paid twice: "
                           "run the payroll again")
