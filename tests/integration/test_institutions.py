"""Institutions as payees (幸福院、敬老院), on both backends: added by unified social credit
code (GB 32100 check character), granted money per month, per year or once, paid by the
regular payroll as programme ``institution``, exported with the code where a person's ID
number goes (CSV 身份证号, pain.001 ``OrgId``), in the fund report, journal and trace.

Two institutions, worked out by hand:

- 城关镇幸福院 91330100716105852F: 10,000.06 a year from 2024-01 → 1,000,006 fen ÷ 12 =
  83,333.83… fen, rounded half up to 833.34 a month; and 2,000.00 once in 2024-01.
- 河口乡敬老院 9144030071526726XG: 1,500.00 a month, 2024-01 to 2024-02.

January: 833.34 + 2,000.00 = 2,833.34 and 1,500.00; institutions 4,333.34 in 2 lines.
February: 833.34 and 1,500.00 = 2,333.34. March: 833.34 only.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from click.testing import CliRunner
from lxml import etree
from sqlalchemy import func, select, update

from ledger.adapters.bankfiles.pain001 import NAMESPACE, validate_pain001
from ledger.cli.main import main
from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services.account_service import add_user
from ledger.services.batch_people import people
from ledger.services.enrolment import import_roster
from ledger.services.institutions import grant
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from ledger.services.trace import trace_payment
from projections import schema
from projections.rebuild import rebuild
from projections.reports import journal_balance, roster_rows
from tests import console_county as cc
from tests import county
from tests.databases import dump_read_model

HOME = "91330100716105852F"  # 幸福院 (a published code; check character worked out in test_institution_rules.py)
CARE = "9144030071526726XG"  # 敬老院 (likewise)
UNKNOWN = "914403001922038216"  # valid, never added
JAN, FEB, MAR = Month(2024, 1), Month(2024, 2), Month(2024, 3)


def run(*args: str, by: str = "clerk") -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={"LEDGER_USER": by})
    return result.exit_code, result.stdout, result.stderr


def events(rt: Runtime) -> int:
    return rt.app.recorder.max_notification_id() or 0


# --- paid by the regular payroll ------------------------------------------------------------
def _county(rt: Runtime, tmp_path: Path) -> None:
    county.set_standards(rt.app)
    assert not import_roster(rt, county.write(tmp_path / "r.csv", [county.row(9, "dibao")]),
                             county.TODAY, "clerk").problems
    r = run("institution", "add", HOME, "--name", "城关镇幸福院", "--town", "城关镇",
               "--bank-account", "43050101234567890001", "--bank-name", "农业银行城关支行")
    assert r[0] == 0, r
    assert run("institution", "add", CARE.lower(), "--name", "河口乡敬老院", "--town", "河口乡",
               "--bank-account", "43050101234567890002", "--bank-name", "信用社河口分社")[0] == 0
    for code, *terms in ((HOME, "--amount", "10,000.06", "--per", "year", "--from", "2024-01"),
                         (HOME, "--amount", "2000", "--per", "once", "--from", "2024-01"),
                         (CARE, "--amount", "1500.00", "--per", "month", "--from", "2024-01",
                          "--to", "2024-02")):
        code_, out, err = run("institution", "grant", code, "--programme", "tekun", *terms,
                              "--ref", "县民政发〔2024〕9号")
        assert code_ == 0, err


def _institution_lines(rt: Runtime, batch_id: UUID) -> dict[str, tuple[int, str]]:
    code, out, err = run("payroll", "show", batch_id.hex, "--json")
    assert code == 0, err
    lines = [ln for ln in json.loads(out)["lines"] if ln["programme"] == "institution"]
    return {ln["case_id"]: (ln["amount"], ln["kind"]) for ln in lines}


def test_grants_are_paid_by_the_regular_payroll_exported_and_reported(
        rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    home, care = ids.institution_id(HOME).hex, ids.institution_id(CARE).hex
    january = run_payroll(rt, JAN, "clerk")
    assert _institution_lines(rt, january.id) == {home: ("2833.34", "regular"),
                                                 care: ("1500.00", "regular")}
    assert january.by_programme["institution"] == [2, 4333_34]

    # A grant recorded after the draft makes it stale: approval refused, nothing recorded
    grant(rt, CARE, "tekun", "100", "once", "2024-01", None, "补充", "clerk")
    before = events(rt)
    assert run("payroll", "approve", january.id.hex, by="checker")[0] == 1
    assert events(rt) == before
    january = run_payroll(rt, JAN, "clerk")  # the same line amended: 1,500.00 + 100.00
    assert _institution_lines(rt, january.id)[care] == ("1600.00", "regular")
    assert run("payroll", "approve", january.id.hex, by="checker")[0] == 0

    # CSV: the code in the 身份证号 column, the programme's name in 项目
    out = tmp_path / "jan.csv"
    code, _, err = run("bankfile", "export", january.id.hex, "--format", "csv", "--out",
                       str(out), by="cashier")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("gbk"), newline="")))
    by_id = {r[2]: r for r in rows[1:-1]}
    assert [by_id[HOME][i] for i in (1, 3, 5, 6, 7)] == [
        "城关镇幸福院", "43050101234567890001", "2833.34", "机构供养补助", "2024-01"]
    assert by_id[CARE][5] == "1600.00"

    # pain.001: the code as OrgId (scheme COID), people keep PrvtId; valid against the XSD
    xml = tmp_path / "jan.xml"
    code, _, err = run("bankfile", "export", january.id.hex, "--format", "pain001", "--out",
                       str(xml), by="cashier")
    assert code == 0, err
    validate_pain001(xml.read_bytes())
    ns = {"p": NAMESPACE}
    doc = etree.fromstring(xml.read_bytes())
    org = {tx.findtext("p:Cdtr/p:Id/p:OrgId/p:Othr/p:Id", namespaces=ns):
           (tx.findtext("p:Cdtr/p:Id/p:OrgId/p:Othr/p:SchmeNm/p:Cd", namespaces=ns),
            tx.findtext("p:Amt/p:InstdAmt", namespaces=ns))
           for tx in doc.iterfind(".//p:CdtTrfTxInf", ns)}
    assert org[HOME] == ("COID", "2833.34") and org[CARE] == ("COID", "1600.00")
    assert doc.findtext(".//p:CdtTrfTxInf/p:Cdtr/p:Id/p:PrvtId/p:Othr/p:Id",
                        namespaces=ns) == county.person(9)

    # Fund report and journal: 2,833.34 + 1,600.00 = 4,433.34 in two payments; balanced
    code, out, err = run("report", "funds", "--year", "2024", "--json")
    assert code == 0, err
    funds = json.loads(out)
    assert funds["programmes"]["institution"] == {"paid": "4433.34", "returned": "0.00",
                                                  "net": "4433.34", "payments": 2}
    assert funds["towns"]["城关镇"]["institution"]["paid"] == "2833.34"
    with rt.engine.connect() as conn:
        debit, credit = journal_balance(conn)
        roster = {r[2]: r for r in roster_rows(conn, "2024-01")}
        named = people(conn, [home])
    assert debit == credit
    # The roster (花名册) lists the institution's line; the change report names it with its code
    assert [roster["城关镇幸福院"][i] for i in (0, 6, 9, 10)] == [
        "城关镇", "机构供养补助", "2833.34", "1"]
    assert named == {home: f"城关镇幸福院 {HOME}"}
    assert run("report", "monthly", "--month", "2024-01", "--json")[0] == 0

    # The trace names the institution and its grants
    pid = ids.payment_id(JAN, "regular", UUID(home), "institution", "regular", JAN)
    traced = trace_payment(rt, pid)
    assert traced["amount"] == "2833.34"
    mine = [e for e in traced["events"] if e["subject"] == "institution"]
    assert [e["type"] for e in mine] == ["Institution.Added", "Institution.Granted",
                                         "Institution.Granted"]
    assert "10000.06/year ÷ 12 = 833.34" in traced["formula"]

    # February: the yearly grant monthly, the monthly one; the once grants are done
    february = run_payroll(rt, FEB, "clerk")
    assert _institution_lines(rt, february.id) == {home: ("833.34", "regular"),
                                                  care: ("1500.00", "regular")}
    assert run("payroll", "approve", february.id.hex, by="checker")[0] == 0
    march = run_payroll(rt, MAR, "clerk")
    assert _institution_lines(rt, march.id) == {home: ("833.34", "regular")}
    before = events(rt)  # run again with nothing changed: the same lines, none recorded twice
    again = run_payroll(rt, MAR, "clerk")
    assert again.id == march.id and _institution_lines(rt, march.id) == {
        home: ("833.34", "regular")}
    assert again.by_programme["institution"] == [1, 833_34]
    p = schema.payments.c
    with rt.engine.connect() as conn:
        recorded = conn.execute(select(func.count()).where(
            p.batch_id == march.id.hex, p.programme == "institution")).scalar_one()
    topics = {n.topic.rsplit(":", 1)[-1] for n in
              rt.app.recorder.select_notifications(before, 100, inclusive_of_start=False)}
    assert recorded == 1 and topics == {"Batch.RunStarted", "Batch.Computed"}, topics

    incremental = dump_read_model(rt)
    rebuild(rt.read_model)
    assert dump_read_model(rt) == incremental


def test_institution_list_shows_grants_with_the_account_masked(rt: Runtime,
                                                               tmp_path: Path) -> None:
    _county(rt, tmp_path)
    code, out, err = run("institution", "list", "--json")
    assert code == 0, err
    [home, care] = json.loads(out)["institutions"]  # by code
    assert (home["code"], home["name"], home["bank_account"]) == (
        HOME, "城关镇幸福院", "4305************0001")
    assert [(g["number"], g["amount"], g["per"], g["from"], g["to"]) for g in home["grants"]] == [
        (1, "10000.06", "year", "2024-01", None), (2, "2000.00", "once", "2024-01", None)]
    assert care["grants"][0]["to"] == "2024-02"
    code, out, _ = run("institution", "list")
    assert HOME in out and "43050101234567890001" not in out

    # `verify` re-projects the log: an institution's account edited in the read model shows
    code, out, err = run("verify", "--json")
    assert code == 0 and json.loads(out)["read_model_ok"], err + out
    i = schema.institutions.c
    with rt.engine.begin() as conn:
        conn.execute(update(schema.institutions).where(i.code == HOME)
                     .values(bank_account="62000000000000000000"))
    code, out, _ = run("verify", "--json")
    differences = json.loads(out)["read_model_differences"]
    assert code != 0 and [d["table"] for d in differences] == ["rm_institutions"]


# --- bad input: refused, nothing recorded ---------------------------------------------------
def test_a_wrong_check_character_is_refused_and_nothing_recorded(rt: Runtime) -> None:
    before = events(rt)
    code, out, err = run("institution", "add", HOME[:17] + "E", "--name", "某幸福院", "--town",
                         "城关镇", "--bank-account", "43050101234567890001", "--bank-name", "农行")
    assert code == 2
    assert "wrong check character 'E' (GB 32100 gives 'F')" in err and "Traceback" not in err
    assert events(rt) == before


def test_a_grant_for_an_unknown_institution_is_refused_and_nothing_recorded(rt: Runtime) -> None:
    before = events(rt)
    code, _, err = run("institution", "grant", UNKNOWN, "--programme", "tekun", "--amount", "100",
                       "--per", "month", "--from", "2024-01", "--ref", "x")
    # An all-digit code looks like an ID number to the message scrubber: shown masked there
    assert code == 2 and "no institution with unified social credit code 9144" in err
    assert events(rt) == before


def test_bad_grants_and_a_second_add_are_refused_and_nothing_recorded(rt: Runtime,
                                                                    tmp_path: Path) -> None:
    _county(rt, tmp_path)
    before = events(rt)
    base = ("institution", "grant", HOME, "--programme", "tekun", "--ref", "x")
    for extra, says in (
        (("--amount", "100", "--per", "once", "--from", "2024-02", "--to", "2024-03"),
         "give no --to"),
        (("--amount", "100", "--per", "month", "--from", "2024-03", "--to", "2024-02"),
         "before --from"),
        (("--amount", "100.001", "--per", "month", "--from", "2024-02"), "more than two decimals"),
        (("--amount", "0", "--per", "month", "--from", "2024-02"), "more than 0"),
        (("--amount", "100", "--per", "month", "--from", "2024-02", "--programme", "nope"),
         "--programme must be one of"),
    ):
        code, _, err = run(*base, *extra)
        assert code == 2 and says in err, (extra, err)
    code, _, err = run("institution", "add", HOME, "--name", "又一个", "--town", "城关镇",
                       "--bank-account", "43050101234567890001", "--bank-name", "农行")
    assert code == 1 and "already on the ledger" in err
    assert events(rt) == before
    # A grant starting in a month already approved would never be paid: refused
    january = run_payroll(rt, JAN, "clerk")
    assert run("payroll", "approve", january.id.hex, by="checker")[0] == 0
    before = events(rt)
    code, _, err = run(*base, "--amount", "100", "--per", "month", "--from", "2024-01")
    assert code == 1 and "the 2024-01 payroll is already approved" in err
    assert events(rt) == before


# --- the console -----------------------------------------------------------------------------
def test_the_institutions_page_lists_grants_and_a_clerk_adds_one(rt: Runtime,
                                                                 tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)  # 城关镇幸福院 (HOME) added, no grants yet
    web = cc.client(c)
    token = cc.sign_in(web, "clerk")
    body = web.get("/institutions").text
    assert HOME in body and "城关镇幸福院" in body and "43050101234567890001" not in body
    assert "没有机构" not in body and "登记机构补助" in body
    form = {"code": HOME, "programme": "tekun", "amount": "12000", "per": "year",
            "from": "2024-02", "to": "", "ref": "县民政发〔2024〕9号"}
    before = cc.events(c)
    assert web.post("/institutions/grant", data=form).status_code == 403  # no CSRF token
    assert cc.events(c) == before
    body = web.post("/institutions/grant", data={**form, "csrf_token": token}).text
    assert "已登记补助 #1" in body and "12000.00/year ÷ 12 = 1000.00" in body
    assert "#1 特困人员救助供养 12,000.00 元/每年，2024-02" in body
    body = web.post("/institutions/grant", data={**form, "code": HOME[:17] + "E",
                                                 "csrf_token": token}).text
    assert "未登记" in body and "wrong check character" in body
    # February run again: the institution's line (12,000.00 ÷ 12 = 1,000.00) and its trace page
    run_payroll(rt, FEB, "clerk")
    pid = ids.payment_id(FEB, "regular", ids.institution_id(HOME), "institution", "regular", FEB)
    body = web.get(f"/payments/{pid.hex}").text
    assert "机构供养补助" in body and "1,000.00 元" in body and 'href="/institutions"' in body
    assert "Institution.Granted" in body and "43050101234567890001" not in body
    body = web.get(f"/payroll/{c.february}").text
    assert '<a href="/institutions">城关镇幸福院</a>' in body

    other = cc.client(c)
    token = cc.sign_in(other, "approver")
    before = cc.events(c)
    response = other.post("/institutions/grant", data={**form, "csrf_token": token})
    assert response.status_code == 403
    assert "登记机构补助" not in other.get("/institutions").text.split("<table>")[0][-400:]
    assert cc.events(c) == before


def test_a_clerk_adds_an_institution_on_its_page_and_a_bad_code_adds_nothing(
        rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    web = cc.client(c)
    token = cc.sign_in(web, "clerk")
    form = {"code": CARE.lower(), "name": "河口乡敬老院", "town": "城关镇",
            "bank_account": "43050101234567890002", "bank_name": "信用社河口分社",
            "csrf_token": token}
    before = cc.events(c)
    for bad in ({"code": CARE[:17] + "0"}, {"code": HOME}, {"name": " "},
                {"bank_account": "4305x"}):
        body = web.post("/institutions/add", data={**form, **bad}).text
        assert "未添加" in body, bad
    assert cc.events(c) == before
    body = web.post("/institutions/add", data=form).text
    assert f"已添加机构 河口乡敬老院（{CARE}，城关镇）" in body
    assert "43050101234567890002" not in body  # masked in the list
    # A clerk of 新市镇 may add only an institution of 新市镇
    add_user(rt, "xinshi", "clerk", ["新市镇"], cc.password("town-clerk"), "setup")
    other = cc.client(c)
    token = cc.sign_in(other, "xinshi", cc.password("town-clerk"))
    before = cc.events(c)
    assert other.post("/institutions/add", data={**form, "code": UNKNOWN,
                                                 "csrf_token": token}).status_code == 403
    assert cc.events(c) == before


def test_a_clerk_corrects_an_institutions_account_on_its_page(rt: Runtime,
                                                              tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)  # 城关镇幸福院 (HOME) in 城关镇
    web = cc.client(c)
    token = cc.sign_in(web, "clerk")
    form = {"code": HOME, "bank_account": "43050101234567890077", "bank_name": "农业银行城关支行",
            "reason": "原账户已销户", "csrf_token": token}
    before = cc.events(c)
    body = web.post("/institutions/account", data={**form, "bank_account": "62284800x"}).text
    assert "未更正" in body and cc.events(c) == before
    body = web.post("/institutions/account", data={**form, "reason": ""}).text
    assert "未更正" in body and cc.events(c) == before
    body = web.post("/institutions/account", data=form).text
    assert "已更正 城关镇幸福院" in body and "下一次月度发放中重发" in body
    assert "43050101234567890077" not in body and "0077" in body  # masked, as everywhere
    assert cc.events(c) == before + 1
    i = schema.institutions.c
    with rt.engine.connect() as conn:
        assert conn.execute(select(i.bank_account)).scalar_one() == "43050101234567890077"
    # A clerk of another town may not touch it
    add_user(rt, "town-clerk-x", "clerk", ["新市镇"], cc.password("town-clerk"), "setup")
    other = cc.client(c)
    token = cc.sign_in(other, "town-clerk-x", cc.password("town-clerk"))
    before = cc.events(c)
    response = other.post("/institutions/account", data={**form, "csrf_token": token,
                                                         "bank_account": "43050101234567890066"})
    assert response.status_code == 403 and cc.events(c) == before


def _returned_in_january(rt: Runtime, tmp_path: Path, code: str, why: str) -> str:
    """January approved and exported; the bank returns ``code``'s transfer for ``why``."""
    from ledger.services.batches import approve_batch

    january = run_payroll(rt, JAN, "clerk")
    approve_batch(rt, january.id, "checker")
    out = tmp_path / "jan.csv"
    assert run("bankfile", "export", january.id.hex, "--format", "csv", "--out", str(out),
               by="cashier")[0] == 0
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("gbk"), newline="")))
    refs = {r[2]: r[8] for r in rows[1:-1]}
    results = tmp_path / "results.csv"
    results.write_text("付款编号,状态,原因\n" + "".join(
        f"{ref},{'失败' if who == code else '成功'},{why if who == code else ''}\n"
        for who, ref in refs.items()), encoding="utf-8")
    assert run("bankfile", "import-results", str(results), by="cashier")[0] == 0
    return refs[code]


# --- a returned transfer: held, the account corrected, paid again ----------------------------
def test_a_returned_institution_transfer_is_held_until_its_account_is_corrected_then_reissued(
        rt: Runtime, tmp_path: Path) -> None:
    """The 敬老院's January 1,500.00 comes back (account closed). February's draft holds it
    (its own February 1,500.00 still paid, to the old account); once the account is
    corrected, February pays 1,500.00 for February and a 1,500.00 reissue for January, both
    to the new account: 3,000.00 to the 敬老院, and the 幸福院's 833.34, 3,833.34 in all
    for the institutions. March pays it nothing again (the grant ends in February)."""
    from ledger.services.batches import approve_batch, batch_row

    _county(rt, tmp_path)
    care = ids.institution_id(CARE).hex
    returned = _returned_in_january(rt, tmp_path, CARE, "账户已销户")

    draft = run_payroll(rt, FEB, "clerk")
    assert json.loads(batch_row(rt, draft.id)["report"])["held"] == [
        {"payment_id": returned, "case_id": care, "programme": "institution",
         "amount": 1500_00, "for_month": "2024-01"}]
    assert _institution_lines(rt, draft.id)[care] == ("1500.00", "regular")

    # A careless correction is refused and records nothing: a bad account, no reason, the
    # same account again, an unknown code
    before = events(rt)
    for bad in (["--bank-account", "12ab", "--bank-name", "县农商银行", "--reason", "销户"],
                ["--bank-account", "43050101234567890099", "--bank-name", "县农商银行",
                 "--reason", " "],
                ["--bank-account", "43050101234567890002", "--bank-name", "信用社河口分社",
                 "--reason", "销户"]):
        code, out_, err = run("institution", "account", CARE, *bad)
        assert code != 0 and "Traceback" not in err, (bad, out_, err)
    assert run("institution", "account", UNKNOWN, "--bank-account", "43050101234567890099",
               "--bank-name", "县农商银行", "--reason", "销户")[0] == 2
    assert events(rt) == before

    code, out_, err = run("institution", "account", CARE, "--bank-account",
                          "4305 0101 2345 6789 0099", "--bank-name", "县农商银行",
                          "--reason", "原账户已销户")
    assert code == 0, err
    assert "43050101234567890099" not in out_ and "0099" in out_  # masked in the answer
    february = run_payroll(rt, FEB, "clerk")
    assert february.id == draft.id
    assert json.loads(batch_row(rt, february.id)["report"])["held"] == []
    code, shown, err = run("payroll", "show", february.id.hex, "--json")
    mine = [ln for ln in json.loads(shown)["lines"] if ln["case_id"] == care]
    assert sorted((ln["kind"], ln["for_month"], ln["amount"]) for ln in mine) == [
        ("regular", "2024-02", "1500.00"), ("reissue", "2024-01", "1500.00")]
    reissue = next(ln for ln in mine if ln["kind"] == "reissue")
    assert reissue["reissue_of"] == [returned]
    approve_batch(rt, february.id, "checker")

    out = tmp_path / "feb.csv"
    assert run("bankfile", "export", february.id.hex, "--format", "csv", "--out", str(out),
               by="cashier")[0] == 0
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("gbk"), newline="")))
    to_care = [r for r in rows[1:-1] if r[2] == CARE]
    assert sorted((r[3], r[4], r[5], r[7]) for r in to_care) == [
        ("43050101234567890099", "县农商银行", "1500.00", "2024-01"),
        ("43050101234567890099", "县农商银行", "1500.00", "2024-02")]
    institutions = sum(Decimal(r[5]) for r in rows[1:-1] if r[2] in (HOME, CARE))
    assert institutions == Decimal("1500.00") * 2 + Decimal("833.34")

    # The trace of the reissue names the payment it pays again; March pays it nothing more
    traced = trace_payment(rt, UUID(reissue["payment_id"]))
    assert traced["reissue_of"] == [returned]
    march = run_payroll(rt, MAR, "clerk")
    assert care not in _institution_lines(rt, march.id)
    assert json.loads(batch_row(rt, march.id)["report"])["held"] == []

    incremental = dump_read_model(rt)
    rebuild(rt.read_model)
    assert dump_read_model(rt) == incremental


# --- a transfer returned for 户名不符: the institution renamed, paid again -----------------------
def test_a_transfer_returned_for_the_name_is_paid_again_once_the_institution_is_renamed(
        rt: Runtime, tmp_path: Path) -> None:
    """The 敬老院 re-registered as 河口乡中心敬老院; the bank returns January's 1,500.00 (户名
    不符). February's draft, made before the rename, holds it and pays February under the old
    name. Renamed, the draft run again pays 1,500.00 for February and 1,500.00 again for
    January, both under the new name, to the same account; the file says so."""
    from ledger.services.batches import approve_batch, batch_row

    _county(rt, tmp_path)
    care = ids.institution_id(CARE).hex
    returned = _returned_in_january(rt, tmp_path, CARE, "户名不符")
    draft = run_payroll(rt, FEB, "clerk")
    assert [h["payment_id"] for h in json.loads(batch_row(rt, draft.id)["report"])["held"]] == [
        returned]

    before = events(rt)
    for bad in (["--name", " ", "--reason", "更名"],             # no name
                ["--name", "河口乡敬老院", "--reason", "更名"],   # the name it has
                ["--name", "河口乡中心敬老院", "--reason", " "],  # no reason
                ["--name", "河口乡\x1b敬老院", "--reason", "更名"]):  # a control character
        code, out_, err = run("institution", "rename", CARE, *bad)
        assert code != 0 and "Traceback" not in err, (bad, out_, err)
    assert run("institution", "rename", UNKNOWN, "--name", "某敬老院", "--reason", "更名")[0] == 2
    assert events(rt) == before

    code, out_, err = run("institution", "rename", CARE.lower(), "--name", " 河口乡中心敬老院 ",
                          "--reason", "机构更名，银行户名已变更")
    assert code == 0, err
    assert "河口乡中心敬老院" in out_ and events(rt) == before + 1
    february = run_payroll(rt, FEB, "clerk")
    assert february.id == draft.id
    assert json.loads(batch_row(rt, february.id)["report"])["held"] == []
    approve_batch(rt, february.id, "checker")
    out = tmp_path / "feb.csv"
    assert run("bankfile", "export", february.id.hex, "--format", "csv", "--out", str(out),
               by="cashier")[0] == 0
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("gbk"), newline="")))
    to_care = sorted((r[1], r[3], r[5], r[7]) for r in rows[1:-1] if r[2] == CARE)
    assert to_care == [("河口乡中心敬老院", "43050101234567890002", "1500.00", "2024-01"),
                       ("河口乡中心敬老院", "43050101234567890002", "1500.00", "2024-02")]
    # The 幸福院 keeps its name; January's file is what it was
    assert {r[1] for r in rows[1:-1] if r[2] == HOME} == {"城关镇幸福院"}
    i = schema.institutions.c
    with rt.engine.connect() as conn:
        assert conn.execute(select(i.name).where(i.institution_id == care)).scalar_one() == \
            "河口乡中心敬老院"
    code, listed, _ = run("institution", "list", "--json")
    assert {r["code"]: r["name"] for r in json.loads(listed)["institutions"]} == {
        HOME: "城关镇幸福院", CARE: "河口乡中心敬老院"}
    incremental = dump_read_model(rt)
    rebuild(rt.read_model)
    assert dump_read_model(rt) == incremental


def test_a_clerk_renames_an_institution_on_its_page(rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)  # 城关镇幸福院 (HOME) in 城关镇
    add_user(rt, "town-clerk-y", "clerk", ["新市镇"], cc.password("town-clerk"), "setup")
    web, approver, other = cc.client(c), cc.client(c), cc.client(c)
    token = cc.sign_in(web, "clerk")
    token_a = cc.sign_in(approver, "approver")
    token_o = cc.sign_in(other, "town-clerk-y", cc.password("town-clerk"))
    form = {"code": HOME, "name": "城关镇中心幸福院", "reason": "机构更名", "csrf_token": token}
    before = cc.events(c)
    for bad in ({"name": ""}, {"reason": ""}, {"name": "城关镇幸福院"}):
        body = web.post("/institutions/rename", data={**form, **bad}).text
        assert "未更正" in body and cc.events(c) == before, bad
    body = web.post("/institutions/rename", data=form).text
    assert "已将机构 " + HOME + " 的名称更正为 城关镇中心幸福院" in body
    assert cc.events(c) == before + 1
    assert "<td>城关镇中心幸福院</td>" in web.get("/institutions").text
    # An approver may not; a clerk of another town may not
    assert approver.post("/institutions/rename", data={**form, "name": "甲",
                                                       "csrf_token": token_a}).status_code == 403
    assert other.post("/institutions/rename", data={**form, "name": "乙",
                                                    "csrf_token": token_o}).status_code == 403
    assert cc.events(c) == before + 1
