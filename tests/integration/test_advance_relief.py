"""Advance relief (先行救助), on both backends: paid by an out-of-cycle relief batch before
its approvals, approved or refused afterwards, never paid twice (SPEC: Beyond the monthly
roster).

Person 9 is a rural dibao applicant (tests/county.py, standard 443.00): a relief of
2 × 443.00 = 886.00 needs one approval. Granted on Wednesday 2024-01-10.
"""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

from sqlalchemy import select

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from ledger.services.trace import trace_payment
from projections.payment_lines import LINES
from tests import county
from tests.integration.test_relief_list import grant, run


def _county(rt: Runtime, tmp_path: Path) -> None:
    county.set_standards(rt.app)
    assert not import_roster(rt, county.write(tmp_path / "r.csv", [county.row(9, "dibao")]),
                             county.TODAY, "clerk").problems


def _relief_batch(month: str = "2024-01") -> dict:
    code, out, err = run("payroll", "run", "--month", month, "--kind", "relief", "--on",
                         "2024-01-11", "--json")
    assert code == 0, err + out
    return json.loads(out)


def _reliefs(on: str = "2024-01-11", *extra: str) -> list[dict]:
    code, out, err = run("relief", "list", "--json", "--on", on, *extra)
    assert code == 0, err
    return json.loads(out)["reliefs"]


def _relief_payments(rt: Runtime, relief: str) -> list[tuple[str, str, str, int, str]]:
    p = LINES.c
    rt.read_model.catch_up()
    with rt.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(  # type: ignore[misc]
            select(p.payment_id, p.batch_kind, p.batch_month, p.amount, p.status)
            .where(p.case_id == relief, p.own_status != "withdrawn"))]


def test_an_advance_relief_is_paid_before_approval_then_approved_and_never_paid_again(
        rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    advance = grant(county.person(9), 2, "火灾", "--advance")
    waiting = grant(county.person(9), 1, "疾病")  # not in advance: waits for its approval
    [listed, _] = [r for r in _reliefs() if r["relief_id"] in (advance, waiting)]
    assert (listed["relief_id"], listed["advance"], listed["status"], listed["approvals_due"],
            listed["overdue"]) == (advance, True, "awaiting approval", "2024-02-07", False)

    batch = _relief_batch()
    assert (batch["kind"], batch["payments"], batch["total"]) == ("relief", 1, "886.00")
    # maker–checker: whoever ran the batch cannot approve it
    assert run("payroll", "approve", batch["batch_id"], by="clerk")[0] == 1
    assert run("payroll", "approve", batch["batch_id"], by="checker")[0] == 0
    pid = ids.relief_payment_id(UUID(advance)).hex
    assert _relief_payments(rt, advance) == [(pid, "relief", "2024-01", 886_00, "approved")]
    assert _reliefs()[0]["payment"] == "paid"

    assert run("relief", "approve", advance, by="town")[0] == 0
    assert run("relief", "approve", waiting, by="town")[0] == 0
    # The regular payroll pays the approved one, not the advance relief a second time
    regular = run_payroll(rt, Month(2024, 1), "clerk")
    assert _relief_payments(rt, advance) == [(pid, "relief", "2024-01", 886_00, "approved")]
    assert [r[1:] for r in _relief_payments(rt, waiting)] == [
        ("regular", "2024-01", 443_00, "draft")]
    assert regular.id != UUID(batch["batch_id"])
    # ...and a later relief batch finds nothing left to pay
    assert _relief_batch("2024-02")["payments"] == 0
    assert {r["relief_id"]: r["status"] for r in _reliefs()}[advance] == "paid"


def test_an_advance_relief_refused_after_payment_stands_with_a_recovery_decision(
        rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    advance = grant(county.person(9), 2, "火灾", "--advance")
    batch = _relief_batch()
    assert run("payroll", "approve", batch["batch_id"], by="checker")[0] == 0
    before = rt.app.recorder.max_notification_id()
    assert run("relief", "refuse", advance, "--reason", "不符合条件", by="clerk")[0] == 1  # granter
    assert rt.app.recorder.max_notification_id() == before

    code, out, err = run("relief", "refuse", advance, "--reason", "不符合条件", by="town")
    assert code == 0, err
    assert "paid 886.00 stands, to be recovered" in out
    [relief] = _reliefs()
    assert (relief["status"], relief["payment"], relief["refusal"]["reason"],
            relief["refusal"]["by"], relief["refusal"]["recovery"]) == (
        "refused", "paid", "不符合条件", "town", "886.00")
    # The payment is not reversed, and its trace shows the refusal and the recovery decided
    pid = ids.relief_payment_id(UUID(advance))
    assert _relief_payments(rt, advance) == [(pid.hex, "relief", "2024-01", 886_00, "approved")]
    refused = [e for e in trace_payment(rt, pid)["events"] if e["type"].endswith("Refused")]
    assert refused and refused[0]["recovery"] == 886_00
    # Refused: never approved, never refused twice (exit 1, nothing recorded)
    before = rt.app.recorder.max_notification_id()
    assert run("relief", "approve", advance, by="chief")[0] == 1
    assert run("relief", "refuse", advance, "--reason", "again", by="chief")[0] == 1
    assert rt.app.recorder.max_notification_id() == before


def test_an_advance_relief_refused_before_payment_is_taken_out_of_the_relief_draft(
        rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    advance = grant(county.person(9), 2, "火灾", "--advance")
    assert _relief_batch()["payments"] == 1
    assert run("relief", "refuse", advance, "--reason", "不符合条件", by="town")[0] == 0
    assert _relief_batch()["payments"] == 0
    assert _reliefs()[0]["refusal"]["recovery"] == "0.00"


def test_overdue_advance_relief_counts_working_days_less_holidays(
        rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    advance = grant(county.person(9), 2, "火灾", "--advance")
    grant(county.person(9), 1, "疾病")  # not in advance: never overdue
    assert run("policy", "set", "relief.advance_approval_days", "3", "--from",
               "2024-01-01")[0] == 0
    # Wed 10th + 3 working days: Thu 11, Fri 12, Mon 15 -> due Monday 15th
    assert [r["relief_id"] for r in _reliefs("2024-01-16", "--overdue")] == [advance]
    assert _reliefs("2024-01-15", "--overdue") == []
    # Thursday 11th a holiday: Fri 12, Mon 15, Tue 16 -> due Tuesday 16th
    assert run("policy", "set", "calendar.holidays", "2024-01-11", "--from", "2024-01-01")[0] == 0
    assert _reliefs("2024-01-16", "--overdue") == []
    [late] = _reliefs("2024-01-17", "--overdue")
    assert (late["relief_id"], late["approvals_due"], late["overdue"]) == (
        advance, "2024-01-16", True)
    code, out, _ = run("relief", "list", "--overdue", "--on", "2024-01-17")
    assert code == 0 and "OVERDUE" in out and county.person(9) not in out
    # approved: no longer overdue
    assert run("relief", "approve", advance, by="town")[0] == 0
    assert _reliefs("2024-01-17", "--overdue") == []


def test_a_returned_relief_transfer_is_held_until_its_account_is_corrected_then_reissued(
        rt: Runtime, tmp_path: Path) -> None:
    """A relief of 2 × 443.00 = 886.00, approved, paid by January's regular payroll to
    person 9's card; the bank returns it. February holds it; once the relief's account is
    corrected, February pays it again: a 886.00 ``reissue`` of programme ``temporary`` for
    January, to the new account, once. The household's own dibao line is untouched."""
    import csv
    import io

    from ledger.services.batches import approve_batch, batch_lines, batch_row
    from projections.rebuild import rebuild
    from tests.databases import dump_read_model

    _county(rt, tmp_path)
    relief = grant(county.person(9), 2, "火灾")
    assert run("relief", "approve", relief, by="approver")[0] == 0
    january = run_payroll(rt, Month(2024, 1), "clerk")
    approve_batch(rt, january.id, "checker")
    out = tmp_path / "jan.csv"
    code, _, err = run("bankfile", "export", january.id.hex, "--format", "csv", "--out",
                       str(out), by="cashier")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("gbk"), newline="")))[1:-1]
    returned = next(r[8] for r in rows if r[6] == "临时救助")
    results = tmp_path / "results.csv"
    results.write_text("付款编号,状态,原因\n" + "".join(
        f"{r[8]},{'失败' if r[8] == returned else '成功'},"
        f"{'账户已销户' if r[8] == returned else ''}\n" for r in rows), encoding="utf-8")
    assert run("bankfile", "import-results", str(results), by="cashier")[0] == 0

    feb = Month(2024, 2)
    draft = run_payroll(rt, feb, "clerk")
    assert json.loads(batch_row(rt, draft.id)["report"])["held"] == [
        {"payment_id": returned, "case_id": relief, "programme": "temporary",
         "amount": 886_00, "for_month": "2024-01"}]

    before = rt.app.recorder.max_notification_id()
    for bad in (["--bank-account", "6217x", "--bank-name", "县农商银行", "--reason", "销户"],
                ["--bank-account", county.card(909), "--bank-name", "县农商银行",
                 "--reason", ""],
                ["--bank-account", county.card(9), "--bank-name", county.row(9, "dibao")[
                    "bank_name"], "--reason", "销户"]):
        code, out_, err = run("relief", "account", relief, *bad)
        assert code != 0 and "Traceback" not in err, (bad, out_, err)
    assert run("relief", "account", "0" * 32, "--bank-account", county.card(909),
               "--bank-name", "县农商银行", "--reason", "销户")[0] != 0
    assert rt.app.recorder.max_notification_id() == before

    code, out_, err = run("relief", "account", relief, "--bank-account", county.card(909),
                          "--bank-name", "县农商银行", "--reason", "原账户已销户")
    assert code == 0, err
    assert county.card(909) not in out_
    february = run_payroll(rt, feb, "clerk")
    assert february.id == draft.id
    assert json.loads(batch_row(rt, february.id)["report"])["held"] == []
    again = [ln for ln in batch_lines(rt, february.id) if ln["kind"] == "reissue"]
    assert [(ln["case_id"], ln["programme"], ln["for_month"], ln["amount"], ln["reissue_of"])
            for ln in again] == [(relief, "temporary", "2024-01", "886.00", [returned])]
    dibao = [ln for ln in batch_lines(rt, february.id) if ln["programme"] == "dibao"]
    assert [ln["kind"] for ln in dibao] == ["regular"]
    approve_batch(rt, february.id, "checker")
    out = tmp_path / "feb.csv"
    assert run("bankfile", "export", february.id.hex, "--format", "csv", "--out", str(out),
               by="cashier")[0] == 0
    sent = {r[8]: r for r in list(csv.reader(io.StringIO(out.read_bytes().decode("gbk"),
                                                         newline="")))[1:-1]}
    assert (sent[again[0]["payment_id"]][3], sent[again[0]["payment_id"]][4],
            sent[again[0]["payment_id"]][5]) == (county.card(909), "县农商银行", "886.00")

    march = run_payroll(rt, Month(2024, 3), "clerk")
    assert not [ln for ln in batch_lines(rt, march.id) if ln["kind"] == "reissue"]
    traced = trace_payment(rt, UUID(again[0]["payment_id"]))
    assert traced["reissue_of"] == [returned]
    incremental = dump_read_model(rt)
    rebuild(rt.read_model)
    assert dump_read_model(rt) == incremental


def test_a_relief_returned_for_a_wrong_name_is_paid_again_once_the_persons_name_is_corrected(
        rt: Runtime, tmp_path: Path) -> None:
    """Person 9: a dibao case and a relief of 886.00, both paid in January; the bank returns
    the relief (户名不符). `case correct-name` corrects the person's name on the case and the
    relief at once; February pays the relief again under the corrected name, same account."""
    import csv
    import io

    from ledger.services.batches import approve_batch, batch_lines
    from projections.rebuild import rebuild
    from tests.databases import dump_read_model

    _county(rt, tmp_path)
    relief = grant(county.person(9), 2, "火灾")
    assert run("relief", "approve", relief, by="approver")[0] == 0
    january = run_payroll(rt, Month(2024, 1), "clerk")
    approve_batch(rt, january.id, "checker")
    out = tmp_path / "jan.csv"
    assert run("bankfile", "export", january.id.hex, "--format", "csv", "--out", str(out),
               by="cashier")[0] == 0
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("gbk"), newline="")))[1:-1]
    sent_relief = next(r for r in rows if r[6] == "临时救助")
    returned, account = sent_relief[8], sent_relief[3]
    results = tmp_path / "results.csv"
    results.write_text("付款编号,状态,原因\n" + "".join(
        f"{r[8]},{'失败' if r[8] == returned else '成功'},{'户名不符' if r[8] == returned else ''}\n"
        for r in rows), encoding="utf-8")
    assert run("bankfile", "import-results", str(results), by="cashier")[0] == 0

    code, out_, err = run("case", "correct-name", county.person(9), "--name", "王九",
                          "--reason", "银行退回：户名不符")
    assert code == 0, err
    assert out_.count(",") == 1 and relief in out_  # the dibao case and the relief
    february = run_payroll(rt, Month(2024, 2), "clerk")
    [again] = [ln for ln in batch_lines(rt, february.id) if ln["kind"] == "reissue"]
    assert (again["case_id"], again["programme"], again["amount"], again["reissue_of"]) == (
        relief, "temporary", "886.00", [returned])
    approve_batch(rt, february.id, "checker")
    out = tmp_path / "feb.csv"
    assert run("bankfile", "export", february.id.hex, "--format", "csv", "--out", str(out),
               by="cashier")[0] == 0
    sent = {r[8]: r for r in list(csv.reader(io.StringIO(out.read_bytes().decode("gbk"),
                                                         newline="")))[1:-1]}
    assert (sent[again["payment_id"]][1], sent[again["payment_id"]][3]) == ("王九", account)
    assert {r[1] for r in sent.values()} == {"王九"}  # the dibao line too
    incremental = dump_read_model(rt)
    rebuild(rt.read_model)
    assert dump_read_model(rt) == incremental
