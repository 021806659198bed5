"""`ledger user add|disable|list` and approvals on the command line once accounts exist.

Accounts are recorded facts (they show in `ledger audit`); passwords are stored
only as Argon2id hashes; once any account exists, `payroll approve` and `relief
approve` need the acting account's password on standard input.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ledger.bootstrap import open_runtime
from ledger.cli.main import main
from ledger.domain.accounts import normalise_user_name
from ledger.services.enrolment import import_roster
from tests import county


def cli(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin)


@pytest.fixture
def ledger(ledger_url: str, tmp_path: Path) -> str:
    rt = open_runtime(ledger_url, init=True)
    try:
        county.set_standards(rt.app)
        import_roster(rt, county.write(tmp_path / "r.csv", [county.row(1, "dibao")]),
                      county.TODAY, "clerk")
    finally:
        rt.close()
    return ledger_url


def _events(url: str) -> int:
    rt = open_runtime(url)
    try:
        return rt.app.recorder.max_notification_id() or 0
    finally:
        rt.close()


def test_user_names_are_normalised() -> None:
    assert normalise_user_name("  Ｗａｎｇ.Li ") == "wang.li"
    with pytest.raises(ValueError):
        normalise_user_name("two words")


def test_accounts_are_added_listed_disabled_and_audited(ledger: str) -> None:
    added = cli("user", "add", "Chief.Li", "--role", "approver", "--town", "城关镇",
                "--password-stdin", "--by", "root", stdin="correct horse battery\n")
    assert added.exit_code == 0, added.output
    assert cli("user", "add", "chief.li", "--role", "clerk", "--password-stdin",
               stdin="another password\n").exit_code == 1  # the same name, normalised
    assert cli("user", "add", "x", "--role", "clerk", "--password-stdin",
               stdin="short\n").exit_code == 2
    assert cli("user", "add", "x", "--role", "boss", "--password-stdin",
               stdin="long enough pw\n").exit_code == 2
    listed = json.loads(cli("user", "list", "--json").stdout)["users"]
    assert [(u["name"], u["role"], u["towns"], u["disabled"]) for u in listed] == [
        ("chief.li", "approver", ["城关镇"], False)]
    moved = cli("user", "set-role", "chief.li", "--role", "finance", "--by", "root")
    assert moved.exit_code == 0, moved.output
    assert json.loads(cli("user", "list", "--json").stdout)["users"][0]["role"] == "finance"
    assert json.loads(cli("user", "list", "--json").stdout)["users"][0]["towns"] == []
    assert cli("user", "set-role", "nobody", "--role", "clerk").exit_code == 1
    assert cli("user", "disable", "CHIEF.LI", "--by", "root").exit_code == 0
    assert json.loads(cli("user", "list", "--json").stdout)["users"][0]["disabled"] is True
    audit = cli("audit", "--since", "2000-01-01", "--json").stdout
    assert "Account.Created" in audit and "Account.Disabled" in audit
    assert "Account.RoleChanged" in audit
    assert "correct horse" not in audit and "argon2" not in audit


def test_the_password_is_stored_only_as_an_argon2id_hash(ledger: str) -> None:
    cli("user", "add", "clerk.wang", "--role", "clerk", "--password-stdin",
        stdin="correct horse battery\n")
    rt = open_runtime(ledger)
    try:
        stored = b"".join(n.state for n in rt.app.recorder.select_notifications(0, 10_000))
    finally:
        rt.close()
    assert b"correct horse battery" not in stored
    assert b"$argon2id$" in stored


def test_once_accounts_exist_an_approval_needs_the_approvers_password(ledger: str) -> None:
    batch = json.loads(cli("payroll", "run", "--month", "2024-01", "--by", "clerk.wang",
                           "--json").stdout)["batch_id"]
    cli("user", "add", "chief.li", "--role", "approver", "--password-stdin",
        stdin="chief password\n")
    cli("user", "add", "clerk.zhao", "--role", "clerk", "--password-stdin",
        stdin="clerk password\n")
    before = _events(ledger)
    refused = [
        cli("payroll", "approve", batch, "--by", "chief.li"),
        cli("payroll", "approve", batch, "--by", "chief.li", "--password-stdin",
            stdin="wrong password\n"),
        cli("payroll", "approve", batch, "--by", "nobody", "--password-stdin",
            stdin="chief password\n"),
        cli("payroll", "approve", batch, "--by", "clerk.zhao", "--password-stdin",
            stdin="clerk password\n"),  # right password, but a clerk may not approve
    ]
    assert [r.exit_code for r in refused] == [1, 1, 1, 1], [r.output for r in refused]
    assert all("Traceback" not in r.output and "password\n" not in r.output for r in refused)
    # the wrong password was recorded as a failed sign-in; nothing else changed
    rt = open_runtime(ledger)
    try:
        from ledger.services.batches import batch_row

        rt.read_model.catch_up()
        from uuid import UUID

        assert batch_row(rt, UUID(batch))["status"] == "draft"
        assert (rt.app.recorder.max_notification_id() or 0) - before == 1
    finally:
        rt.close()
    ok = cli("payroll", "approve", batch, "--by", "Chief.Li", "--password-stdin",
             stdin="chief password\n")
    assert ok.exit_code == 0, ok.output
    assert "approved by chief.li" in ok.output
