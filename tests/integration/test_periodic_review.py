"""Periodic review (动态管理): recording reviews and listing households due, on both backends.

Households (tests/county.py, all dibao from 2024-01 unless said): 1 never reviewed;
5 reviewed 2024-03-15 and put in class B (review.months.B = 6); 6 reviewed 2024-02-10
(no class, so 12 months); 7 reviewed 2024-05-20 with outcome exit; 2 is tekun.
By hand, with review.months 12:
- 2024-12: 1 is due 2024-01 + 12 = 2025-01 (not yet); 5 is due 2024-03 + 6 = 2024-09
  (3 months overdue); 6 is due 2024-02 + 12 = 2025-02; 7 exited from 2024-06.
- 2025-01: 1 (due 2025-01) and 5.
- review.months 6 from 2025-01-01: in 2025-01 also 6 (2024-02 + 6 = 2024-08).
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from ledger.cli.main import main
from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.domain.periodic_review import is_due, review_months
from ledger.domain.policy import PolicyBook
from ledger.services.enrolment import import_roster
from ledger.services.runtime import Runtime
from projections import schema
from tests import county


def run(*args: str, by: str = "clerk") -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={"LEDGER_USER": by})
    return result.exit_code, result.stdout, result.stderr


def case(seq: int, programme: str = "dibao") -> str:
    return ids.case_id(county.person(seq), programme).hex


def enrol(rt: Runtime, tmp_path: Path) -> None:
    county.set_standards(rt.app)
    rows = [county.row(n, "dibao") for n in (1, 5, 6, 7)] + [county.row(2, "tekun")]
    assert not import_roster(rt, county.write(tmp_path / "r.csv", rows), county.TODAY,
                             "clerk").problems


def due(month: str) -> dict[str, dict]:
    code, out, err = run("review", "due", "--month", month, "--json")
    assert code == 0, err
    return {d["case_id"]: d for d in json.loads(out)["due"]}


def test_households_due_for_review_by_last_review_class_and_policy_in_force(
        rt: Runtime, tmp_path: Path) -> None:
    enrol(rt, tmp_path)
    assert run("policy", "set", "review.months.B", "6", "--from", "2024-01-01", by="admin")[0] == 0
    assert run("review", "record", case(5), "--date", "2024-03-15", "--outcome", "continue",
               "--class", "B")[0] == 0
    assert run("review", "record", case(6), "--date", "2024-02-10", "--outcome", "change")[0] == 0
    code, out, _ = run("review", "record", case(7), "--date", "2024-05-20", "--outcome", "exit")
    assert code == 0 and "exits from 2024-06" in out

    december = due("2024-12")
    assert list(december) == [case(5)]
    five = december[case(5)]
    assert (five["household_class"], five["last_review"], five["due_month"],
            five["months_overdue"], five["interval_months"]) == ("B", "2024-03-15", "2024-09", 3, 6)
    assert five["id_number"] == county.person(5)[:4] + "*" * 10 + county.person(5)[-4:]
    assert five["name"] == "测试5"
    assert set(due("2025-01")) == {case(1), case(5)}

    assert run("policy", "set", "review.months", "6", "--from", "2025-01-01", by="admin")[0] == 0
    assert set(due("2025-01")) == {case(1), case(5), case(6)}
    # the exit outcome ended case 7 from the month after the review
    with rt.engine.connect() as conn:
        exit_month = conn.execute(schema.cases.select().where(
            schema.cases.c.case_id == case(7))).mappings().one()["exit_month"]
    assert exit_month == "2024-06"


def test_a_refused_or_bad_review_records_nothing(rt: Runtime, tmp_path: Path) -> None:
    enrol(rt, tmp_path)
    before = rt.app.recorder.max_notification_id()
    code, _, err = run("review", "record", case(2, "tekun"), "--date", "2024-05-01",
                       "--outcome", "continue")
    assert code == 1 and "only dibao" in err
    assert run("review", "record", case(1), "--date", "2024-05-01", "--outcome", "maybe")[0] == 2
    assert run("review", "record", case(1), "--date", "2024-13-01", "--outcome", "continue")[0] == 2
    assert run("review", "record", "0" * 32, "--date", "2024-05-01", "--outcome", "continue")[0] == 2
    code, _, err = run("review", "record", case(1), "--date", "2023-12-01", "--outcome", "exit")
    assert code == 1 and "before the case started" in err
    assert rt.app.recorder.max_notification_id() == before
    assert run("review", "record", case(1), "--date", "2024-05-01", "--outcome", "exit")[0] == 0
    code, _, err = run("review", "record", case(1), "--date", "2024-07-01", "--outcome", "continue")
    assert code == 1 and "exited" in err


def test_the_class_interval_only_shortens_the_general_one() -> None:
    policy = PolicyBook()
    may = Month(2024, 5)
    assert review_months(policy, None, may) == 12
    assert review_months(policy, "A", may) == 12  # 0 = not set
    assert is_due(Month(2023, 5), 12, may) and not is_due(Month(2023, 6), 12, may)
