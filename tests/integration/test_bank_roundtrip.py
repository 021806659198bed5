"""Bank files end to end, on both backends: export an approved batch, read the bank's
answer back, and pay a returned transfer again once the account is corrected.

The county (all rural, from 2024-01; standards from tests/county.py):

==== ================== ============================================ ==========
seq  programme          monthly amount, by hand                      yuan
==== ================== ============================================ ==========
1    dibao              (443.00 − 120.00) × 3                           969.00
2    tekun              7000/12 = 583.33 basic + 300/12 = 25.00 care    608.33
3    disability_living  grade 1-2                                       100.00
4    orphan             orphan                                          920.00
5    dibao              (443.00 − 200.00) × 2                           486.00
==== ================== ============================================ ==========

January total 969.00 + 608.33 + 100.00 + 920.00 + 486.00 = 3083.33, five transfers.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import stat
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
import xmlschema
from click.testing import CliRunner
from lxml import etree
from lxml.builder import ElementMaker
from sqlalchemy import select

from ledger.adapters.bankfiles.pain001 import NAMESPACE, XSD_PATH, validate_pain001
from ledger.cli.main import main
from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.domain.payment import Payment
from ledger.services.bank_export import CHINA_TIME, execution_date
from ledger.services.batches import approve_batch, batch_lines, batch_row
from ledger.services.case_changes import update_case
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from projections import schema
from projections.rebuild import rebuild
from tests import county
from tests.databases import dump_read_model

JAN, FEB = Month(2024, 1), Month(2024, 2)
HEADER = ["序号", "姓名", "身份证号", "银行账号", "开户银行", "金额", "项目", "发放月份", "付款编号"]
PAIN002_NS = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"

# ID number -> (programme's Chinese name, January amount), worked out by hand above.
JANUARY = {
    county.person(1): ("最低生活保障", "969.00"),
    county.person(2): ("特困人员救助供养", "608.33"),
    county.person(3): ("困难残疾人生活补贴", "100.00"),
    county.person(4, date(2015, 3, 1)): ("孤儿/事实无人抚养儿童基本生活费", "920.00"),
    county.person(5): ("最低生活保障", "486.00"),
}


# --- helpers --------------------------------------------------------------------------------
def run(*args: str, by: str = "clerk", **env: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={"LEDGER_USER": by, **env})
    return result.exit_code, result.stdout, result.stderr


def events(rt: Runtime) -> int:
    return rt.app.recorder.max_notification_id() or 0


def case_of(seq: int, programme: str, birth: date = date(1970, 5, 17)) -> UUID:
    return ids.case_id(county.person(seq, birth), programme)


def enrol(rt: Runtime, tmp_path: Path, first_name: str = "测试1") -> None:
    county.set_standards(rt.app)
    rows = [
        county.row(1, "dibao", name=first_name),
        county.row(2, "tekun"),
        county.row(3, "disability_living"),
        county.row(4, "orphan", birth=date(2015, 3, 1)),
        county.row(5, "dibao", household_size=2, income_per_capita="200.00"),
    ]
    result = import_roster(rt, county.write(tmp_path / "roster.csv", rows), county.TODAY, "clerk")
    assert not result.problems and result.enrolled == 5


def approved(rt: Runtime, month: Month) -> UUID:
    """Run the month's payroll as the clerk and approve it as the checker."""
    batch = run_payroll(rt, month, "clerk")
    approve_batch(rt, batch.id, "checker")
    return batch.id


@pytest.fixture
def january(rt: Runtime, tmp_path: Path) -> UUID:
    """The county enrolled and January's batch approved (not yet exported)."""
    enrol(rt, tmp_path)
    return approved(rt, JAN)


def export(batch_id: UUID, out: Path, fmt: str = "csv", *extra: str, **env: str) -> str:
    code, stdout, err = run("bankfile", "export", batch_id.hex, "--format", fmt, "--out",
                            str(out), *extra, by="cashier", **env)
    assert code == 0, err
    return stdout


def csv_rows(path: Path, encoding: str = "gbk") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline="")))


def transfers(path: Path) -> dict[str, list[str]]:
    """The exported CSV's payment lines keyed by ID number (header and 合计 line dropped)."""
    rows = csv_rows(path)
    return {r[2]: r for r in rows[1:-1]}


def results_csv(path: Path, rows: list[tuple[str, str, str]], encoding: str = "gbk") -> Path:
    text = "付款编号,状态,原因\r\n" + "".join(f"{p},{s},{r}\r\n" for p, s, r in rows)
    path.write_bytes(text.encode(encoding))
    return path


def statuses(rt: Runtime, batch_id: UUID) -> dict[str, str]:
    rt.read_model.catch_up()
    return {line["payment_id"]: line["status"] for line in batch_lines(rt, batch_id)}


def batch_status(rt: Runtime, batch_id: UUID) -> str:
    rt.read_model.catch_up()
    return batch_row(rt, batch_id)["status"]


def reason(rt: Runtime, payment_ref: str) -> str:
    return rt.app.load(UUID(payment_ref), Payment, "payment").return_reason


def build_pain002(statuses: list[tuple[str, str, str | None]]) -> bytes:
    """A pain.002.001.10 status report: (OrgnlEndToEndId, TxSts, reason code)."""
    e = ElementMaker(namespace=PAIN002_NS, nsmap={None: PAIN002_NS})

    def tx(ref: str, sts: str, code: str | None) -> etree._Element:
        children = [e.OrgnlEndToEndId(ref), e.TxSts(sts)]
        if code:
            children.append(e.StsRsnInf(e.Rsn(e.Cd(code)), e.AddtlInf("账户已销户")))
        return e.TxInfAndSts(*children)

    doc = e.Document(e.CstmrPmtStsRpt(
        e.GrpHdr(e.MsgId("BANK-STS-0001"), e.CreDtTm("2024-01-26T10:00:00+08:00")),
        e.OrgnlGrpInfAndSts(e.OrgnlMsgId("B202401-regular"),
                            e.OrgnlMsgNmId("pain.001.001.09"), e.GrpSts("PART")),
        e.OrgnlPmtInfAndSts(e.OrgnlPmtInfId("B202401-regular-dibao"),
                            *[tx(*s) for s in statuses]),
    ))
    return etree.tostring(doc, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- export -----------------------------------------------------------------------------------
def test_a_draft_batch_cannot_be_exported_and_nothing_is_written(
    rt: Runtime, tmp_path: Path
) -> None:
    enrol(rt, tmp_path)
    draft = run_payroll(rt, JAN, "clerk")
    before = events(rt)
    out = tmp_path / "draft.csv"
    code, _, err = run("bankfile", "export", draft.id.hex, "--format", "csv", "--out", str(out),
                       by="cashier")
    assert code == 1
    assert "draft" in err and "only an approved batch can be exported" in err
    assert not out.exists()
    assert list(tmp_path.glob(".draft.csv*")) == []
    assert events(rt) == before
    assert batch_status(rt, draft.id) == "draft"


def test_gbk_csv_has_one_line_per_payment_and_a_total_equal_to_the_batch_by_hand(
    rt: Runtime, january: UUID, tmp_path: Path
) -> None:
    out = tmp_path / "jan.csv"
    export(january, out)
    rows = csv_rows(out, "gbk")
    assert rows[0] == HEADER
    assert rows[-1] == ["合计", "5", "3083.33"]
    body = rows[1:-1]
    assert [r[0] for r in body] == ["1", "2", "3", "4", "5"]
    assert {r[2]: (r[6], r[5]) for r in body} == JANUARY
    assert sum(Decimal(r[5]) for r in body) == Decimal("3083.33")
    row1 = transfers(out)[county.person(1)]
    assert row1[1] == "测试1" and row1[3] == county.card(1) and row1[4] == "农村信用社"
    assert row1[7] == "2024-01"
    payment = ids.payment_id(JAN, "regular", case_of(1, "dibao"), "dibao", "regular", JAN)
    assert row1[8] == payment.hex
    assert out.read_bytes().count(b"\r\n") == 7  # header, five lines, 合计


def test_exporting_twice_gives_identical_bytes_and_records_the_sha256_once(
    rt: Runtime, january: UUID, tmp_path: Path
) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    export(january, first)
    after_first = events(rt)
    stdout = export(january, second)
    assert first.read_bytes() == second.read_bytes()
    assert "same file as already recorded" in stdout
    assert events(rt) == after_first
    digest = hashlib.sha256(first.read_bytes()).hexdigest()
    row = batch_row(rt, january)
    assert row["status"] == "exported"
    assert json.loads(row["exports"]) == [{"format": "csv", "sha256": digest, "encoding": "gbk"}]
    assert set(statuses(rt, january).values()) == {"exported"}
    for path in (first, second):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".tmp") == []


def test_a_utf8_csv_is_a_second_recorded_export_with_the_same_lines(
    rt: Runtime, january: UUID, tmp_path: Path
) -> None:
    export(january, tmp_path / "gbk.csv")
    export(january, tmp_path / "utf8.csv", "csv", "--encoding", "utf-8")
    assert csv_rows(tmp_path / "utf8.csv", "utf-8") == csv_rows(tmp_path / "gbk.csv", "gbk")
    encodings = [e["encoding"] for e in json.loads(batch_row(rt, january)["exports"])]
    assert encodings == ["gbk", "utf-8"]


def test_a_recovery_is_netted_into_the_same_case_and_never_sent_as_a_line(
    rt: Runtime, january: UUID, tmp_path: Path
) -> None:
    # January's income of case 1 was really 220.00: entitled (443.00 − 220.00) × 3 = 669.00,
    # paid 969.00, so 300.00 is recovered from February's 669.00: 369.00 is sent.
    update_case(rt.app, case_of(1, "dibao"), JAN, "clerk", income_per_capita=22000)
    rt.read_model.catch_up()
    february = approved(rt, FEB)
    kinds = {(ln["case_id"], ln["kind"]): ln for ln in batch_lines(rt, february)}
    recovery = kinds[(case_of(1, "dibao").hex, "recovery")]
    assert (recovery["amount"], recovery["transfer"]) == ("-300.00", "0.00")
    out = tmp_path / "feb.csv"
    export(february, out)
    rows = transfers(out)
    assert len(rows) == 5
    assert rows[county.person(1)][5] == "369.00"
    assert recovery["payment_id"] not in out.read_bytes().decode("gbk")
    # 369.00 + 608.33 + 100.00 + 920.00 + 486.00
    assert csv_rows(out)[-1] == ["合计", "5", "2483.33"]


def test_pain001_validates_against_the_xsd_with_one_block_per_programme_and_the_approval_time(
    rt: Runtime, tmp_path: Path
) -> None:
    enrol(rt, tmp_path)
    batch = run_payroll(rt, JAN, "clerk")
    before = datetime.now(UTC).replace(microsecond=0)
    approve_batch(rt, batch.id, "checker")
    after = datetime.now(UTC)
    config = tmp_path / "debtors.json"
    config.write_text(json.dumps({
        "initiating_party": "某某县民政局",
        "accounts": {
            "default": {"name": "某某县社会救助资金专户", "account": "43050101234567890123",
                        "bank_name": "中国农业银行某某县支行"},
            "tekun": {"name": "某某县特困供养资金专户", "account": "43050109876543210",
                      "bank_name": "农村信用社某某县联社"},
        },
    }, ensure_ascii=False), encoding="utf-8")
    env = {"LEDGER_DEBTOR_ACCOUNTS": str(config)}
    first, second = tmp_path / "jan.xml", tmp_path / "again.xml"
    export(batch.id, first, "pain001", **env)
    export(batch.id, second, "pain001", **env)
    data = first.read_bytes()
    assert data == second.read_bytes()
    assert stat.S_IMODE(os.stat(first).st_mode) == 0o600
    xmlschema.XMLSchema(str(XSD_PATH)).validate(str(first))
    validate_pain001(data)

    ns = {"p": NAMESPACE}
    doc = etree.fromstring(data)
    assert doc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId", namespaces=ns) == "B202401-regular"
    assert doc.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=ns) == "5"
    assert doc.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=ns) == "3083.33"
    assert doc.findtext(".//p:GrpHdr/p:InitgPty/p:Nm", namespaces=ns) == "某某县民政局"
    created = datetime.fromisoformat(doc.findtext(".//p:GrpHdr/p:CreDtTm", namespaces=ns))
    assert created.utcoffset() == timedelta(hours=8)
    assert before <= created <= after
    blocks = doc.findall(".//p:PmtInf", namespaces=ns)
    programmes = [b.findtext("p:PmtInfId", namespaces=ns) for b in blocks]
    assert programmes == ["B202401-regular-dibao", "B202401-regular-disability_living",
                          "B202401-regular-orphan", "B202401-regular-tekun"]
    sums = [sum(Decimal(a.text) for a in b.iterfind(".//p:InstdAmt", namespaces=ns))
            for b in blocks]
    assert sums == [Decimal("1455.00"), Decimal("100.00"), Decimal("920.00"), Decimal("608.33")]
    # Executed on the approval date (later than 2024-01-01), in China time.
    assert {b.findtext("p:ReqdExctnDt/p:Dt", namespaces=ns) for b in blocks} == {
        created.date().isoformat()}
    debtors = [b.findtext("p:DbtrAcct/p:Id/p:Othr/p:Id", namespaces=ns) for b in blocks]
    assert debtors == ["43050101234567890123"] * 3 + ["43050109876543210"]
    refs = {t.text for t in doc.iterfind(".//p:EndToEndId", namespaces=ns)}
    assert ids.payment_id(JAN, "regular", case_of(2, "tekun"), "tekun", "regular", JAN).hex in refs
    assert batch_status(rt, batch.id) == "exported"


def test_pain001_without_configured_fund_accounts_warns_that_they_are_placeholders(
    rt: Runtime, january: UUID, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LEDGER_DEBTOR_ACCOUNTS", raising=False)
    out = tmp_path / "jan.xml"
    code, _, err = run("bankfile", "export", january.hex, "--format", "pain001", "--out",
                       str(out), by="cashier")
    assert code == 0, err
    assert "LEDGER_DEBTOR_ACCOUNTS" in err and "placeholder" in err
    validate_pain001(out.read_bytes())
    assert b"<Id>UNCONFIGURED</Id>" in out.read_bytes()


def test_a_batch_is_executed_on_the_later_of_its_month_start_and_its_approval_date() -> None:
    approved_late = datetime(2024, 1, 20, 9, 30, tzinfo=CHINA_TIME)
    approved_early = datetime(2024, 5, 25, 16, 0, tzinfo=CHINA_TIME)
    assert execution_date(JAN, approved_late) == date(2024, 1, 20)
    assert execution_date(Month(2024, 6), approved_early) == date(2024, 6, 1)


def test_a_debtor_file_without_an_account_for_a_programme_is_bad_input_and_nothing_is_written(
    rt: Runtime, january: UUID, tmp_path: Path
) -> None:
    config = tmp_path / "debtors.json"
    config.write_text(json.dumps({"accounts": {"dibao": {
        "name": "低保资金专户", "account": "43050101234567890123", "bank_name": "农业银行"}}}),
        encoding="utf-8")
    before = events(rt)
    out = tmp_path / "jan.xml"
    code, _, err = run("bankfile", "export", january.hex, "--format", "pain001", "--out",
                       str(out), by="cashier", LEDGER_DEBTOR_ACCOUNTS=str(config))
    assert code == 2
    assert str(config) in err and "disability_living" in err
    config.write_text('{"accounts": {"dibaoo": {}}}', encoding="utf-8")
    code, _, err = run("bankfile", "export", january.hex, "--format", "pain001", "--out",
                       str(out), by="cashier", LEDGER_DEBTOR_ACCOUNTS=str(config))
    assert code == 2 and "accounts.dibaoo: not a programme" in err
    assert not out.exists() and events(rt) == before
    assert batch_status(rt, january) == "approved"


def test_a_name_gbk_cannot_hold_is_refused_in_gbk_and_written_in_utf8(
    rt: Runtime, tmp_path: Path
) -> None:
    enrol(rt, tmp_path, first_name="张\U0002000b")  # 𠀋 is outside GBK
    batch = approved(rt, JAN)
    before = events(rt)
    out = tmp_path / "jan.csv"
    code, _, err = run("bankfile", "export", batch.hex, "--format", "csv", "--out", str(out),
                       by="cashier")
    assert code == 2
    assert "--encoding utf-8" in err and county.person(1) not in err
    assert not out.exists() and events(rt) == before
    export(batch, out, "csv", "--encoding", "utf-8")
    names = {r[2]: r[1] for r in csv_rows(out, "utf-8")[1:-1]}
    assert names[county.person(1)] == "张\U0002000b"


# --- results ----------------------------------------------------------------------------------
def test_csv_results_settle_and_return_payments_and_the_batch_reconciles_when_all_have_results(
    rt: Runtime, january: UUID, tmp_path: Path
) -> None:
    export(january, tmp_path / "jan.csv")
    refs = {number: row[8] for number, row in transfers(tmp_path / "jan.csv").items()}
    p1, p2, p3, p4, p5 = (refs[number] for number in JANUARY)
    # The bank writes ids as it likes: hyphenated and upper case too.
    first = results_csv(tmp_path / "r1.csv", [
        (p1, "成功", ""), (str(UUID(p2)).upper(), "ok", ""), (p3, "失败", "账户已销户"),
    ])
    code, out, err = run("bankfile", "import-results", str(first), by="cashier")
    assert code == 0, err
    assert "2 settled, 1 returned" in out
    assert statuses(rt, january) == {p1: "settled", p2: "settled", p3: "returned",
                                     p4: "exported", p5: "exported"}
    assert batch_status(rt, january) == "exported"

    second = results_csv(tmp_path / "r2.csv", [(p4, "ok", ""), (p5, "FAILED", "户名不符")],
                         encoding="utf-8")
    code, out, err = run("bankfile", "import-results", str(second), by="cashier")
    assert code == 0, err
    assert f"batch {january.hex} reconciled" in out
    assert batch_status(rt, january) == "reconciled"
    assert statuses(rt, january)[p5] == "returned"
    assert reason(rt, p3) == "账户已销户" and reason(rt, p5) == "户名不符"


def test_pain002_results_settle_and_return_payments_like_csv_results(
    rt: Runtime, january: UUID, tmp_path: Path
) -> None:
    export(january, tmp_path / "jan.csv")
    refs = [transfers(tmp_path / "jan.csv")[number][8] for number in JANUARY]
    report = tmp_path / "status.xml"
    report.write_bytes(build_pain002([
        (refs[0], "ACSC", None), (refs[1], "ACCP", None), (refs[2], "RJCT", "AC04"),
        (refs[3], "ACSC", None), (refs[4], "ACSC", None),
    ]))
    code, out, err = run("bankfile", "import-results", str(report), by="cashier")
    assert code == 0, err
    assert "4 settled, 1 returned" in out
    assert statuses(rt, january) == dict(zip(
        refs, ["settled", "settled", "returned", "settled", "settled"], strict=True))
    assert batch_status(rt, january) == "reconciled"
    assert reason(rt, refs[2]) == "AC04: 账户已销户"


def test_importing_the_same_results_twice_changes_nothing_the_second_time(
    rt: Runtime, january: UUID, tmp_path: Path
) -> None:
    export(january, tmp_path / "jan.csv")
    refs = [row[8] for row in transfers(tmp_path / "jan.csv").values()]
    results = results_csv(tmp_path / "r.csv", [(refs[0], "失败", "账户冻结")]
                          + [(r, "成功", "") for r in refs[1:]])
    code, out, err = run("bankfile", "import-results", str(results), by="cashier")
    assert code == 0, err
    assert "; 6 change(s)" in out  # five payments and the batch
    after_first = events(rt)
    code, out, err = run("bankfile", "import-results", str(results), by="cashier")
    assert code == 0, err
    assert "0 settled, 0 returned, 5 already recorded; 0 change(s)" in out
    assert events(rt) == after_first
    assert batch_status(rt, january) == "reconciled"


def test_an_unknown_payment_is_reported_by_line_and_the_rest_of_the_file_applies(
    rt: Runtime, january: UUID, tmp_path: Path
) -> None:
    export(january, tmp_path / "jan.csv")
    refs = [row[8] for row in transfers(tmp_path / "jan.csv").values()]
    stranger = "0" * 31 + "1"
    id_number = county.person(77)
    results = results_csv(tmp_path / "r.csv", [
        (refs[0], "成功", ""),
        (stranger, "成功", ""),      # line 3: no such payment
        (id_number, "失败", ""),      # line 4: an ID number where the payment id belongs
        (refs[1], "失败", "账户已销户"),
    ])
    code, out, err = run("bankfile", "import-results", str(results), by="cashier")
    assert code == 1, err  # rejected lines: said so, exit 1, after applying the rest
    assert "2 line(s) rejected, listed above; the rest of the file was applied" in err
    assert f"{results}:3: payment: unknown payment {stranger}" in err
    assert f"{results}:4: 付款编号:" in err
    assert id_number not in err and id_number[:4] in err and id_number[-4:] in err
    assert "1 settled, 1 returned" in out
    assert sorted(statuses(rt, january).values()) == [
        "exported", "exported", "exported", "returned", "settled"]
    assert batch_status(rt, january) == "exported"


def test_a_results_file_with_nothing_applicable_exits_1_and_records_nothing(
    rt: Runtime, january: UUID, tmp_path: Path
) -> None:
    export(january, tmp_path / "jan.csv")
    before = events(rt)
    results = results_csv(tmp_path / "r.csv", [("f" * 32, "成功", ""), ("abc", "成功", "")])
    code, _, err = run("bankfile", "import-results", str(results), by="cashier")
    assert code == 1  # a well-formed line the ledger refuses (unknown payment)
    assert f"{results}:2:" in err and f"{results}:3:" in err
    assert "2 line(s) rejected, listed above; nothing was applied" in err
    assert events(rt) == before


def test_a_results_file_with_no_readable_line_exits_2_and_records_nothing(
    rt: Runtime, january: UUID, tmp_path: Path
) -> None:
    export(january, tmp_path / "jan.csv")
    before = events(rt)
    results = results_csv(tmp_path / "r.csv", [("abc", "成功", ""), ("f" * 32, "maybe", "")])
    code, _, err = run("bankfile", "import-results", str(results), by="cashier")
    assert code == 2
    assert "no line could be read as a bank result" in err
    assert events(rt) == before


def test_results_for_a_batch_never_exported_are_not_applied(
    rt: Runtime, january: UUID, tmp_path: Path
) -> None:
    payment = ids.payment_id(JAN, "regular", case_of(3, "disability_living"),
                             "disability_living", "regular", JAN)
    before = events(rt)
    results = results_csv(tmp_path / "r.csv", [(payment.hex, "成功", "")])
    code, _, err = run("bankfile", "import-results", str(results), by="cashier")
    assert code == 1  # refused by the batch's state, not bad input
    assert "has not been exported" in err
    assert events(rt) == before


# --- reissue ------------------------------------------------------------------------------------
def test_a_returned_payment_is_held_until_the_account_is_corrected_then_reissued_next_month(
    rt: Runtime, january: UUID, tmp_path: Path
) -> None:
    export(january, tmp_path / "jan.csv")
    refs = {number: row[8] for number, row in transfers(tmp_path / "jan.csv").items()}
    returned = refs[county.person(3)]  # disability_living, 100.00
    results = results_csv(tmp_path / "r.csv", [
        (ref, "失败" if ref == returned else "成功", "账户已销户" if ref == returned else "")
        for ref in refs.values()
    ])
    assert run("bankfile", "import-results", str(results), by="cashier")[0] == 0
    assert batch_status(rt, january) == "reconciled"
    case3 = case_of(3, "disability_living")

    # Before the account is corrected: February holds the returned payment, no reissue.
    draft = run_payroll(rt, FEB, "clerk")
    report = json.loads(batch_row(rt, draft.id)["report"])
    assert report["held"] == [{"payment_id": returned, "case_id": case3.hex,
                               "programme": "disability_living", "amount": 10000,
                               "for_month": "2024-01"}]
    assert [ln["kind"] for ln in batch_lines(rt, draft.id) if ln["case_id"] == case3.hex] == [
        "regular"]

    new_card = county.card(303)
    update_case(rt.app, case3, FEB, "clerk", bank_account=new_card, bank_name="县农商银行")
    rt.read_model.catch_up()

    february = approved(rt, FEB)
    assert february == draft.id
    assert json.loads(batch_row(rt, february)["report"])["held"] == []
    lines = [ln for ln in batch_lines(rt, february) if ln["case_id"] == case3.hex]
    reissue = next(ln for ln in lines if ln["kind"] == "reissue")
    assert (reissue["for_month"], reissue["amount"], reissue["transfer"]) == (
        "2024-01", "100.00", "100.00")
    assert reissue["reissue_of"] == [returned]
    assert sorted(ln["kind"] for ln in lines) == ["regular", "reissue"]  # no arrears for January

    out = tmp_path / "feb.csv"
    export(february, out)
    rows = csv_rows(out)
    # January's 3083.33 again, plus the 100.00 reissue.
    assert rows[-1] == ["合计", "6", "3183.33"]
    sent = {r[8]: r for r in rows[1:-1]}
    assert sent[reissue["payment_id"]][3] == new_card
    assert sent[reissue["payment_id"]][4] == "县农商银行"
    assert sent[reissue["payment_id"]][7] == "2024-01"
    assert sent[reissue["payment_id"]][6] == "困难残疾人生活补贴 重发"  # 项目 says it is sent again

    # The next payroll does not reissue it again.
    march = run_payroll(rt, Month(2024, 3), "clerk")
    assert [ln["kind"] for ln in batch_lines(rt, march.id) if ln["case_id"] == case3.hex] == [
        "regular"]


def test_a_payment_returned_for_a_wrong_name_is_paid_again_under_the_corrected_name(
    rt: Runtime, january: UUID, tmp_path: Path
) -> None:
    """户名不符: the roster mistyped the account holder's name. Correcting the name (not the
    account) releases the held payment; February pays it again to the same account under
    the corrected name, and January's own line keeps the name it was sent with."""
    export(january, tmp_path / "jan.csv")
    jan_rows = transfers(tmp_path / "jan.csv")
    person3 = county.person(3)
    wrong_name, account = jan_rows[person3][1], jan_rows[person3][3]
    returned = jan_rows[person3][8]
    results = results_csv(tmp_path / "r.csv", [
        (row[8], "失败" if row[8] == returned else "成功", "户名不符" if row[8] == returned else "")
        for row in jan_rows.values()])
    assert run("bankfile", "import-results", str(results), by="cashier")[0] == 0
    assert json.loads(batch_row(rt, run_payroll(rt, FEB, "clerk").id)["report"])["held"]

    before = events(rt)
    for bad, said in ((["--name", "王五", "--reason", " "], "reason is required"),
                      (["--name", " ", "--reason", "户名不符"], "name: empty"),
                      (["--name", "=1+1", "--reason", "户名不符"], "formula")):
        code, out, err = run("case", "correct-name", person3, *bad)
        assert code == 2 and said in err and person3 not in out + err, (bad, err)
    code, _, err = run("case", "correct-name", county.person(40), "--name", "王五",
                       "--reason", "户名不符")
    assert code != 0 and "no case of" in err and county.person(40) not in err
    assert events(rt) == before

    code, out, err = run("case", "correct-name", person3, "--name", "王五", "--reason",
                         "银行退回：户名不符")
    assert code == 0, err
    assert out.strip() == ("name corrected on 1 case(s) or relief(s): "
                           f"{case_of(3, 'disability_living').hex}")
    assert events(rt) == before + 1
    code, out, _ = run("case", "correct-name", person3, "--name", "王五", "--reason", "again")
    assert code == 0 and "nothing recorded" in out and events(rt) == before + 1

    february = approved(rt, FEB)
    assert json.loads(batch_row(rt, february)["report"])["held"] == []
    export(february, tmp_path / "feb.csv")
    sent = {r[8]: r for r in csv_rows(tmp_path / "feb.csv")[1:-1]}
    [reissue] = [ln for ln in batch_lines(rt, february) if ln["kind"] == "reissue"]
    assert reissue["reissue_of"] == [returned]
    assert (sent[reissue["payment_id"]][1], sent[reissue["payment_id"]][3]) == ("王五", account)
    # February's own line was drafted before the correction: re-run, it follows it too (the
    # export proves the name from the line's events: Recorded, then Renamed).
    [regular] = [ln for ln in batch_lines(rt, february)
                 if ln["case_id"] == case_of(3, "disability_living").hex and ln["kind"] == "regular"]
    assert sent[regular["payment_id"]][1] == "王五"
    assert [r[1] for r in sent.values() if r[2] == person3] == ["王五", "王五"]
    assert wrong_name != "王五"
    assert transfers(tmp_path / "jan.csv")[person3][1] == wrong_name  # what January sent
    code, out, _ = run("case", "show", person3, "--json")
    assert [c["name"] for c in json.loads(out)["cases"]] == ["王五"]
    projected = dump_read_model(rt)  # the correction projects as a rebuild replays it
    with rt.engine.connect() as conn:  # what the console's name search reads
        assert conn.execute(select(schema.cases.c.name).where(
            schema.cases.c.case_id == case_of(3, "disability_living").hex)).scalar_one() == "王五"
    rebuild(rt.read_model)
    assert dump_read_model(rt) == projected
