"""Tamper evidence (`ledger verify`) and the audit trail (`ledger audit`) on both backends."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import text

from ledger.cli.main import main
from ledger.domain.calendar import Month
from ledger.services.batches import approve_batch
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from tests import county


def _ledger(rt: Runtime, tmp_path: Path) -> None:
    county.set_standards(rt.app, by="clerk")
    rows = [county.row(1, "dibao"), county.row(2, "elderly", birth=date(1950, 2, 2))]
    assert not import_roster(rt, county.write(tmp_path / "r.csv", rows), county.TODAY,
                             "clerk").problems
    batch = run_payroll(rt, Month(2024, 1), "clerk")
    approve_batch(rt, batch.id, "chief")


def _events_table(rt: Runtime) -> tuple[str, str]:
    """The library's events table and its notification-order column on this backend."""
    if rt.settings.backend == "sqlite":
        return "stored_events", "rowid"
    return "ledger_events", "notification_id"


def test_verify_passes_on_an_untouched_ledger_and_finds_an_event_altered_in_the_database(
        rt: Runtime, tmp_path: Path) -> None:
    _ledger(rt, tmp_path)
    runner = CliRunner()
    ok = runner.invoke(main, ["verify", "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["ok"] is True
    # Someone edits the 5th stored event directly in the database.
    table, order = _events_table(rt)
    with rt.engine.begin() as conn:
        target = conn.execute(text(
            f"SELECT originator_id, originator_version FROM {table} "
            f"ORDER BY {order} LIMIT 1 OFFSET 4")).one()
        conn.execute(text(f"UPDATE {table} SET state = :s WHERE originator_id = :o AND "
                          "originator_version = :v"),
                     {"s": b'{"amount":99999999}', "o": target[0], "v": target[1]})
    bad = runner.invoke(main, ["verify", "--json"])
    assert bad.exit_code == 1
    data = json.loads(bad.stdout)
    assert data["ok"] is False
    assert data["first_bad_position"] is not None and "altered" in data["problem"]
    assert data["events"] == 4  # the first four still verify


def test_audit_lists_changes_since_a_date_by_user(rt: Runtime, tmp_path: Path) -> None:
    _ledger(rt, tmp_path)
    runner = CliRunner()
    everyone = json.loads(runner.invoke(main, ["audit", "--since", "2000-01-01", "--json"]).stdout)
    users = {e["user"] for e in everyone["entries"]}
    assert users == {"clerk", "chief"}
    chief = json.loads(runner.invoke(main, ["audit", "--since", "2000-01-01", "--user", "chief",
                                            "--json"]).stdout)["entries"]
    assert [e["event"] for e in chief] == ["Batch.Approved"]
    future = json.loads(runner.invoke(main, ["audit", "--since", "2999-01-01", "--json"]).stdout)
    assert future["entries"] == []
