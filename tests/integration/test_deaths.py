"""`ledger deaths import`: a death ends the person's cases and memberships from the month after,
and the next payroll recovers what was paid for later months (SPEC: Households and people).

County (tests/county.py): rural dibao 443.00 a month, per-capita income 120.00: each member in
force is paid 443.00 − 120.00 = 323.00 a month; the household below has three members.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from ledger.bootstrap import open_runtime
from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services.batches import approve_batch
from ledger.services.members import add_member
from ledger.services.payroll_run import run_payroll
from projections import schema
from tests import county
from tests.integration.test_core_commands import event_count, run

APPLICANT = county.person(1)
SPOUSE = county.person(11)
CHILD = county.person(12, date(2010, 3, 4))
UNKNOWN = county.person(40)
HOUSEHOLD = ids.case_id(APPLICANT, "dibao")


@pytest.fixture
def paid_to_march(ledger_url: str, tmp_path: Path) -> str:
    """A three-person household, January to March paid and approved."""
    assert run("init")[0] == 0
    rt = open_runtime(ledger_url)
    try:
        county.set_standards(rt.app)
        path = county.write(tmp_path / "r.csv", [county.row(1, "dibao", household_size=1)])
        assert run("roster", "import", str(path), "--today", "2024-12-31")[0] == 0
        for number, name, relation in ((APPLICANT, "测试1", "self"), (SPOUSE, "配偶", "spouse"),
                                       (CHILD, "孩子", "child")):
            add_member(rt, APPLICANT, number, name, relation, Month(2024, 1), "clerk")
        for m in (1, 2, 3):
            approve_batch(rt, run_payroll(rt, Month(2024, m), "clerk").id, "checker")
    finally:
        rt.close()
    return ledger_url


def _deaths(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["身份证号", "姓名", "死亡日期"], *rows])
    return path


def _april(url: str, receivable: bool = False) -> object:
    """The household's April lines (kind, for month, amount, transfer), or its receivable."""
    rt = open_runtime(url)
    try:
        batch = run_payroll(rt, Month(2024, 4), "clerk")
        p, b = schema.payments.c, schema.batches.c
        with rt.engine.connect() as conn:
            if receivable:
                report = conn.execute(select(b.report).where(b.batch_id == batch.id.hex))
                return json.loads(report.scalar_one())["receivables"]["by_case"]
            return sorted(tuple(r) for r in conn.execute(
                select(p.kind, p.for_month, p.amount, p.transfer)
                .where(p.batch_id == batch.id.hex, p.case_id == HOUSEHOLD.hex,
                       p.own_status != "withdrawn")))
    finally:
        rt.close()


def test_a_member_who_died_is_recovered_from_the_next_payroll_netted(
        paid_to_march: str, tmp_path: Path) -> None:
    path = _deaths(tmp_path / "d.csv", [[CHILD, "孩子", "2024-02-10"]])
    code, out, err = run("deaths", "import", str(path), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["cases_ended"] == []
    assert result["members_removed"] == [{"case_id": HOUSEHOLD.hex, "from": "2024-03",
                                          "id_number": CHILD[:4] + "*" * 10 + CHILD[-4:]}]
    # March paid for 3 (969.00), due for 2 (646.00): 323.00 recovered from April's 646.00.
    assert _april(paid_to_march) == [("recovery", "2024-03", -323_00, 0),
                                     ("regular", "2024-04", 646_00, 323_00)]


def test_an_applicants_death_ends_the_household_and_later_months_are_recovered(
        paid_to_march: str, tmp_path: Path) -> None:
    path = _deaths(tmp_path / "d.csv", [[APPLICANT, "测试1", "2024-02-29"]])
    code, out, err = run("deaths", "import", str(path), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["cases_ended"] == [{"case_id": HOUSEHOLD.hex, "programme": "dibao",
                                      "from": "2024-03"}]
    assert result["members_removed"] == []
    code, out, _ = run("case", "show", APPLICANT, "--month", "2024-03", "--json")
    assert json.loads(out)["cases"][0]["status"] == "exited"
    # March's 3 × 323.00 = 969.00 is owed back: nothing is due for April to net it against,
    # so no line is sent and the 969.00 is carried as a receivable.
    assert _april(paid_to_march) == []
    assert _april(paid_to_march, receivable=True) == {HOUSEHOLD.hex: 969_00}


def test_a_death_list_imported_twice_changes_nothing_the_second_time(
        paid_to_march: str, tmp_path: Path) -> None:
    path = _deaths(tmp_path / "d.csv", [[SPOUSE, "配偶", "2024-03-01"],
                                        [APPLICANT, "测试1", "2024-03-15"],
                                        [UNKNOWN, "外人", "2024-01-01"]])
    code, out, err = run("deaths", "import", str(path))
    assert code == 0, err
    assert "2 matched, 1 case(s) ended, 1 member(s) removed, 1 unknown" in out
    assert f"unknown, skipped: {UNKNOWN[:4]}" in out and UNKNOWN not in out
    after = event_count(paid_to_march)
    code, out, err = run("deaths", "import", str(path), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert (result["cases_ended"], result["members_removed"]) == ([], [])
    assert len(result["matched"]) == 2
    assert event_count(paid_to_march) == after


def test_a_death_list_with_a_bad_date_records_nothing(paid_to_march: str, tmp_path: Path) -> None:
    path = _deaths(tmp_path / "d.csv", [[CHILD, "孩子", "2024-02-10"],
                                        [SPOUSE, "配偶", "2024-02-30"]])
    before = event_count(paid_to_march)
    code, _, err = run("deaths", "import", str(path))
    assert code == 2 and f"{path}:3: 死亡日期: a date YYYY-MM-DD" in err
    assert event_count(paid_to_march) == before


def test_a_death_before_the_birth_or_before_1900_is_bad_input(paid_to_march: str,
                                                              tmp_path: Path) -> None:
    before = event_count(paid_to_march)
    path = _deaths(tmp_path / "d.csv", [[CHILD, "孩子", "2009-12-31"],     # born 2010-03-04
                                        [SPOUSE, "配偶", "1024-12-03"]])
    code, _, err = run("deaths", "import", str(path))
    assert code == 2, err
    assert f"{path}:2: 死亡日期: 2009-12-31 is before the birth date the ID number gives" in err
    assert f"{path}:3: 死亡日期: 1024-12-03 is before 1900" in err
    assert event_count(paid_to_march) == before


def test_a_member_recorded_from_after_their_death_leaves_from_that_start(
        paid_to_march: str, tmp_path: Path) -> None:
    """A fourth member entered from 2024-03 who died on 2024-01-15 (the list came late): they
    leave from 2024-03, their own start, so they are never counted. April pays the household
    as the three it was: 3 × 323.00 = 969.00, and no arrears for March."""
    late = county.person(13)
    rt = open_runtime(paid_to_march)
    try:
        add_member(rt, APPLICANT, late, "亲属", "other", Month(2024, 3), "clerk")
    finally:
        rt.close()
    path = _deaths(tmp_path / "d.csv", [[late, "亲属", "2024-01-15"]])
    code, out, err = run("deaths", "import", str(path), "--json")
    assert code == 0, err
    assert json.loads(out)["members_removed"] == [{"case_id": HOUSEHOLD.hex, "from": "2024-03",
                                                   "id_number": late[:4] + "*" * 10 + late[-4:]}]
    assert _april(paid_to_march) == [("regular", "2024-04", 969_00, 969_00)]
