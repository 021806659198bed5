"""`ledger member add|remove`, `ledger members import` and `case show` of a household, through
the CLI on both backends: exit codes, nothing recorded on refusal, no full ID number printed."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from tests import county
from tests.integration.test_core_commands import event_count, run

APPLICANT = county.person(1)
SPOUSE = county.person(11)
CHILD = county.person(12, date(2010, 3, 4))
TEKUN_PERSON = county.person(3)
NOBODY = county.person(40)
HEADER_ZH = ["申请人身份证号", "身份证号", "姓名", "与申请人关系", "纳入月份"]


@pytest.fixture
def ledger(ledger_url: str, tmp_path: Path) -> str:
    assert run("init")[0] == 0
    rows = [county.row(1, "dibao", household_size=2), county.row(3, "tekun")]
    code, _, err = run("roster", "import", str(county.write(tmp_path / "r.csv", rows)),
                       "--today", "2024-12-31")
    assert code == 0, err
    return ledger_url


def _file(path: Path, rows: list[list[str]], encoding: str = "utf-8",
          header: list[str] = HEADER_ZH) -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def _full_numbers_in(text: str) -> list[str]:
    return [n for n in (APPLICANT, SPOUSE, CHILD, TEKUN_PERSON, NOBODY) if n in text]


def test_member_add_then_case_show_by_the_members_number_lists_the_household(
        ledger: str) -> None:
    code, out, err = run("member", "add", APPLICANT, "--id-number", SPOUSE, "--name", "配偶",
                         "--relation", "配偶", "--from", "2024-02")
    assert code == 0, err
    code, out, err = run("case", "show", SPOUSE, "--json")
    assert code == 0, err
    case = json.loads(out)["cases"][0]
    assert case["programme"] == "dibao"
    assert case["members"] == [{"name": "配偶", "id_number": SPOUSE[:4] + "*" * 10 + SPOUSE[-4:],
                                "relation": "spouse", "from": "2024-02", "to": None,
                                "reason": None, "classes": []}]
    run("member", "remove", SPOUSE, "--from", "2024-05", "--reason", "moved")
    code, out, _ = run("case", "show", APPLICANT)
    assert "member 配偶" in out and "from 2024-02 to 2024-05 (moved)" in out
    assert _full_numbers_in(out) == []


def test_a_tekun_person_as_a_member_is_refused_with_nothing_recorded(ledger: str) -> None:
    before = event_count(ledger)
    code, out, err = run("member", "add", APPLICANT, "--id-number", TEKUN_PERSON, "--name",
                         "测试3", "--relation", "parent", "--from", "2024-02")
    assert code == 1
    assert "tekun" in err and _full_numbers_in(out + err) == []
    assert event_count(ledger) == before


def test_member_add_with_a_wrong_check_digit_is_bad_input(ledger: str) -> None:
    wrong = SPOUSE[:17] + ("0" if SPOUSE[17] != "0" else "1")
    before = event_count(ledger)
    code, _, err = run("member", "add", APPLICANT, "--id-number", wrong, "--name", "配偶",
                       "--relation", "spouse", "--from", "2024-02")
    assert code == 2 and "check digit" in err
    assert event_count(ledger) == before


def test_removing_someone_who_is_not_a_member_is_refused(ledger: str) -> None:
    code, _, err = run("member", "remove", NOBODY, "--from", "2024-02", "--reason", "death")
    assert code == 1 and "not a household member" in err


def test_a_gbk_members_list_is_imported_once_and_twice_records_nothing(
        ledger: str, tmp_path: Path) -> None:
    path = _file(tmp_path / "m.csv", [[APPLICANT, APPLICANT, "测试1", "本人", "2024-01"],
                                      [APPLICANT, SPOUSE, "配偶", "配偶", "2024-01"],
                                      [APPLICANT, CHILD, "孩子", "子女", "2024-03"]], "gbk")
    code, out, err = run("members", "import", str(path), "--dry-run")
    assert code == 0 and "would add 3" in out
    assert event_count(ledger) > 0
    before = event_count(ledger)
    code, out, err = run("members", "import", str(path))
    assert code == 0, err
    assert "added 3 member(s); 0 already" in out
    after = event_count(ledger)
    assert after == before + 3
    code, out, err = run("members", "import", str(path))
    assert code == 0 and "added 0 member(s); 3 already" in out
    assert event_count(ledger) == after
    code, out, _ = run("case", "show", APPLICANT, "--month", "2024-03", "--json")
    assert json.loads(out)["cases"][0]["household_size"] == 3


def test_every_bad_row_of_a_members_list_is_reported_and_nothing_recorded(
        ledger: str, tmp_path: Path) -> None:
    wrong = CHILD[:17] + ("0" if CHILD[17] != "0" else "1")
    path = _file(tmp_path / "bad.csv", [
        [APPLICANT, SPOUSE, "配偶", "spouse", "2024-01"],
        [NOBODY, NOBODY, "外人", "self", "2024-01"],       # not a dibao payee
        [APPLICANT, SPOUSE, "配偶", "spouse", "2024-02"],   # the same person again
        [APPLICANT, wrong, "孩子", "child", "2024-01"],     # wrong check digit
    ], header=["applicant_id_number", "id_number", "name", "relation", "from_month"])
    before = event_count(ledger)
    code, out, err = run("members", "import", str(path))
    assert code == 2
    lines = err.splitlines()
    assert f"{path}:4: id_number: duplicate: the same person as row 2" in lines
    assert f"{path}:5: id_number: wrong check digit" in lines
    assert any(ln.startswith(f"{path}:3: applicant_id_number: ") and "not the applicant" in ln
               for ln in lines)
    assert _full_numbers_in(out + err) == []
    assert event_count(ledger) == before


def test_a_members_list_the_rules_refuse_exits_1(ledger: str, tmp_path: Path) -> None:
    path = _file(tmp_path / "m.csv", [[APPLICANT, SPOUSE, "配偶", "配偶", "2024-01"],
                                      [APPLICANT, TEKUN_PERSON, "测试3", "父母", "2024-01"]])
    before = event_count(ledger)
    code, _, err = run("members", "import", str(path))
    assert code == 1 and f"{path}:3: id_number: " in err and "tekun" in err
    assert event_count(ledger) == before


def test_member_correct_fixes_a_mistyped_name_for_every_month_and_keeps_the_typo_in_the_log(
        ledger: str) -> None:
    assert run("member", "add", APPLICANT, "--id-number", SPOUSE, "--name", "配隅",
               "--relation", "child", "--from", "2024-02")[0] == 0
    assert run("member", "remove", SPOUSE, "--from", "2024-05", "--reason", "moved")[0] == 0
    before = event_count(ledger)
    code, out, err = run("member", "correct", APPLICANT, "--id-number", SPOUSE, "--name", "配偶",
                         "--relation", "配偶", "--reason", "户口本核对：录入错误", "--by", "checker")
    assert code == 0, err
    assert "corrected" in out and _full_numbers_in(out + err) == []
    assert event_count(ledger) == before + 1
    code, out, _ = run("case", "show", APPLICANT, "--json")
    [member] = json.loads(out)["cases"][0]["members"]
    # The period the correction did not touch (2024-02 to 2024-05, moved) reads corrected.
    assert (member["name"], member["relation"], member["from"], member["to"]) == (
        "配偶", "spouse", "2024-02", "2024-05")
    code, out, _ = run("audit", "--since", "2000-01-01", "--json")
    corrections = [e for e in json.loads(out)["entries"] if e["event"] == "Case.MemberCorrected"]
    assert [(e["user"], e["reason"]) for e in corrections] == [("checker", "户口本核对：录入错误")]
    # Asked again, it already reads so: nothing recorded.
    code, out, _ = run("member", "correct", APPLICANT, "--id-number", SPOUSE, "--name", "配偶",
                       "--reason", "again")
    assert code == 0 and "nothing recorded" in out
    assert event_count(ledger) == before + 1


@pytest.mark.parametrize(("args", "code", "said"), [
    (["--id-number", NOBODY, "--name", "谁"], 1, "not a recorded member"),
    (["--id-number", SPOUSE], 2, "nothing to correct"),
    (["--id-number", SPOUSE, "--relation", "self"], 2, "only the applicant"),
    (["--id-number", SPOUSE, "--name", "=HYPERLINK(1)"], 2, "formula"),
    (["--id-number", SPOUSE, "--name", " "], 2, "name: empty"),
])
def test_a_member_correction_that_cannot_stand_changes_nothing(
        ledger: str, args: list[str], code: int, said: str) -> None:
    assert run("member", "add", APPLICANT, "--id-number", SPOUSE, "--name", "配偶",
               "--relation", "spouse", "--from", "2024-02")[0] == 0
    before = event_count(ledger)
    got, out, err = run("member", "correct", APPLICANT, *args, "--reason", "更正")
    assert (got, said in err) == (code, True), err
    assert _full_numbers_in(out + err) == []
    assert event_count(ledger) == before


def test_a_member_from_before_their_birth_is_bad_input_and_nothing_recorded(
        ledger: str, tmp_path: Path) -> None:
    """A baby born 2024-03-04 cannot be a member from 2024-02: the household would be paid
    for a child not yet born (the roster refuses a payee's start month so, too)."""
    baby = county.person(14, date(2024, 3, 4))
    before = event_count(ledger)
    code, out, err = run("member", "add", APPLICANT, "--id-number", baby, "--name", "婴儿",
                         "--relation", "child", "--from", "2024-02")
    assert code == 2 and "before the birth date" in err and "Traceback" not in err
    path = _file(tmp_path / "m.csv", [[APPLICANT, SPOUSE, "配偶", "配偶", "2024-01"],
                                      [APPLICANT, baby, "婴儿", "子女", "2024-02"]])
    code, out, err = run("members", "import", str(path))
    assert code == 2
    assert f"{path}:3: 纳入月份: from 2024-02 is before the birth date in the ID number" in err
    assert "2024-03" not in err and baby not in out + err  # the birth date is not told
    assert event_count(ledger) == before
    code, _, err = run("member", "add", APPLICANT, "--id-number", baby, "--name", "婴儿",
                       "--relation", "child", "--from", "2024-03")  # the birth month: fine
    assert code == 0, err


def test_a_list_without_its_header_row_shows_no_full_number(ledger: str,
                                                            tmp_path: Path) -> None:
    """The first data row taken for a header: its cells named as unknown columns, masked."""
    bare = tmp_path / "bare.csv"
    with bare.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerow([APPLICANT, SPOUSE, "配偶", "配偶", "2024-01"])
    before = event_count(ledger)
    for command in (["members", "import"], ["deaths", "import"], ["roster", "import"]):
        code, out, err = run(*command, str(bare))
        assert code == 2, (command, err)
        assert "unknown column" in err and _full_numbers_in(out + err) == [], (command, err)
        assert APPLICANT[:4] + "*" * 10 + APPLICANT[-4:] in err
    assert event_count(ledger) == before
