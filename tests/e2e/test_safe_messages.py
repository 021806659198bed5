"""No password, key or full number in any message; no traceback for any expected failure.

`ledger init` names the database without its password; a bad URL, an unreachable
server or a missing database is one clear line and exit 2; Ctrl-C is one line and
exit 130; anything unexpected is ``internal error`` (exit 70) with its text masked;
and under ``--json`` every error is JSON on stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ledger.cli.main import main
from ledger.domain.safe_text import safe_url, scrub
from ledger.services import payroll_run
from tests.databases import PG_ADMIN
from tests.integration.test_maker_checker import cli, events_recorded, ledger, run_month

__all__ = ["ledger"]

PASSWORD = "s3cret-Pw9"
ID_NUMBER = "11010519491231002X"


def with_password(url: str) -> str:
    """The same PostgreSQL URL with a password (the test server trusts, so it is ignored)."""
    scheme, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    return f"{scheme}://{user}:{PASSWORD}@{host}"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def test_safe_url_hides_only_the_password() -> None:
    assert safe_url(f"postgresql://clerk:{PASSWORD}@db:5432/ledger") == \
        "postgresql://clerk:***@db:5432/ledger"
    assert safe_url("postgresql://clerk@db/ledger") == "postgresql://clerk@db/ledger"
    assert safe_url("sqlite:////var/lib/ledger.db") == "sqlite:////var/lib/ledger.db"
    assert PASSWORD not in safe_url(f"postgresql://u@h/db?password={PASSWORD}&sslmode=require")
    assert PASSWORD not in safe_url(f"postgresql://u:{PASSWORD}@[broken/db")


def test_scrub_masks_passwords_keys_and_long_numbers() -> None:
    text = scrub(f"host=h password={PASSWORD} postgres://a:{PASSWORD}@h/d id {ID_NUMBER} "
                 "card 6222021234567890123")
    assert PASSWORD not in text and ID_NUMBER not in text and "6222021234567890123" not in text
    assert "1101**********002X" in text


def test_init_on_postgresql_never_prints_the_password(ledger_url: str) -> None:
    if not ledger_url.startswith("postgresql"):
        pytest.skip("a password is a PostgreSQL matter")
    url = with_password(ledger_url)
    result = run("init", env={"LEDGER_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert safe_url(url) in result.stdout and ":***@" in result.stdout


@pytest.mark.parametrize("url", [
    f"mysql://clerk:{PASSWORD}@db/ledger",
    f"postgresql://clerk:{PASSWORD}@127.0.0.1:5432/",
    f"postgresql://clerk:{PASSWORD}@127.0.0.1:notaport/ledger",
])
def test_a_bad_url_is_bad_input_without_its_password(url: str) -> None:
    result = run("init", env={"LEDGER_DATABASE_URL": url})
    assert result.exit_code == 2, result.output
    assert PASSWORD not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def _subprocess(*args: str, url: str, extra: dict[str, str] | None = None
                ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env |= {"LEDGER_DATABASE_URL": url} | (extra or {})
    return subprocess.run([sys.executable, "-m", "ledger.cli.main", *args], env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("command", [["init"], ["payroll", "list"]])
def test_an_unreachable_server_is_a_clear_message_not_a_traceback(command: list[str]) -> None:
    done = _subprocess(*command, url=f"postgresql://clerk:{PASSWORD}@127.0.0.1:1/ledger")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and PASSWORD not in done.stderr + done.stdout
    assert "cannot reach the database postgresql://clerk:***@127.0.0.1:1/ledger" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_missing_postgresql_database_is_a_clear_message() -> None:
    from tests.databases import PG_PROBLEM

    if PG_PROBLEM:
        pytest.skip(PG_PROBLEM)
    url = with_password(PG_ADMIN.rsplit("/", 1)[0] + "/ledger_no_such_database")
    done = _subprocess("init", url=url)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and PASSWORD not in done.stderr
    assert 'database "ledger_no_such_database" does not exist' in done.stderr
    assert "createdb" in done.stderr


def test_ctrl_c_is_one_line_and_exit_130_and_records_nothing(ledger: str, monkeypatch) -> None:
    before = events_recorded(ledger)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(payroll_run, "run_payroll", interrupted)
    result = cli("payroll", "run", "--month", "2024-01", "--by", "clerk")
    assert result.exit_code == 130
    assert result.stderr.startswith("interrupted:") and len(result.stderr.splitlines()) == 1
    assert events_recorded(ledger) == before


def _crash(*args: object, **kwargs: object) -> None:
    raise RuntimeError(f"unexpected state for {ID_NUMBER} account 6222021234567890123")


def test_an_unexpected_error_is_a_masked_internal_error(ledger: str, monkeypatch) -> None:
    monkeypatch.setattr(payroll_run, "run_payroll", _crash)
    result = cli("payroll", "run", "--month", "2024-01", "--by", "clerk")
    assert result.exit_code == 70
    assert "internal error: RuntimeError: unexpected state for 1101**********002X" in result.stderr
    assert ID_NUMBER not in result.output and "6222021234567890123" not in result.output
    assert "Traceback" not in result.output

    debug = cli("payroll", "run", "--month", "2024-01", "--by", "clerk",
                env={"LEDGER_DEBUG": "1"})
    assert debug.exit_code == 70
    assert "Traceback" in debug.stderr and "_crash" in debug.stderr
    assert ID_NUMBER not in debug.output


def test_json_errors_are_json_on_stdout_with_the_exit_code(ledger: str) -> None:
    missing = cli("payroll", "show", "0" * 32, "--json")
    assert missing.exit_code == 2
    assert json.loads(missing.stdout) == {"error": json.loads(missing.stdout)["error"], "exit": 2}
    assert missing.stderr == ""

    bad = cli("payroll", "show", "nonsense", "--json")
    assert bad.exit_code == 2 and json.loads(bad.stdout)["exit"] == 2

    batch = run_month()
    assert cli("payroll", "approve", batch["batch_id"], "--by", "checker").exit_code == 0
    refused = cli("payroll", "run", "--month", "2024-01", "--by", "clerk", "--json")
    assert refused.exit_code == 1
    body = json.loads(refused.stdout)
    assert body["exit"] == 1 and "approved month is never changed" in body["error"]

    usage = cli("payroll", "list", "--json", "--no-such-option")
    assert usage.exit_code == 2 and json.loads(usage.stdout)["exit"] == 2


@pytest.mark.parametrize("args", [
    ["standard", "list", "--on", "2024-13-01"],
    ["case", "show", "110105194912310021"],
    ["payroll", "run", "--month", "2024-13"],
    ["payroll", "list", "--month", "2024-13"],
    ["payroll", "show", "nonsense"],
    ["trace", "0" * 32],
    ["report", "funds", "--year", "abc"],
    ["audit", "--since", "bad"],
])
def test_every_json_command_answers_errors_in_json(ledger: str, args: list[str]) -> None:
    result = cli(*args, "--json")
    assert result.exit_code == 2, result.output
    body = json.loads(result.stdout)
    assert set(body) == {"error", "exit"} and body["exit"] == result.exit_code
    assert ID_NUMBER not in result.output


def test_the_json_error_helper_is_used_where_it_matters(tmp_path: Path) -> None:
    """An uninitialised ledger under --json: JSON too."""
    result = run("payroll", "list", "--json",
                 env={"LEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"})
    assert result.exit_code == 2
    assert "run `ledger init` first" in json.loads(result.stdout)["error"]
