"""Issue 13: the month's rhythm — `payroll status`, its `--check`, the daily watch job.

The lateness rule is one pure function (ledger.domain.pay_deadline.watch), tested first with
hand-made months; then the command and the job on both backends, with chosen dates.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from jobs.runner import run_job
from ledger.cli.main import main
from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.domain.pay_deadline import pay_by_date, watch
from ledger.services.bank_export import export_batch
from ledger.services.batches import approve_batch
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from tests import county

JAN, FEB, MAR = Month(2024, 1), Month(2024, 2), Month(2024, 3)


def ten(_: Month) -> int:
    return 10


def thirty(_: Month) -> int:
    return 30


# --- the pure rule ------------------------------------------------------------------------------
def test_the_pay_by_day_is_the_policy_day_or_the_last_day_of_a_shorter_month() -> None:
    assert pay_by_date(FEB, 10) == date(2024, 2, 10)
    assert pay_by_date(FEB, 31) == date(2024, 2, 29)


def test_a_month_not_approved_and_exported_after_its_pay_by_day_is_late() -> None:
    on_the_10th = watch(JAN, {JAN: ("b1", "draft")}, date(2024, 1, 10), ten, thirty)
    assert [(s.month, s.status, s.days_left, s.late) for s in on_the_10th] == [
        (JAN, "draft", 0, ()), (FEB, "not run", 31, ())]
    on_the_11th = watch(JAN, {JAN: ("b1", "draft")}, date(2024, 1, 11), ten, thirty)
    assert on_the_11th[0].days_left == -1
    assert on_the_11th[0].late == ("2024-01: not approved and exported by 2024-01-10 "
                                   "(payroll draft)",)
    approved = watch(JAN, {JAN: ("b1", "approved")}, date(2024, 1, 11), ten, thirty)
    assert approved[0].late == ("2024-01: approved but no bank file exported by 2024-01-10",)
    assert approved[0].steps == {"drafted": True, "approved": True, "exported": False,
                                 "reconciled": False}
    exported = watch(JAN, {JAN: ("b1", "exported")}, date(2024, 1, 11), ten, thirty)
    assert all(not s.late for s in exported)


def test_a_month_never_run_or_discarded_is_late_and_an_unreconciled_export_long_after() -> None:
    batches = {JAN: ("b1", "exported"), FEB: ("b2", "discarded")}
    statuses = watch(JAN, batches, date(2024, 2, 11), ten, thirty)
    assert [(s.month, s.batch_id, s.status) for s in statuses] == [
        (JAN, "b1", "exported"), (FEB, None, "not run"), (MAR, None, "not run")]
    assert statuses[0].late == ("2024-01: exported but not reconciled by 2024-02-09 "
                                "(bank results missing)",)
    assert statuses[1].late == ("2024-02: not approved and exported by 2024-02-10 "
                                "(payroll not run)",)
    assert statuses[2].late == ()
    assert watch(JAN, {JAN: ("b1", "reconciled")}, date(2024, 6, 1), ten, thirty, only=JAN)[0] \
        .late == ()
    assert watch(None, {}, date(2024, 6, 1), ten, thirty) == []  # no case, no batch


# --- the command and the job -----------------------------------------------------------------------
def cli(*args: str, by: str = "clerk") -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={"LEDGER_USER": by})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def january_draft(rt: Runtime, tmp_path: Path) -> Runtime:
    county.set_standards(rt.app)
    import_roster(rt, county.write(tmp_path / "r.csv", [county.row(1, "dibao")]), county.TODAY,
                  "clerk")
    run_payroll(rt, JAN, "clerk")
    return rt


def test_status_check_exits_1_once_the_10th_passed_without_an_approved_batch(
        january_draft: Runtime) -> None:
    code, out, err = cli("payroll", "status", "--check", "--on", "2024-01-10", "--json")
    assert code == 0, err
    assert json.loads(out)["late"] is False
    code, out, err = cli("payroll", "status", "--check", "--on", "2024-01-11", "--json")
    assert code == 1
    data = json.loads(out)
    assert data["late"] is True
    jan = data["months"][0]
    assert (jan["month"], jan["status"], jan["drafted"], jan["approved"], jan["days_left"]) == (
        "2024-01", "draft", True, False, -1)
    assert jan["late"] == ["2024-01: not approved and exported by 2024-01-10 (payroll draft)"]
    assert "late: 2024-01" in err


def test_status_check_exits_0_when_everything_is_on_time(january_draft: Runtime,
                                                         tmp_path: Path) -> None:
    rt = january_draft
    batch = approve_batch(rt, ids.batch_id(JAN, "regular"), "checker")
    export_batch(rt, batch.id, "csv", tmp_path / "jan.csv", "checker")
    code, out, err = cli("payroll", "status", "--check", "--on", "2024-01-09")
    assert code == 0, err
    assert "2024-01  exported" in out and "2024-02  not run" in out
    code, out, err = cli("payroll", "status", "--check", "--on", "2024-01-25", "--month",
                         "2024-01", "--json")
    assert code == 0, err
    assert [m["month"] for m in json.loads(out)["months"]] == ["2024-01"]
    # February's pay-by day passes with February never run: late again.
    code, _, err = cli("payroll", "status", "--check", "--on", "2024-02-11")
    assert code == 1 and "2024-02: not approved" in err


def test_the_pay_by_day_follows_the_policy(january_draft: Runtime) -> None:
    january_draft.app.set_policy("payroll.pay_by_day", "15", date(2024, 1, 1), "clerk")
    assert cli("payroll", "status", "--check", "--on", "2024-01-14")[0] == 0
    assert cli("payroll", "status", "--check", "--on", "2024-01-16")[0] == 1
    code, _, err = cli("policy", "set", "payroll.pay_by_day", "40", "--from", "2024-01-01")
    assert code == 2 and "1 to 31" in err


def test_the_watch_job_logs_what_is_late(january_draft: Runtime, ledger_url: str,
                                         caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="ledger.jobs"):
        result = run_job("watch", date(2024, 1, 11), ledger_url)
    assert result == "1 late: 2024-01: not approved and exported by 2024-01-10 (payroll draft)"
    assert "payroll late: 2024-01" in caplog.text
    assert run_job("watch", date(2024, 1, 5), ledger_url) == "nothing late"
    code, out, err = cli("scheduler", "run-job", "watch", "--date", "2024-01-11")
    assert code == 0, err
    assert "watch for 2024-01-11: 1 late" in out
