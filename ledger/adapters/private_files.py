"""Files holding personal data: written owner-only (0600), atomically, never half-written."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def write_private_temp(path: Path, data: bytes) -> Path:
    """Write ``data`` to a new 0600 temp file beside ``path``; the caller renames it into place."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        os.chmod(tmp, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_private_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` with mode 0600 via a temp file in the same folder and a rename."""
    tmp = write_private_temp(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def open_private_temp(path: Path) -> Iterator[tuple[Path, BinaryIO]]:
    """A new 0600 temp file beside ``path``, open for writing; the caller renames it into place.

    For files too big to hold in memory (a province's bank file): write to the
    yielded file as you go. On leaving the block it is flushed and synced to
    disk; if the block raises, the temp file is removed and the error passes on.
    """
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            os.chmod(tmp, 0o600)
            yield tmp, f
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
