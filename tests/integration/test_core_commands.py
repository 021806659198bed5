"""Ledger core through the CLI on both backends: init, standards, roster import, case show."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.bootstrap import open_runtime
from ledger.cli.main import main
from ledger.domain import ids
from ledger.domain.identity import generate_id_number
from tests import county


def run(*args: str, by: str = "clerk") -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={"LEDGER_USER": by})
    return result.exit_code, result.stdout, result.stderr


def event_count(url: str) -> int:
    rt = open_runtime(url)
    try:
        return rt.app.recorder.max_notification_id() or 0
    finally:
        rt.close()


@pytest.fixture
def ledger(ledger_url: str) -> str:
    code, out, err = run("init")
    assert code == 0, err
    return ledger_url


def test_init_is_safe_to_run_twice(ledger: str) -> None:
    code, out, err = run("init")
    assert code == 0, err
    assert "ledger ready" in out


def test_command_before_init_says_to_run_init(ledger_url: str) -> None:
    code, _, err = run("standard", "list")
    assert code == 2
    assert "ledger init" in err


def test_standard_set_then_list_shows_monthly_from_yearly(ledger: str) -> None:
    code, _, err = run("standard", "set", "dibao", "--category", "rural", "--amount", "5316",
                       "--per", "year", "--from", "2024-01-01", "--ref", "县民政发〔2024〕1号")
    assert code == 0, err
    code, out, _ = run("standard", "list", "--on", "2024-06-01", "--json")
    standards = json.loads(out)["standards"]
    assert standards == [{
        "programme": "dibao", "category": "rural", "amount": "5316.00", "per": "year",
        "monthly": "443.00", "from": "2024-01-01", "ref": "县民政发〔2024〕1号", "forced": False,
        "recorded_at": standards[0]["recorded_at"],
    }]


def test_tekun_basic_below_1_3_times_dibao_is_refused_unless_forced(ledger: str) -> None:
    run("standard", "set", "dibao", "--category", "rural", "--amount", "500", "--per", "month",
        "--from", "2024-01-01")
    before = event_count(ledger)
    # 1.3 × 500.00 = 650.00; 649.99 is below.
    code, _, err = run("standard", "set", "tekun", "--category", "basic:rural", "--amount",
                       "649.99", "--per", "month", "--from", "2024-01-01")
    assert code == 1
    assert "1.3" in err and "--force" in err
    assert event_count(ledger) == before
    code, _, _ = run("standard", "set", "tekun", "--category", "basic:rural", "--amount",
                     "650.00", "--per", "month", "--from", "2024-01-01")
    assert code == 0
    code, _, err = run("standard", "set", "tekun", "--category", "basic:rural", "--amount",
                       "600", "--per", "month", "--from", "2024-02-01", "--force")
    assert code == 0
    assert "WARNING" in err
    code, out, _ = run("standard", "list", "--on", "2024-02-01", "--json")
    tekun = [s for s in json.loads(out)["standards"] if s["programme"] == "tekun"]
    assert tekun[0]["amount"] == "600.00" and tekun[0]["forced"] is True


def test_unknown_category_is_bad_input(ledger: str) -> None:
    code, _, err = run("standard", "set", "dibao", "--category", "suburban", "--amount", "1",
                       "--per", "month", "--from", "2024-01-01")
    assert code == 2
    assert "suburban" in err


def test_unknown_policy_key_is_bad_input(ledger: str) -> None:
    code, _, err = run("policy", "set", "graduation.years", "3")
    assert code == 2 and "graduation.years" in err


def test_roster_import_records_cases_and_a_reimport_records_nothing(ledger: str, tmp_path: Path) -> None:
    f = county.write(tmp_path / "roster.csv", [county.row(1, "dibao"), county.row(2, "tekun"),
                                              county.row(3, "elderly", birth=date(1950, 1, 1))],
                     encoding="gbk")
    code, out, err = run("roster", "import", str(f), "--today", "2024-12-31")
    assert code == 0, err
    assert "enrolled 3" in out
    after_first = event_count(ledger)
    code, out, err = run("roster", "import", str(f), "--today", "2024-12-31")
    assert code == 0, err
    assert "3 already on the ledger" in out
    assert event_count(ledger) == after_first


def test_dry_run_validates_but_records_nothing(ledger: str, tmp_path: Path) -> None:
    f = county.write(tmp_path / "roster.csv", [county.row(1, "dibao")])
    before = event_count(ledger)
    code, out, _ = run("roster", "import", str(f), "--dry-run", "--today", "2024-12-31")
    assert code == 0
    assert event_count(ledger) == before


BAD_ROWS = [
    ("id_number", lambda r: r.update(id_number=r["id_number"][:-1] + ("0" if r["id_number"][-1] != "0" else "1")),
     "wrong check digit"),
    ("bank_account", lambda r: r.update(bank_account=r["bank_account"][:-1] + str((int(r["bank_account"][-1]) + 1) % 10)),
     "Luhn"),
    ("programme", lambda r: r.update(programme="housing"), "unknown programme"),
    ("start_month", lambda r: r.update(start_month="2024-13"), ""),
    ("household_size", lambda r: r.update(household_size="zero"), ""),
]


@pytest.mark.parametrize("column,spoil,words", BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_a_bad_row_is_reported_by_file_row_and_column_and_nothing_is_recorded(
        ledger: str, tmp_path: Path, column: str, spoil, words: str) -> None:
    good = county.row(1, "dibao")
    bad = county.row(2, "dibao")
    spoil(bad)
    f = county.write(tmp_path / "bad.csv", [good, bad], chinese=False)
    before = event_count(ledger)
    code, _, err = run("roster", "import", str(f), "--today", "2024-12-31")
    assert code == 2
    assert f"{f}:3: {column}: " in err
    assert words.lower() in err.lower()
    assert event_count(ledger) == before
    # the full ID number never appears in a message
    assert bad["id_number"] not in err and good["id_number"] not in err


def test_a_person_already_in_tekun_cannot_be_imported_into_dibao(ledger: str, tmp_path: Path) -> None:
    run("roster", "import", str(county.write(tmp_path / "a.csv", [county.row(7, "tekun")])),
        "--today", "2024-12-31")
    before = event_count(ledger)
    f = county.write(tmp_path / "b.csv", [county.row(8, "dibao"), county.row(7, "dibao")])
    code, _, err = run("roster", "import", str(f), "--today", "2024-12-31")
    assert code == 1  # a business rule refuses it; the file itself is well formed
    assert f"{f}:3: id_number:" in err and "tekun" in err
    assert event_count(ledger) == before


def test_a_row_re_admitting_an_ended_case_is_refused_not_counted_as_already_there(
        ledger: str, tmp_path: Path) -> None:
    """Person 1's dibao ends from 2024-04; a new roster row admits them again from 2024-09.
    The ledger keeps one case per person and programme and cannot re-admit: it says so (exit 1,
    nothing recorded) instead of counting the row as already on the ledger and paying nothing.
    The original row imported again is still just "already"."""
    first = county.write(tmp_path / "a.csv", [county.row(1, "dibao")])
    assert run("roster", "import", str(first), "--today", "2024-12-31")[0] == 0
    case = ids.case_id(county.person(1), "dibao").hex
    assert run("case", "exit", case, "--from", "2024-04", "--reason", "收入超标")[0] == 0
    before = event_count(ledger)
    again = county.write(tmp_path / "b.csv", [county.row(2, "dibao"), county.row(
        1, "dibao", start_month="2024-09", household_size=2, income_per_capita="100.00")])
    code, out, err = run("roster", "import", str(again), "--today", "2024-12-31")
    assert code == 1, (out, err)
    assert f"{again}:3: start_month:" in err and "ended from 2024-04" in err
    assert county.person(1) not in err and event_count(ledger) == before
    code, out, err = run("roster", "import", str(first), "--today", "2024-12-31")
    assert code == 0 and "1 already on the ledger" in out, (out, err)
    assert event_count(ledger) == before


def test_case_show_never_prints_an_id_or_account_number_unmasked(ledger: str, tmp_path: Path) -> None:
    r = county.row(11, "dibao")
    run("roster", "import", str(county.write(tmp_path / "r.csv", [r])), "--today", "2024-12-31")
    for args in (["case", "show", r["id_number"]], ["case", "show", r["id_number"], "--json"]):
        code, out, err = run(*args)
        assert code == 0, err
        assert r["id_number"] not in out and r["bank_account"] not in out
        assert r["id_number"][:4] + "*" * 10 + r["id_number"][-4:] in out
        assert r["bank_account"][-4:] in out
    data = json.loads(run("case", "show", r["id_number"], "--json", "--month", "2024-03")[1])
    assert data["cases"][0]["programme"] == "dibao"
    assert data["cases"][0]["status"] == "in_payment"


def test_case_show_of_an_unknown_person_is_bad_input(ledger: str) -> None:
    code, _, err = run("case", "show", generate_id_number("110101", date(1980, 1, 1), 5))
    assert code == 2
    assert "no case" in err


def test_repeating_the_same_case_update_records_nothing_the_second_time(
        ledger: str, tmp_path: Path) -> None:
    r = county.row(21, "dibao")
    run("roster", "import", str(county.write(tmp_path / "r.csv", [r])), "--today", "2024-12-31")
    case_id = json.loads(run("case", "show", r["id_number"], "--json")[1])["cases"][0]["case_id"]
    code, out, err = run("case", "update", case_id, "--from", "2024-03", "--income", "150")
    assert code == 0, err
    after_first = event_count(ledger)
    code, out, err = run("case", "update", case_id, "--from", "2024-03", "--income", "150")
    assert code == 0, err
    assert "unchanged" in out
    assert event_count(ledger) == after_first


def test_a_read_command_on_a_missing_sqlite_ledger_leaves_no_file(tmp_path: Path,
                                                                  monkeypatch) -> None:
    db = tmp_path / "nothing.db"
    monkeypatch.setenv("LEDGER_DATABASE_URL", f"sqlite:///{db}")
    code, _, err = run("payroll", "list")
    assert code == 2 and "ledger init" in err
    assert not db.exists()
