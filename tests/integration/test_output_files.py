"""Output files (bank files, reports) never replace the ledger, a device or, without --force, a file."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from uuid import UUID

import pytest

from ledger.adapters.output_files import OutputFileError, ledger_files, write_output
from ledger.services.runtime import Runtime
from tests.integration.test_bank_roundtrip import JAN, approved, enrol, events, run


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- the writer itself ---------------------------------------------------------------------
def test_an_existing_file_is_replaced_only_with_force(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    out.write_bytes(b"last month")
    with pytest.raises(OutputFileError, match="already exists; give --force"):
        write_output(out, b"new")
    assert out.read_bytes() == b"last month"
    write_output(out, b"new", force=True)
    assert out.read_bytes() == b"new"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


@pytest.mark.parametrize("kind", ["directory", "fifo", "symlink to /dev/full", "symlink to dir"])
def test_only_regular_files_are_written_even_with_force(tmp_path: Path, kind: str) -> None:
    out = tmp_path / "out.csv"
    if kind == "directory":
        out.mkdir()
    elif kind == "fifo":
        os.mkfifo(out)
    elif kind == "symlink to /dev/full":
        out.symlink_to("/dev/full")
    else:
        (tmp_path / "d").mkdir()
        out.symlink_to(tmp_path / "d")
    before = os.lstat(out)
    with pytest.raises(OutputFileError, match="not a regular file"):
        write_output(out, b"data", force=True)
    after = os.lstat(out)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert _leftovers(tmp_path) == []


def test_the_ledger_database_files_are_never_written_over(tmp_path: Path) -> None:
    db = tmp_path / "ledger.db"
    db.write_bytes(b"SQLite format 3\x00")
    (tmp_path / "link.csv").symlink_to(db)
    os.link(db, tmp_path / "hard.csv")

    class Settings:
        event_store_env = {"SQLITE_DBNAME": str(db)}

    protected = ledger_files(Settings())
    for path in (db, tmp_path / "ledger.db-wal", tmp_path / "ledger.db-shm",
                 tmp_path / "link.csv", tmp_path / "hard.csv", tmp_path / "." / "ledger.db"):
        with pytest.raises(OutputFileError, match="ledger's own database"):
            write_output(path, b"x", force=True, protected=protected)
    assert db.read_bytes() == b"SQLite format 3\x00"
    assert not (tmp_path / "ledger.db-wal").exists()


def test_a_full_disk_is_a_clear_error_and_leaves_nothing(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("ledger.adapters.private_files.os.fsync", no_space)
    out = tmp_path / "r.csv"
    with pytest.raises(OutputFileError, match="No space left on device; nothing was written"):
        write_output(out, b"x" * 1000)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(OutputFileError, match="does not exist"):
        write_output(tmp_path / "nope" / "r.csv", b"x")


# --- through the commands, on both backends -------------------------------------------------
@pytest.fixture
def january(rt: Runtime, tmp_path: Path) -> UUID:
    enrol(rt, tmp_path)
    return approved(rt, JAN)


def _sqlite_file(rt: Runtime) -> Path | None:
    name = rt.settings.event_store_env.get("SQLITE_DBNAME")
    return Path(name) if name else None


def test_bank_export_refuses_an_existing_file_without_force(rt: Runtime, january: UUID,
                                                            tmp_path: Path) -> None:
    out = tmp_path / "jan.csv"
    out.write_bytes(b"someone's spreadsheet")
    before = events(rt)
    code, _, err = run("bankfile", "export", january.hex, "--format", "csv", "--out", str(out),
                       by="cashier")
    assert code == 2, err
    assert "already exists; give --force" in err and "Traceback" not in err
    assert out.read_bytes() == b"someone's spreadsheet"
    assert events(rt) == before  # not recorded as exported
    code, _, err = run("bankfile", "export", january.hex, "--format", "csv", "--out", str(out),
                       "--force", by="cashier")
    assert code == 0, err
    assert out.read_bytes().startswith("序号".encode("gbk"))


def test_bank_export_and_reports_never_overwrite_the_ledger(rt: Runtime, january: UUID,
                                                            tmp_path: Path) -> None:
    db = _sqlite_file(rt)
    if db is None:
        pytest.skip("PostgreSQL keeps no ledger file to protect")
    digest = db.read_bytes()
    before = events(rt)
    for args in (("bankfile", "export", january.hex, "--format", "csv", "--out", str(db),
                  "--force"),
                 ("report", "funds", "--year", "2024", "--csv", str(db), "--force"),
                 ("report", "roster", "--month", "2024-01", "--xlsx", str(db), "--force")):
        code, _, err = run(*args, by="cashier")
        assert code == 2, (args, err)
        assert "ledger's own database" in err
    assert db.read_bytes() == digest
    assert events(rt) == before


def test_report_refuses_a_device_and_an_existing_file(rt: Runtime, january: UUID,
                                                      tmp_path: Path) -> None:
    device = tmp_path / "full.xlsx"
    device.symlink_to("/dev/full")
    code, _, err = run("report", "funds", "--year", "2024", "--xlsx", str(device), "--force")
    assert code == 2 and "is a device, not a regular file" in err
    assert device.is_symlink()
    existing = tmp_path / "roster.csv"
    existing.write_text("keep me")
    code, _, err = run("report", "roster", "--month", "2024-01", "--csv", str(existing))
    assert code == 2 and "already exists" in err
    assert existing.read_text() == "keep me"
    code, _, err = run("report", "roster", "--month", "2024-01", "--csv", str(existing),
                       "--force")
    assert code == 0, err
    assert existing.read_text(encoding="utf-8-sig") != "keep me"


def test_bank_export_onto_a_full_disk_exits_2_and_leaves_nothing(
        rt: Runtime, january: UUID, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("ledger.adapters.private_files.os.fsync", no_space)
    folder = tmp_path / "out"
    folder.mkdir()
    before = events(rt)
    code, _, err = run("bankfile", "export", january.hex, "--format", "csv", "--out",
                       str(folder / "jan.csv"), by="cashier")
    assert code == 2, err
    assert "No space left on device" in err and "Traceback" not in err
    assert list(folder.iterdir()) == []
    assert events(rt) == before
