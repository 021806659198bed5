"""Maker–checker through the `ledger` command line, on both backends.

Whoever ran a draft (first run or any rerun) cannot approve it; a refusal exits 1
with the reason on stderr and changes nothing. The county is tests/county.py:
one rural dibao household of 3 with 120.00 income, paid (443.00 − 120.00) × 3 = 969.00.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ledger.bootstrap import open_runtime
from ledger.cli.main import main
from ledger.services.enrolment import import_roster
from tests import county


@pytest.fixture
def ledger(ledger_url: str, tmp_path: Path) -> str:
    """A ledger (LEDGER_DATABASE_URL) with the county's standards and one dibao household."""
    rt = open_runtime(ledger_url, init=True)
    try:
        county.set_standards(rt.app)
        result = import_roster(rt, county.write(tmp_path / "roster.csv", [county.row(1, "dibao")]),
                               county.TODAY, "clerk")
        assert result.enrolled == 1
    finally:
        rt.close()
    return ledger_url


def cli(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def run_month(month: str = "2024-01", by: str = "clerk") -> dict:
    result = cli("payroll", "run", "--month", month, "--by", by, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def show(batch_id: str) -> dict:
    result = cli("payroll", "show", batch_id, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def events_recorded(url: str) -> int:
    rt = open_runtime(url)
    try:
        return rt.app.recorder.max_notification_id() or 0
    finally:
        rt.close()


def test_the_user_who_ran_the_draft_cannot_approve_it(ledger):
    batch = run_month(by="clerk")
    assert (batch["status"], batch["payments"], batch["total"]) == ("draft", 1, "969.00")
    before = events_recorded(ledger)

    refused = cli("payroll", "approve", batch["batch_id"], "--by", "clerk")
    assert refused.exit_code == 1
    assert "clerk ran this draft and cannot approve it" in refused.stderr
    assert "different user" in refused.stderr
    assert refused.stdout == ""
    assert events_recorded(ledger) == before
    assert show(batch["batch_id"])["status"] == "draft"

    approved = cli("payroll", "approve", batch["batch_id"], "--by", "checker")
    assert approved.exit_code == 0, approved.output
    shown = show(batch["batch_id"])
    assert (shown["status"], shown["approved_by"]) == ("approved", "checker")
    assert [ln["status"] for ln in shown["lines"]] == ["approved"]


def test_anyone_who_reran_the_draft_cannot_approve_it_either(ledger):
    batch = run_month(by="clerk")
    assert run_month(by="supervisor")["batch_id"] == batch["batch_id"]

    for maker in ("clerk", "supervisor"):
        refused = cli("payroll", "approve", batch["batch_id"], "--by", maker)
        assert refused.exit_code == 1
        assert f"{maker} ran this draft and cannot approve it" in refused.stderr
    assert cli("payroll", "approve", batch["batch_id"], "--by", "checker").exit_code == 0


def test_without_by_the_acting_user_is_ledger_user_and_the_same_rule_applies(ledger):
    as_clerk = {"LEDGER_USER": "clerk"}
    made = cli("payroll", "run", "--month", "2024-01", "--json", env=as_clerk)
    assert made.exit_code == 0, made.output
    batch_id = json.loads(made.stdout)["batch_id"]

    refused = cli("payroll", "approve", batch_id, env=as_clerk)
    assert refused.exit_code == 1
    assert "clerk ran this draft and cannot approve it" in refused.stderr
    assert cli("payroll", "approve", batch_id, env={"LEDGER_USER": "checker"}).exit_code == 0


def test_an_approved_batch_cannot_be_approved_again(ledger):
    batch = run_month()
    assert cli("payroll", "approve", batch["batch_id"], "--by", "checker").exit_code == 0
    again = cli("payroll", "approve", batch["batch_id"], "--by", "director")
    assert again.exit_code == 1
    assert "is approved" in again.stderr
    assert show(batch["batch_id"])["approved_by"] == "checker"


def test_running_an_approved_month_again_is_refused_and_changes_nothing(ledger):
    batch = run_month()
    assert cli("payroll", "approve", batch["batch_id"], "--by", "checker").exit_code == 0
    before_lines = show(batch["batch_id"])["lines"]
    before = events_recorded(ledger)

    refused = cli("payroll", "run", "--month", "2024-01", "--by", "clerk")
    assert refused.exit_code == 1
    assert "approved month is never changed" in refused.stderr
    assert events_recorded(ledger) == before
    after = show(batch["batch_id"])
    assert (after["status"], after["lines"]) == ("approved", before_lines)

    # The next month is a new batch, made and checked the same way.
    february = run_month("2024-02")
    assert february["batch_id"] != batch["batch_id"]
    assert (february["payments"], february["total"]) == (1, "969.00")


def test_relief_above_the_town_multiple_needs_two_approvers_other_than_the_granter(ledger):
    granted = cli("relief", "grant", county.person(1), "--multiple", "4", "--reason", "火灾",
                  "--on", "2024-01-10", "--by", "clerk")
    assert granted.exit_code == 0, granted.output
    # 4 × 443.00 = 1772.00
    assert "1772.00" in granted.stdout and "needs 2 approval(s)" in granted.stdout
    relief_id = granted.stdout.split()[1]

    own = cli("relief", "approve", relief_id, "--by", "clerk")
    assert own.exit_code == 1 and "clerk granted this relief" in own.stderr
    first = cli("relief", "approve", relief_id, "--by", "town")
    assert first.exit_code == 0 and "needs 1 more approval(s)" in first.stdout
    twice = cli("relief", "approve", relief_id, "--by", "town")
    assert twice.exit_code == 1 and "another user" in twice.stderr

    unpaid = run_month()
    assert unpaid["by_programme"] == {"dibao": {"payments": 1, "total": "969.00"}}

    second = cli("relief", "approve", relief_id, "--by", "county")
    assert second.exit_code == 0 and "payable" in second.stdout
    paid = run_month()
    assert paid["batch_id"] == unpaid["batch_id"]
    assert paid["by_programme"]["temporary"] == {"payments": 1, "total": "1772.00"}
    assert paid["total"] == "2741.00"  # 969.00 + 1772.00
