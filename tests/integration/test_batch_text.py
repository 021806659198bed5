"""`payroll run` / `payroll show` text names people (name + masked ID), both backends.

Case 1 (tests/county.py): rural dibao, 3 people, income 120.00: January 969.00; income
100.00 from February: (443.00 − 100.00) × 3 = 1029.00. Case 2: tekun, exits from February.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from ledger.cli.main import main
from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services.case_changes import exit_case, update_case
from ledger.services.enrolment import import_roster
from ledger.services.runtime import Runtime
from tests import county


def run(*args: str, by: str = "clerk") -> str:
    result = CliRunner().invoke(main, list(args), env={"LEDGER_USER": by})
    assert result.exit_code == 0, result.stderr
    return result.stdout


def masked(seq: int) -> str:
    number = county.person(seq)
    return number[:4] + "*" * 10 + number[-4:]


def test_the_change_report_and_the_lines_name_the_people(rt: Runtime, tmp_path: Path) -> None:
    county.set_standards(rt.app)
    assert not import_roster(rt, county.write(tmp_path / "r.csv", [
        county.row(1, "dibao"), county.row(2, "tekun")]), county.TODAY, "clerk").problems
    dibao, tekun = ids.case_id(county.person(1), "dibao"), ids.case_id(county.person(2), "tekun")
    january = run("payroll", "run", "--month", "2024-01")
    assert f"new     {dibao.hex} 测试1 {masked(1)}" in january
    assert f"new     {tekun.hex} 测试2 {masked(2)}" in january
    batch_id = january.split()[1]
    run("payroll", "approve", batch_id, by="checker")

    update_case(rt.app, dibao, Month(2024, 2), "clerk", income_per_capita=10000)
    exit_case(rt.app, tekun, Month(2024, 2), "死亡", "clerk")
    rt.read_model.catch_up()
    february = run("payroll", "run", "--month", "2024-02")
    assert f"exit    {tekun.hex} 测试2 {masked(2)}" in february
    assert f"changed {dibao.hex} 测试1 {masked(1)} dibao 969.00 → 1029.00" in february

    shown = run("payroll", "show", february.split()[1])
    line, = [ln for ln in shown.splitlines() if "1029.00" in ln and "regular" in ln]
    assert f"测试1 {masked(1)}" in line
    for text in (january, february, shown):
        assert county.person(1) not in text and county.person(2) not in text
