"""The command line's one progress bar: shown on a terminal, none when stderr is not one."""

from __future__ import annotations

import sys
from collections.abc import Callable


def progress(label: str) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """An ``update(done, total)`` callback (None off a terminal) and the ``stop`` to call."""
    if not sys.stderr.isatty():
        return None, lambda: None
    from rich.progress import Progress

    bar = Progress(transient=True)
    bar.start()
    task = bar.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return update, bar.stop
