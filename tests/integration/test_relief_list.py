"""`ledger relief list`: what waits for the approvers, on both backends.

Person 9 is a rural dibao applicant (tests/county.py, standard 443.00): relief A is
4 × 443.00 = 1772.00 (above the town multiple 3: two approvals), relief B 2 × 443.00 =
886.00 (one approval). Person 40 is not on the roster: urban, 1 × 600.00 = 600.00.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from ledger.cli.main import main
from ledger.domain.calendar import Month
from ledger.services.batches import approve_batch
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from tests import county


def run(*args: str, by: str = "clerk") -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={"LEDGER_USER": by})
    return result.exit_code, result.stdout, result.stderr


def grant(id_number: str, multiple: int, reason: str, *extra: str) -> str:
    code, out, err = run("relief", "grant", id_number, "--multiple", str(multiple), "--reason",
                         reason, "--on", "2024-01-10", *extra)
    assert code == 0, err
    return out.split()[1]


def test_relief_list_shows_approvals_so_far_and_needed_and_what_was_paid(
        rt: Runtime, tmp_path: Path) -> None:
    county.set_standards(rt.app)
    assert not import_roster(rt, county.write(tmp_path / "r.csv", [county.row(9, "dibao")]),
                             county.TODAY, "clerk").problems
    a = grant(county.person(9), 4, "火灾")
    b = grant(county.person(9), 2, "疾病")
    c = grant(county.person(40), 1, "意外", "--name", "路人甲", "--area", "urban", "--town",
              "城关镇", "--village", "东村", "--bank-account", county.card(40), "--bank-name", "农商行")
    assert run("relief", "approve", a, by="town")[0] == 0
    assert run("relief", "approve", b, by="town")[0] == 0
    approve_batch(rt, run_payroll(rt, Month(2024, 1), "clerk").id, "checker")
    assert run("relief", "approve", c, by="town")[0] == 0

    code, out, _ = run("relief", "list", "--json")
    assert code == 0
    reliefs = json.loads(out)["reliefs"]
    assert [(r["relief_id"], r["status"], r["approvals"], r["approvals_needed"], r["amount"],
             r["multiple"]) for r in reliefs] == [
        (a, "awaiting approval", 1, 2, "1772.00", 4),
        (c, "approved", 1, 1, "600.00", 1),
        (b, "paid", 1, 1, "886.00", 2),
    ]
    first = reliefs[0]
    assert (first["name"], first["reason"], first["granted_by"], first["approvers"]) == (
        "测试9", "火灾", "clerk", ["town"])
    number = county.person(9)
    assert first["id_number"] == number[:4] + "*" * 10 + number[-4:]
    assert first["granted_at"][:4] >= "2024"
    code, text, _ = run("relief", "list")
    assert code == 0 and number not in text and "1/2" in text and "测试9" in text
