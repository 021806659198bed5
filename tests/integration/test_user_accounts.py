"""`ledger user add|disable|list`, and who acts on the command line once accounts exist.

Accounts are recorded facts (they show in `ledger audit`); passwords are stored
only as Argon2id hashes; once any account exists, every command that records something
needs the acting account's password on standard input, and its role must allow it.
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


def as_root(*args: str, stdin: str = "") -> Result:
    """A command by the administrator ``root``, proven: their password first on stdin."""
    return cli(*args, "--by", "root", "--password-stdin", stdin="root password\n" + stdin)


def _root() -> None:
    """The first account: nobody to prove yet, as on a new ledger."""
    made = cli("user", "add", "root", "--role", "admin", "--password-stdin", "--by", "setup",
               stdin="root password\n")
    assert made.exit_code == 0, made.output


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
    _root()
    added = as_root("user", "add", "Chief.Li", "--role", "approver", "--town", "城关镇",
                    stdin="correct horse battery\n")
    assert added.exit_code == 0, added.output
    assert as_root("user", "add", "chief.li", "--role", "clerk",
                   stdin="another password\n").exit_code == 1  # the same name, normalised
    assert as_root("user", "add", "x", "--role", "clerk", stdin="short\n").exit_code == 2
    assert as_root("user", "add", "x", "--role", "boss", stdin="long enough pw\n").exit_code == 2
    listed = json.loads(cli("user", "list", "--json").stdout)["users"]
    assert [(u["name"], u["role"], u["towns"], u["disabled"]) for u in listed] == [
        ("chief.li", "approver", ["城关镇"], False), ("root", "admin", [], False)]
    moved = as_root("user", "set-role", "chief.li", "--role", "finance")
    assert moved.exit_code == 0, moved.output
    users = {u["name"]: u for u in json.loads(cli("user", "list", "--json").stdout)["users"]}
    assert (users["chief.li"]["role"], users["chief.li"]["towns"]) == ("finance", [])
    assert as_root("user", "set-role", "nobody", "--role", "clerk").exit_code == 1
    assert as_root("user", "disable", "CHIEF.LI").exit_code == 0
    users = {u["name"]: u for u in json.loads(cli("user", "list", "--json").stdout)["users"]}
    assert users["chief.li"]["disabled"] is True
    audit = cli("audit", "--since", "2000-01-01", "--json").stdout
    assert "Account.Created" in audit and "Account.Disabled" in audit
    assert "Account.RoleChanged" in audit
    assert "correct horse" not in audit and "argon2" not in audit and "root password" not in audit


def test_once_an_account_exists_only_a_proven_administrator_manages_accounts(
        ledger: str) -> None:
    _root()
    assert as_root("user", "add", "clerk.wang", "--role", "clerk",
                   stdin="clerk password\n").exit_code == 0
    before = _events(ledger)
    refused = [
        cli("user", "add", "x.y", "--role", "admin", "--password-stdin", "--by", "root",
            stdin="long enough pw\n"),  # the new password alone: it is taken as root's
        cli("user", "add", "x.y", "--role", "admin", "--password-stdin", "--by", "clerk.wang",
            stdin="clerk password\nlong enough pw\n"),  # a clerk may not manage users
        cli("user", "disable", "root", "--by", "root"),  # no password given
        cli("user", "set-role", "clerk.wang", "--role", "admin", "--by", "clerk.wang",
            "--password-stdin", stdin="clerk password\n"),  # nor raise themselves
    ]
    assert [r.exit_code for r in refused] == [1, 1, 1, 1], [r.output for r in refused]
    assert all("Traceback" not in r.output and "password" not in r.stdout for r in refused)
    # the first was a failed sign-in of root (recorded), the others changed nothing
    assert _events(ledger) - before == 1
    assert [u["name"] for u in json.loads(cli("user", "list", "--json").stdout)["users"]] == [
        "clerk.wang", "root"]


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
    _root()
    assert as_root("user", "add", "chief.li", "--role", "approver",
                   stdin="chief password\n").exit_code == 0
    assert as_root("user", "add", "clerk.zhao", "--role", "clerk",
                   stdin="clerk password\n").exit_code == 0
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


def test_once_accounts_exist_every_recording_command_needs_its_actor_proven(
        ledger: str, tmp_path: Path) -> None:
    """Typing a name no longer makes you that person, for any command that records: each takes
    --password-stdin, and refuses without it, for a role the table does not allow, or for an
    account kept to towns; a dry run records nothing and needs no password."""
    import click

    def commands(group: click.Group, path: str = "") -> list[tuple[str, click.Command]]:
        found = []
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                found += commands(command, f"{path}{name} ")
            else:
                found.append((f"{path}{name}", command))
        return found

    recording = [(name, {o for p in c.params for o in getattr(p, "opts", [])})
                 for name, c in commands(main)]
    recording = [(name, opts) for name, opts in recording if "--by" in opts]
    assert len(recording) >= 30
    assert [name for name, opts in recording if "--password-stdin" not in opts] == []

    _root()
    for name, role, town in (("clerk.wang", "clerk", []), ("chief.li", "approver", []),
                             ("town.zhao", "clerk", ["--town", "城关镇"])):
        made = as_root("user", "add", name, "--role", role, *town, stdin=f"{name} password\n")
        assert made.exit_code == 0, made.output
    before = _events(ledger)
    run = ("payroll", "run", "--month", "2024-01", "--json")
    refused = [
        cli(*run, "--by", "clerk.wang"),                                   # no password
        cli(*run, "--by", "chief.li", "--password-stdin", stdin="chief.li password\n"),
        cli(*run, "--by", "town.zhao", "--password-stdin", stdin="town.zhao password\n"),
        cli("standard", "set", "dibao", "--category", "rural", "--amount", "1.00", "--per", "month",
            "--from", "2024-01-01", "--ref", "x", "--by", "clerk.wang", "--password-stdin",
            stdin="clerk.wang password\n"),                                # not a clerk's
        cli("institution", "add", "91330100716105852F", "--name", "幸福院", "--town", "城关镇",
            "--bank-account", "43050101234567890001", "--bank-name", "农行",
            "--by", "clerk.wang"),                                         # no password
    ]
    assert [r.exit_code for r in refused] == [1] * len(refused), [r.output for r in refused]
    assert all("Traceback" not in r.output for r in refused)
    says = " ".join(r.output for r in refused)
    assert "needs the acting account's password" in says and "may not payroll.run" in says
    assert "limited to towns" in says and "may not standard.set" in says
    # a town clerk's sign-in is recorded (their password was right); nothing else was
    assert _events(ledger) - before == 1
    dry = cli("roster", "import", str(county.write(tmp_path / "r2.csv", [county.row(2, "dibao")])),
              "--dry-run", "--by", "clerk.wang")
    assert dry.exit_code == 0, dry.output

    made = cli(*run, "--by", "clerk.wang", "--password-stdin", stdin="clerk.wang password\n")
    assert made.exit_code == 0, made.output
    batch = json.loads(made.stdout)["batch_id"]
    own = cli("payroll", "approve", batch, "--by", "clerk.wang", "--password-stdin",
              stdin="clerk.wang password\n")
    assert own.exit_code == 1 and "may not payroll.approve" in own.output
    approved = cli("payroll", "approve", batch, "--by", "chief.li", "--password-stdin",
                   stdin="chief.li password\n")
    assert approved.exit_code == 0 and "approved by chief.li" in approved.output
