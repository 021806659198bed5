"""分类施保 through the payroll, on both backends (SPEC: Beyond the monthly roster).

County (tests/county.py): rural dibao 443.00 a month; income 120.00 per head, so each
member in force is paid 323.00. serious_illness 30% of 443.00 = 132.90; minor 10% = 44.30.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from ledger.cli.main import main
from ledger.domain.calendar import Month
from ledger.services.batches import approve_batch
from ledger.services.members import MemberRefusal, add_member, classify_member
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from ledger.services.trace import trace_payment
from projections import schema
from tests.integration.test_households import (
    APPLICANT,
    CHILD,
    HOUSEHOLD,
    JAN,
    SPOUSE,
    _county,
    _lines,
)


def _household(rt: Runtime) -> None:
    assert add_member(rt, APPLICANT, APPLICANT, "测试1", "self", JAN, "clerk")
    assert add_member(rt, APPLICANT, SPOUSE, "配偶", "spouse", JAN, "clerk", ("serious_illness",))
    assert add_member(rt, APPLICANT, CHILD, "孩子", "child", JAN, "clerk", ("minor",))


@pytest.mark.parametrize("combine", ["max", "sum"])
def test_an_ill_member_and_a_minor_add_their_top_ups_to_the_regular_line(
        rt: Runtime, tmp_path: Path, combine: str) -> None:
    _county(rt, tmp_path)
    rt.app.set_policy("dibao.classified.combine", combine, date(2024, 1, 1), "clerk")
    _household(rt)
    # 3 × 323.00 = 969.00 + 132.90 + 44.30 = 1146.20, one class per member: max = sum
    assert _lines(rt, 1) == [("dibao", "regular", "2024-01", 1146_20, 1146_20)]
    p = schema.payments.c
    with rt.engine.connect() as conn:
        pid, formula = conn.execute(select(p.payment_id, p.formula).where(
            p.case_id == HOUSEHOLD.hex, p.own_status != "withdrawn")).one()
    assert "serious_illness 30%" in formula and "minor 10%" in formula
    trace = trace_payment(rt, UUID(pid))
    assert [e for e in trace["events"] if e["type"].endswith("MemberClassified")]


def test_a_classification_recorded_late_is_paid_as_arrears(rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    assert add_member(rt, APPLICANT, APPLICANT, "测试1", "self", JAN, "clerk")
    assert add_member(rt, APPLICANT, CHILD, "孩子", "child", JAN, "clerk")
    for m in (1, 2):
        approve_batch(rt, run_payroll(rt, Month(2024, m), "clerk").id, "checker")
    classify_member(rt, CHILD, "minor", JAN, None, "clerk")
    # March: 2 × 323.00 + 44.30 = 690.30; January and February 44.30 each in arrears
    assert _lines(rt, 3) == [("dibao", "arrears", "2024-01", 44_30, 44_30),
                             ("dibao", "arrears", "2024-02", 44_30, 44_30),
                             ("dibao", "regular", "2024-03", 690_30, 690_30)]


def test_classifying_someone_who_is_not_a_member_then_is_refused_and_records_nothing(
        rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    assert add_member(rt, APPLICANT, CHILD, "孩子", "child", Month(2024, 3), "clerk")
    before = rt.app.recorder.max_notification_id()
    with pytest.raises(MemberRefusal):
        classify_member(rt, CHILD, "minor", Month(2024, 2), None, "clerk")
    with pytest.raises(ValueError):
        add_member(rt, APPLICANT, SPOUSE, "配偶", "spouse", JAN, "clerk", ("bogus",))
    assert rt.app.recorder.max_notification_id() == before


def test_member_classify_command_refuses_with_exit_1_and_masks_the_number(
        ledger_url: str, tmp_path: Path) -> None:
    from ledger.bootstrap import open_runtime
    rt = open_runtime(ledger_url, init=True)
    _county(rt, tmp_path)
    assert add_member(rt, APPLICANT, CHILD, "孩子", "child", Month(2024, 3), "clerk")
    rt.close()
    runner = CliRunner()
    refused = runner.invoke(main, ["member", "classify", CHILD, "--class", "minor",
                                   "--from", "2024-02", "--by", "clerk"])
    assert refused.exit_code == 1, refused.output
    assert CHILD not in refused.output
    bad = runner.invoke(main, ["member", "classify", CHILD, "--class", "rich",
                               "--from", "2024-03", "--by", "clerk"])
    assert bad.exit_code == 2
    done = runner.invoke(main, ["member", "classify", CHILD, "--class", "minor",
                                "--from", "2024-03", "--until", "2025-06", "--by", "clerk"])
    assert done.exit_code == 0, done.output
    assert "classified minor (未成年) from 2024-03 to 2025-06" in done.output
    assert CHILD not in done.output
