"""`ledger verify` finds a read model that no longer matches the log, and names what it finds."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from eventsourcing.cryptography import AESCipher
from sqlalchemy import text

from ledger.bootstrap import open_runtime
from ledger.cli.main import main
from ledger.services.runtime import Runtime
from tests.integration.test_integrity import _events_table, _ledger

SECRET = "6222020000000000666"


def verify() -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(main, ["verify", "--json"])
    return result.exit_code, json.loads(result.stdout), result.output


def a_payment(rt: Runtime) -> str:
    with rt.engine.connect() as conn:
        return conn.execute(text(
            "SELECT payment_id FROM rm_payments ORDER BY payment_id LIMIT 1")).scalar_one()


def test_an_untouched_ledger_matches_its_re_projection(rt: Runtime, tmp_path: Path) -> None:
    _ledger(rt, tmp_path)
    code, data, out = verify()
    assert code == 0, out
    assert data["read_model_ok"] is True and data["read_model_rows"] > 0
    assert data["read_model_differences"] == []


def test_an_edited_read_model_row_is_reported_by_table_row_and_column(
        rt: Runtime, tmp_path: Path) -> None:
    _ledger(rt, tmp_path)
    victim = a_payment(rt)
    with rt.engine.begin() as conn:
        conn.execute(text("UPDATE rm_payments SET bank_account = :a WHERE payment_id = :p"),
                     {"a": SECRET, "p": victim})
    code, data, out = verify()
    assert code == 1
    assert data["ok"] is False and data["read_model_ok"] is False
    assert data["first_bad_position"] is None  # the log itself is intact
    assert data["read_model_differences"] == [{
        "table": "rm_payments", "key": f"payment_id={victim}", "problem": "differs from the log",
        "columns": ["bank_account"]}]
    assert SECRET not in out
    text_out = CliRunner().invoke(main, ["verify"]).output
    assert "READ MODEL DIFFERS FROM THE LOG" in text_out and f"payment_id={victim}" in text_out


def test_deleted_and_inserted_read_model_rows_are_reported(rt: Runtime, tmp_path: Path) -> None:
    _ledger(rt, tmp_path)
    victim = a_payment(rt)
    with rt.engine.begin() as conn:
        conn.execute(text("UPDATE rm_payments SET payment_id = :n WHERE payment_id = :p"),
                     {"n": "f" * 32, "p": victim})
    code, data, _ = verify()
    assert code == 1
    problems = {(d["key"], d["problem"]) for d in data["read_model_differences"]
                if d["table"] == "rm_payments"}
    assert problems == {(f"payment_id={victim}", "row missing (deleted)"),
                        (f"payment_id={'f' * 32}", "row not in the log (inserted)")}


def test_verify_names_an_altered_events_aggregate_in_32_hex_digits(
        rt: Runtime, tmp_path: Path) -> None:
    _ledger(rt, tmp_path)
    table, order = _events_table(rt)
    with rt.engine.begin() as conn:
        oid, version = conn.execute(text(
            f"SELECT originator_id, originator_version FROM {table} ORDER BY {order} "
            "LIMIT 1 OFFSET 4")).one()
        conn.execute(text(f"UPDATE {table} SET state = :s WHERE originator_id = :o AND "
                          "originator_version = :v"), {"s": b"{}", "o": oid, "v": version})
    code, data, out = verify()
    assert code == 1
    assert re.fullmatch(r"[0-9a-f]{32}", data["first_bad_aggregate"])
    assert "altered" in data["problem"]


@pytest.mark.parametrize("offset", [4, -1], ids=["middle", "last"])
def test_verify_names_a_deleted_events_own_position(
        rt: Runtime, tmp_path: Path, offset: int) -> None:
    _ledger(rt, tmp_path)
    table, order = _events_table(rt)
    with rt.engine.begin() as conn:
        rows = conn.execute(text(
            f"SELECT {order}, originator_id, originator_version FROM {table} "
            f"ORDER BY {order}")).all()
        position, oid, version = rows[offset]
        conn.execute(text(f"DELETE FROM {table} WHERE originator_id = :o AND "
                          "originator_version = :v"), {"o": oid, "v": version})
    code, data, out = verify()
    assert code == 1
    assert data["first_bad_position"] == position, data
    assert "deleted" in data["problem"] and str(position) in data["problem"]


def test_an_encrypted_ledger_matches_its_re_projection(
        ledger_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = AESCipher.create_key(32)
    monkeypatch.setenv("LEDGER_CIPHER_KEY", key)
    rt = open_runtime(ledger_url, init=True, cipher_key=key)
    try:
        _ledger(rt, tmp_path)
        code, data, out = verify()
        assert code == 0, out
        victim = a_payment(rt)
        with rt.engine.begin() as conn:  # a plain value where a sealed one was: still a change
            conn.execute(text("UPDATE rm_payments SET name = '某人' WHERE payment_id = :p"),
                         {"p": victim})
        code, data, out = verify()
        assert code == 1 and data["read_model_differences"][0]["columns"] == ["name"]
    finally:
        rt.close()
