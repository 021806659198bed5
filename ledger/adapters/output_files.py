"""Where an output file (bank file, report) may go: the one gate every ``--out``/``--csv``/``--xlsx`` passes.

A path typed by a user can name anything: the ledger's own SQLite file, a
device such as ``/dev/full``, a directory, a FIFO, last month's bank file.
Files are written through a temp file and a rename (:mod:`ledger.adapters.private_files`),
and a rename replaces whatever directory entry was there, so each of those
would be silently destroyed. Hence, before any work and again at the rename:

- never the ledger's own database files (the SQLite file and its ``-wal``,
  ``-shm`` and ``-journal``), resolved through symlinks and hard links, even
  with ``--force``;
- only regular files: a device, directory or FIFO (or a symlink to one) is refused;
- an existing file only with ``--force``; without it the final step is a
  no-clobber hard link, so a file that appears meanwhile is not replaced either;
- a write that fails (a full disk) leaves nothing behind: the temp file is removed.

Every refusal is :class:`OutputFileError`, a ``ValueError``: bad input, exit 2.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from ledger.adapters.private_files import write_private_temp

LEDGER_FILE_SUFFIXES = ("", "-wal", "-shm", "-journal")
"""SQLite keeps a database in the file and, while it is open, in these companions."""


class OutputFileError(ValueError):
    """Raised when an output path is refused or the file could not be written (exit 2)."""


def ledger_files(settings: object) -> tuple[Path, ...]:
    """The ledger's own database files for these settings (none for PostgreSQL)."""
    env = getattr(settings, "event_store_env", {}) or {}
    name = env.get("SQLITE_DBNAME")
    if not name:
        return ()
    return tuple(Path(name + suffix) for suffix in LEDGER_FILE_SUFFIXES)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _is_protected(target: Path, protected: Iterable[Path]) -> bool:
    for p in protected:
        if target == Path(os.path.realpath(p)):
            return True
        try:
            if os.path.samefile(target, p):  # a hard link to the ledger is the ledger
                return True
        except OSError:
            continue
    return False


def check_output(path: Path, *, force: bool = False, protected: Sequence[Path] = ()) -> Path:
    """The real path to write ``path`` to (symlinks resolved), or :class:`OutputFileError`."""
    target = Path(os.path.realpath(path))
    if _is_protected(target, protected):
        raise OutputFileError(f"{path}: is the ledger's own database file; it is never "
                              "written over (not even with --force): choose another file")
    try:
        st = os.stat(target)
    except FileNotFoundError:
        if not target.parent.is_dir():
            raise OutputFileError(f"{path}: the folder {target.parent} does not exist") from None
        return target
    except OSError as exc:
        raise OutputFileError(f"{path}: cannot be checked: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise OutputFileError(f"{path}: is {_kind(st.st_mode)}, not a regular file; "
                              "give the path of a file to write")
    if not force:
        raise OutputFileError(f"{path}: already exists; give --force to replace it")
    return target


def place_output(tmp: Path, target: Path, *, force: bool = False,
                 protected: Sequence[Path] = ()) -> None:
    """Move the finished temp file to ``target``, re-checking it first; ``tmp`` is gone after."""
    try:
        check_output(target, force=force, protected=protected)
        if force:
            os.replace(tmp, target)
            return
        try:
            os.link(tmp, target)  # fails if anything appeared at target meanwhile
        except FileExistsError:
            raise OutputFileError(f"{target}: already exists; give --force to replace it") from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV,
                                 errno.EMLINK):
                raise
            os.replace(tmp, target)  # a file system without hard links: checked just above
    finally:
        tmp.unlink(missing_ok=True)


def write_output(path: Path, data: bytes, *, force: bool = False,
                 protected: Sequence[Path] = ()) -> Path:
    """Write ``data`` to ``path`` (0600, atomically) under the rules above; return where."""
    target = check_output(path, force=force, protected=protected)
    try:
        tmp = write_private_temp(target, data)
    except OSError as exc:
        raise OutputFileError(f"{path}: cannot write: {exc.strerror or exc}; "
                              "nothing was written") from None
    try:
        place_output(tmp, target, force=force, protected=protected)
    except OSError as exc:
        raise OutputFileError(f"{path}: cannot write: {exc.strerror or exc}; "
                              "nothing was written") from None
    return target


def check_outputs(paths: Iterable[Path | None], *, force: bool,
                  protected: Sequence[Path]) -> None:
    """Check every output of a command before any work, so none is written if one is refused."""
    for path in paths:
        if path is not None:
            check_output(path, force=force, protected=protected)
