"""Files holding personal data: written owner-only (0600), atomically, never half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


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
