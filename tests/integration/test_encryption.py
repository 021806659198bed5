"""With LEDGER_CIPHER_KEY set, no ID or account number is stored in plaintext anywhere."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, text

from ledger.adapters.sealing import CipherKeyError
from ledger.bootstrap import open_runtime
from ledger.cli.main import main
from tests import county

KEY = "w41pO+pUX1YNl59191VfLXtiTtIGnIlzs252MuCOTtY="
OTHER_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="


def _run_a_month(tmp_path: Path, key: str) -> list[dict]:
    env = {"LEDGER_CIPHER_KEY": key}
    runner = CliRunner()
    rows = [county.row(1, "dibao"), county.row(2, "tekun"), county.row(3, "orphan", birth=date(2012, 6, 1))]
    f = county.write(tmp_path / "r.csv", rows)
    assert runner.invoke(main, ["init"], env=env).exit_code == 0
    rt = open_runtime(cipher_key=key)
    county.set_standards(rt.app)
    rt.close()
    for args, by in ((["roster", "import", str(f), "--today", "2024-12-31"], "clerk"),
                     (["payroll", "run", "--month", "2024-01"], "clerk")):
        result = runner.invoke(main, args, env=env | {"LEDGER_USER": by})
        assert result.exit_code == 0, result.output
    return rows


def _secrets(rows: list[dict]) -> list[bytes]:
    return [r[k].encode() for r in rows for k in ("id_number", "bank_account")]


def _stored_bytes(ledger_url: str, key: str = KEY) -> bytes:
    """Everything the database holds: the raw SQLite files, or every PostgreSQL table's rows."""
    if ledger_url.startswith("sqlite"):
        db = Path(ledger_url[len("sqlite:///"):])
        return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    rt = open_runtime(cipher_key=key)
    try:
        with rt.engine.connect() as conn:
            return "".join(
                str(row) for table in inspect(conn).get_table_names()
                for row in conn.execute(text(f'SELECT * FROM "{table}"'))
            ).encode()
    finally:
        rt.close()


def test_no_id_or_account_number_is_stored_in_plaintext_when_the_key_is_set(
        ledger_url: str, tmp_path: Path) -> None:
    rows = _run_a_month(tmp_path, KEY)
    stored = _stored_bytes(ledger_url)
    assert len(stored) > 5_000
    for secret in _secrets(rows):
        assert secret not in stored
    # and the ledger still reads them back with the key
    result = CliRunner().invoke(main, ["case", "show", rows[0]["id_number"], "--json"],
                                env={"LEDGER_CIPHER_KEY": KEY})
    assert result.exit_code == 0 and rows[0]["bank_account"][-4:] in result.stdout


def test_without_a_key_the_same_roster_is_stored_in_plaintext(ledger_url: str,
                                                              tmp_path: Path) -> None:
    """The check above can fail: without the key the numbers are there to be found."""
    rows = _run_a_month(tmp_path, "")
    stored = _stored_bytes(ledger_url, key="")
    assert any(secret in stored for secret in _secrets(rows))


def test_a_missing_or_wrong_key_is_refused_clearly(ledger_url: str, tmp_path: Path) -> None:
    _run_a_month(tmp_path, KEY)
    runner = CliRunner()
    missing = runner.invoke(main, ["payroll", "list"], env={"LEDGER_CIPHER_KEY": ""})
    assert missing.exit_code == 2 and "set LEDGER_CIPHER_KEY" in missing.stderr
    wrong = runner.invoke(main, ["payroll", "list"], env={"LEDGER_CIPHER_KEY": OTHER_KEY})
    assert wrong.exit_code == 2 and "not the key" in wrong.stderr
    with pytest.raises(CipherKeyError):
        open_runtime(cipher_key="not base64!")
