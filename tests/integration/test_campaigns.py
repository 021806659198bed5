"""One-off campaigns (冬春救助), on both backends (SPEC: Beyond the monthly roster).

The county (tests/county.py; every case from 2024-01, all paid in January):

| seq | programme(s)               | town   | household |
|-----|----------------------------|--------|-----------|
| 1   | dibao and disability_living | 城关镇 | 3         |
| 2   | disability_living          | 城关镇 | 1         |
| 3   | dibao                      | 河口镇 | 3         |
| 4   | tekun                      | 城关镇 | 1         |
| 5   | dibao                      | 城关镇 | 2         |

A campaign targeted at dibao and disability_living in 城关镇 takes persons 1 (once, though in
both programmes), 2 and 5: not 3 (another town) nor 4 (another programme).
Per household at 200.00: 200.00 + 200.00 + 200.00 = 600.00.
Per person at 50.00: 3 × 50.00 + 1 × 50.00 + 2 × 50.00 = 150.00 + 50.00 + 100.00 = 300.00.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from ledger.cli.main import main
from ledger.services.enrolment import import_roster
from ledger.services.runtime import Runtime
from projections import schema
from projections.payment_lines import LINES
from projections.rebuild import rebuild
from projections.reports import journal_balance
from tests import county
from tests.databases import dump_read_model

TARGET = ("--programmes", "dibao,disability_living", "--towns", "城关镇")


def run(*args: str, by: str = "clerk") -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={"LEDGER_USER": by})
    return result.exit_code, result.stdout, result.stderr


def ok(*args: str, by: str = "clerk") -> str:
    code, out, err = run(*args, by=by)
    assert code == 0, err + out
    return out


def _county(rt: Runtime, tmp_path: Path) -> None:
    county.set_standards(rt.app)
    rows = [county.row(1, "dibao"), county.row(1, "disability_living"),
            county.row(2, "disability_living"), county.row(3, "dibao", town="河口镇"),
            county.row(4, "tekun"), county.row(5, "dibao", household_size=2)]
    assert not import_roster(rt, county.write(tmp_path / "r.csv", rows), county.TODAY,
                             "clerk").problems


def _create(name: str, *extra: str) -> dict:
    return json.loads(ok("campaign", "create", name, "--month", "2024-01", *extra, "--json"))


def _payments(rt: Runtime) -> list[tuple[str, str, int, str]]:
    """(name, formula's campaign, amount, status) of every campaign line, by name and amount."""
    p = LINES.c
    rt.read_model.catch_up()
    with rt.engine.connect() as conn:
        rows = conn.execute(select(p.name, p.formula, p.amount, p.status, p.programme, p.kind)
                            .where(p.batch_kind == "campaign")).all()
    assert {(r.programme, r.kind) for r in rows} <= {("campaign", "campaign")}
    return sorted((r.name, r.formula.split(":")[0], r.amount, r.status) for r in rows)


def test_cash_campaigns_pay_each_targeted_household_or_person_once_in_their_own_batch(
        rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    per_household = _create("冬春救助", "--per", "household", "--amount", "200", *TARGET)
    assert (per_household["recipients"], per_household["total"]) == (3, "600.00")
    per_person = _create("春节慰问", "--per", "person", "--amount", "50.00", *TARGET)
    assert (per_person["recipients"], per_person["persons"], per_person["total"]) == (
        3, 6, "300.00")

    batch = json.loads(ok("payroll", "run", "--month", "2024-01", "--kind", "campaign",
                          "--on", "2024-01-05", "--json"))
    assert (batch["kind"], batch["payments"], batch["total"]) == ("campaign", 6, "900.00")
    assert batch["by_programme"] == {"campaign": {"payments": 6, "total": "900.00"}}
    expected = [("测试1", "冬春救助", 200_00, "draft"), ("测试1", "春节慰问", 150_00, "draft"),
                ("测试2", "冬春救助", 200_00, "draft"), ("测试2", "春节慰问", 50_00, "draft"),
                ("测试5", "冬春救助", 200_00, "draft"), ("测试5", "春节慰问", 100_00, "draft")]
    assert _payments(rt) == expected

    # Run again: the same batch and the same lines, nobody twice.
    again = json.loads(ok("payroll", "run", "--month", "2024-01", "--kind", "campaign",
                          "--on", "2024-01-05", "--json"))
    assert (again["batch_id"], again["payments"], again["total"]) == (
        batch["batch_id"], 6, "900.00")
    assert _payments(rt) == expected

    # Maker–checker, then the batch is done: a further run is refused and pays nobody again.
    assert run("payroll", "approve", batch["batch_id"], by="clerk")[0] == 1
    ok("payroll", "approve", batch["batch_id"], by="checker")
    assert run("payroll", "run", "--month", "2024-01", "--kind", "campaign",
               "--on", "2024-01-05")[0] == 1
    assert _payments(rt) == [(n, c, a, "approved") for n, c, a, _ in expected]

    # The roster (花名册): 保障人数 is the people each line counts (household 1: 3, household 5: 2).
    roster = tmp_path / "roster.csv"
    ok("report", "roster", "--month", "2024-01", "--csv", str(roster))
    lines = list(csv.reader(io.StringIO(roster.read_text(encoding="utf-8-sig"))))
    assert sorted((r[2], r[6], r[9], r[10]) for r in lines[1:-1]) == [
        ("测试1", "救助活动", "150.00", "3"), ("测试1", "救助活动", "200.00", "3"),
        ("测试2", "救助活动", "200.00", "1"), ("测试2", "救助活动", "50.00", "1"),
        ("测试5", "救助活动", "100.00", "2"), ("测试5", "救助活动", "200.00", "2")]

    # The bank file's 项目 names each campaign.
    out = tmp_path / "bank.csv"
    ok("bankfile", "export", batch["batch_id"], "--format", "csv", "--out", str(out),
       "--encoding", "utf-8", by="cashier")
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][6] == "项目"
    assert sorted((r[1], r[5], r[6]) for r in rows[1:-1]) == [
        ("测试1", "150.00", "春节慰问"), ("测试1", "200.00", "冬春救助"),
        ("测试2", "200.00", "冬春救助"), ("测试2", "50.00", "春节慰问"),
        ("测试5", "100.00", "春节慰问"), ("测试5", "200.00", "冬春救助")]
    assert rows[-1][:3] == ["合计", "6", "900.00"]

    # A campaign payment's trace shows the campaign that decided it.
    p = schema.payments.c
    with rt.engine.connect() as conn:
        pid = conn.execute(select(p.payment_id).where(p.batch_kind == "campaign",
                                                      p.amount == 150_00)).scalar_one()
    trace = json.loads(ok("trace", pid, "--json"))
    assert trace["amount"] == "150.00"
    created = [e for e in trace["events"] if e["type"].endswith("Campaign.Created")]
    assert created and created[0]["name"] == "春节慰问" and created[0]["amount"] == "50.00"

    # The fund report counts the campaign payments; the journal balances.
    funds = json.loads(ok("report", "funds", "--year", "2024", "--json"))
    assert funds["programmes"]["campaign"] == {"paid": "900.00", "returned": "0.00",
                                               "net": "900.00", "payments": 6}
    with rt.engine.connect() as conn:
        debit, credit = journal_balance(conn)
    assert debit == credit and debit >= 900_00


def test_a_campaign_created_after_the_draft_needs_a_rerun_and_none_after_approval(
        rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    _create("冬春救助", "--per", "household", "--amount", "200", *TARGET)
    batch = json.loads(ok("payroll", "run", "--month", "2024-01", "--kind", "campaign",
                          "--on", "2024-01-05", "--json"))
    # Persons 1, 3 and 5 are the dibao households: 3 × 100.00 = 300.00 more.
    _create("补充慰问", "--per", "household", "--amount", "100", "--programmes", "dibao")
    code, _, err = run("payroll", "approve", batch["batch_id"], by="checker")
    assert code == 1 and "补充慰问 was created after" in err
    again = json.loads(ok("payroll", "run", "--month", "2024-01", "--kind", "campaign",
                          "--on", "2024-01-05", "--json"))
    assert (again["batch_id"], again["payments"], again["total"]) == (
        batch["batch_id"], 6, "900.00")
    ok("payroll", "approve", batch["batch_id"], by="checker")

    code, _, err = run("campaign", "create", "迟到慰问", "--month", "2024-01", "--per",
                       "household", "--amount", "100")
    assert code == 1 and "already approved" in err
    assert sorted(c["name"] for c in json.loads(ok("campaign", "list", "--json"))["campaigns"]
                  ) == ["冬春救助", "补充慰问"]


def test_an_in_kind_campaign_lists_exactly_the_household_not_yet_served(
        rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    created = _create("棉被发放", "--per", "household", "--items", "棉被 1床；面粉 10kg",
                      "--programmes", "dibao")
    assert (created["kind"], created["recipients"], created["persons"]) == ("in_kind", 3, 8)
    ok("campaign", "deliver", "棉被发放", county.person(1), "--date", "2024-01-12",
       "--received-by", "测试1")
    ok("campaign", "deliver", created["campaign_id"], county.person(3), "--date", "2024-01-13",
       "--received-by", "测试3之子")

    # Delivered twice, or to someone not in it: refused, nothing recorded.
    code, _, err = run("campaign", "deliver", "棉被发放", county.person(1), "--date",
                       "2024-01-14", "--received-by", "测试1")
    assert code == 1 and "already received" in err
    code, _, err = run("campaign", "deliver", "棉被发放", county.person(2), "--date",
                       "2024-01-14", "--received-by", "测试2")
    assert code == 1 and "not in campaign" in err and county.person(2) not in err

    # Bad input: exit 2 with a message, nothing recorded.
    before = rt.app.recorder.max_notification_id()
    bad_check = county.person(5)[:-1] + ("0" if county.person(5)[-1] != "0" else "1")
    code, _, err = run("campaign", "deliver", "棉被发放", bad_check, "--date", "2024-01-14",
                       "--received-by", "测试5")
    assert code == 2 and "bad input" in err and bad_check not in err
    code, _, err = run("campaign", "deliver", "棉被发放", county.person(5), "--date",
                       "2024-13-01", "--received-by", "测试5")
    assert code == 2 and "2024-13-01" in err
    code, _, err = run("campaign", "deliver", "没有这个活动", county.person(5), "--date",
                       "2024-01-14", "--received-by", "测试5")
    assert code == 2 and "no campaign" in err
    assert rt.app.recorder.max_notification_id() == before

    report = json.loads(ok("campaign", "show", "棉被发放", "--json"))
    assert (report["received"], report["not_received"]) == (2, 1)
    people = {r["name"]: r for r in report["people"]}
    assert [n for n, r in people.items() if not r["received"]] == ["测试5"]
    assert (people["测试1"]["received_on"], people["测试3"]["received_by"]) == (
        "2024-01-12", "测试3之子")
    assert people["测试5"]["id_number"] != county.person(5)
    assert people["测试5"]["id_number"][:4] == county.person(5)[:4]
    text = ok("campaign", "show", "棉被发放")
    assert "NOT RECEIVED" in text and county.person(5) not in text
    # No bank line: an in-kind campaign is never in a batch.
    assert run("payroll", "run", "--month", "2024-01", "--kind", "campaign",
               "--on", "2024-01-05")[0] == 1
    with rt.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.payments)).scalar() == 0


def test_a_campaign_with_neither_or_both_amount_and_items_is_refused_and_nothing_recorded(
        rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    before = rt.app.recorder.max_notification_id()
    code, _, err = run("campaign", "create", "冬春救助", "--month", "2024-01", "--per",
                       "household")
    assert code == 2 and "--amount YUAN (cash) or --items TEXT (in kind)" in err
    code, _, err = run("campaign", "create", "冬春救助", "--month", "2024-01", "--per",
                       "person", "--amount", "100", "--items", "棉被 1床")
    assert code == 2 and "not both" in err
    code, _, err = run("campaign", "create", "冬春救助", "--month", "2024-01", "--per",
                       "person", "--amount", "100", "--programmes", "dibao,nonsense")
    assert code == 2 and "unknown programme(s) nonsense" in err
    assert rt.app.recorder.max_notification_id() == before
    assert json.loads(ok("campaign", "list", "--json")) == {"campaigns": []}


def test_rebuilding_gives_the_same_campaign_tables(rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    _create("冬春救助", "--per", "person", "--amount", "50", *TARGET)
    _create("棉被发放", "--per", "household", "--items", "棉被 1床", "--programmes", "dibao")
    ok("campaign", "deliver", "棉被发放", county.person(5), "--date", "2024-01-12",
       "--received-by", "测试5")
    batch = json.loads(ok("payroll", "run", "--month", "2024-01", "--kind", "campaign",
                          "--on", "2024-01-05", "--json"))
    ok("payroll", "approve", batch["batch_id"], by="checker")
    rt.read_model.catch_up()
    before = dump_read_model(rt)
    assert len(before["rm_campaigns"]) == 2 and len(before["rm_campaign_handovers"]) == 1
    rebuild(rt.read_model)
    assert dump_read_model(rt) == before
    ok("verify")


def test_a_household_member_with_a_case_of_their_own_is_counted_once_with_the_household(
        rt: Runtime, tmp_path: Path) -> None:
    from ledger.domain.calendar import Month
    from ledger.services.members import add_member

    _county(rt, tmp_path)
    # Household 5 records its members: 5 (self) and 2 (spouse), who is also in
    # disability_living. Per person at 50.00: household 1 3 × 50.00 = 150.00, household 5
    # 2 × 50.00 = 100.00, person 2 not again: 250.00 for 2 recipients.
    add_member(rt, county.person(5), county.person(5), "测试5", "self", Month(2024, 1), "clerk")
    add_member(rt, county.person(5), county.person(2), "测试2", "spouse", Month(2024, 1), "clerk")
    created = _create("春节慰问", "--per", "person", "--amount", "50", *TARGET)
    assert (created["recipients"], created["persons"], created["total"]) == (2, 5, "250.00")
    in_kind = _create("棉被发放", "--per", "household", "--items", "棉被 1床", *TARGET)
    # The member's own ID number finds the household's share: one hand-over for both.
    ok("campaign", "deliver", "棉被发放", county.person(2), "--date", "2024-01-12",
       "--received-by", "测试2")
    code, _, err = run("campaign", "deliver", in_kind["campaign_id"], county.person(5),
                       "--date", "2024-01-13", "--received-by", "测试5")
    assert code == 1 and "already received" in err
    people = {r["name"]: r["received"] for r in
              json.loads(ok("campaign", "show", "棉被发放", "--json"))["people"]}
    assert people == {"测试1": False, "测试5": True}


@pytest.mark.parametrize("ledger", ["rt", "keyed"])
def test_a_returned_campaign_transfer_is_paid_again_once_the_persons_account_is_corrected(
        ledger: str, ledger_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """冬春救助 200.00 a household to persons 1, 2 and 5; the bank returns person 1's. A
    campaign line names its campaign, not a case, so February's regular draft holds it;
    once person 1's account is corrected (on their dibao case), February pays it again:
    a 200.00 ``campaign`` reissue for January on that case, to the new account, once.
    With a key too: the person is found by the keyed hash of the sealed ID number."""
    rt: Runtime = request.getfixturevalue(ledger)
    from ledger.domain import ids
    from ledger.domain.calendar import Month
    from ledger.services.batches import approve_batch, batch_lines, batch_row
    from ledger.services.case_changes import update_case
    from ledger.services.payroll_run import run_payroll

    _county(rt, tmp_path)
    approve_batch(rt, run_payroll(rt, Month(2024, 1), "clerk").id, "checker")
    _create("冬春救助", "--per", "household", "--amount", "200", *TARGET)
    batch = json.loads(ok("payroll", "run", "--month", "2024-01", "--kind", "campaign",
                          "--on", "2024-01-05", "--json"))
    ok("payroll", "approve", batch["batch_id"], by="checker")
    out = tmp_path / "campaign.csv"
    ok("bankfile", "export", batch["batch_id"], "--format", "csv", "--out", str(out),
       by="cashier")
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("gbk"), newline="")))
    refs = {r[2]: r[8] for r in rows[1:-1]}
    returned = refs[county.person(1)]
    results = tmp_path / "results.csv"
    results.write_text("付款编号,状态,原因\n" + "".join(
        f"{ref},{'失败' if ref == returned else '成功'},{'账户已销户' if ref == returned else ''}\n"
        for ref in refs.values()), encoding="utf-8")
    ok("bankfile", "import-results", str(results), by="cashier")

    feb = Month(2024, 2)
    draft = run_payroll(rt, feb, "clerk")
    held = json.loads(batch_row(rt, draft.id)["report"])["held"]
    assert [(h["payment_id"], h["programme"], h["amount"]) for h in held] == [
        (returned, "campaign", 200_00)]
    assert not [ln for ln in batch_lines(rt, draft.id) if ln["kind"] == "reissue"]

    case1 = ids.case_id(rt.app.person_key(county.person(1)), "dibao")
    update_case(rt.app, case1, feb, "clerk", bank_account=county.card(101),
                bank_name="县农商银行")
    rt.read_model.catch_up()
    february = run_payroll(rt, feb, "clerk")
    assert february.id == draft.id
    assert json.loads(batch_row(rt, february.id)["report"])["held"] == []
    again = [ln for ln in batch_lines(rt, february.id) if ln["kind"] == "reissue"]
    assert [(ln["case_id"], ln["programme"], ln["for_month"], ln["amount"], ln["reissue_of"])
            for ln in again] == [(case1.hex, "campaign", "2024-01", "200.00", [returned])]
    approve_batch(rt, february.id, "checker")
    out = tmp_path / "feb.csv"
    ok("bankfile", "export", february.id.hex, "--format", "csv", "--out", str(out),
       by="cashier")
    sent = {r[8]: r for r in list(csv.reader(io.StringIO(out.read_bytes().decode("gbk"),
                                                         newline="")))[1:-1]}
    assert (sent[again[0]["payment_id"]][3], sent[again[0]["payment_id"]][5]) == (
        county.card(101), "200.00")

    march = run_payroll(rt, Month(2024, 3), "clerk")  # paid again once, never twice
    assert not [ln for ln in batch_lines(rt, march.id) if ln["kind"] == "reissue"]
    incremental = dump_read_model(rt)
    rebuild(rt.read_model)
    assert dump_read_model(rt) == incremental
