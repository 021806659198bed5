"""Files a clerk uploads (rosters, members and death lists, bank results).

Each is saved privately in the console's own work folder under a random name (keeping
only a known suffix, which tells CSV from XLSX), read by the same service as the command
line, and removed whatever happens. Its problems are shown under the name the clerk gave
it, never the server's path, with long numbers (ID, account) masked.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ledger.adapters.private_files import write_private_file
from ledger.adapters.problems import Problem
from ledger.console.web import Ctx
from ledger.domain.identity import mask_numbers

SUFFIXES = (".csv", ".xlsx", ".xml", ".txt")


@contextmanager
def uploaded(ctx: Ctx, field: str = "file") -> Iterator[tuple[str, Path] | None]:
    """(the clerk's file name, where it is saved) for the block, or None if none was sent."""
    if field not in ctx.files or not ctx.files[field][1]:
        yield None
        return
    filename, data = ctx.files[field]
    name = Path(filename).name or "upload"
    suffix = Path(name).suffix.lower()
    path = ctx.console.work_dir / f"{secrets.token_hex(8)}{suffix if suffix in SUFFIXES else ''}"
    write_private_file(path, data)
    try:
        yield name, path
    finally:
        path.unlink(missing_ok=True)


def shown(problems: Sequence[Problem], name: str, path: Path) -> list[dict[str, str | int]]:
    """The problems by row and column, under the uploaded file's own name, numbers masked."""
    return [{"file": name if p.file == str(path) else p.file, "row": p.row, "column": p.column,
             "problem": mask_numbers(p.problem)}
            for p in sorted(problems, key=lambda p: (p.row, p.column))]
