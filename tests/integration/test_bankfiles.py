"""Bank files: the transfer CSV, pain.001.001.09, and reading the bank's results.

Totals and counts are recomputed here independently (Decimal over the parsed
file), never taken from the module under test, and every pain.001 is validated
with xmlschema against the official XSD — a second validator besides the lxml
one the writer uses itself.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import xmlschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml.builder import ElementMaker

from ledger.adapters.bankfiles import (
    PROGRAMME_NAMES,
    DebtorAccount,
    TransferLine,
    mask_id_number,
    parse_payment_ref,
    payment_ref,
)
from ledger.adapters.bankfiles.pain001 import (
    NAMESPACE,
    XSD_PATH,
    Pain001ValidationError,
    payment_information_id,
    validate_pain001,
    write_pain001,
)
from ledger.adapters.bankfiles.results import BankResult, read_bank_results
from ledger.adapters.bankfiles.transfer_csv import BankFileEncodingError, write_transfer_csv
from ledger.adapters.problems import Problem
from ledger.domain.calendar import Month

NS = {"p": NAMESPACE}
PAIN002_NS = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"
MAY = Month(2024, 5)
CREATED = datetime(2024, 5, 20, 9, 30, 0, tzinfo=timezone(timedelta(hours=8)))
LONG_NAME = "阿卜杜热合曼·" + "买买提" * 60  # 187 characters, over Max140Text


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD_PATH))


def pid(n: int) -> uuid.UUID:
    """A stable payment id per test row, so files are comparable across runs."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"payment/{n}")


def line(
    n: int,
    *,
    name: str = "张三",
    amount: int = 44300,
    programme: str = "dibao",
    id_number: str = "11010119900101123X",
    account: str = "6228480402564890018",
) -> TransferLine:
    return TransferLine(
        payment_id=pid(n),
        name=name,
        id_number=id_number,
        bank_account=account,
        bank_name="中国农业银行某县支行",
        amount=amount,
        programme=programme,
        for_month=MAY,
    )


def debtor_for(programme: str) -> DebtorAccount:
    return DebtorAccount(
        name=f"某县民政局{PROGRAMME_NAMES[programme]}资金专户",
        account="15-123401040001234",
        bank_name="中国农业银行某县支行营业部",
    )


def pain001(lines: list[TransferLine], message_id: str = "LEDGER-2024-05-REG") -> bytes:
    return write_pain001(
        message_id=message_id,
        created_at=CREATED,
        lines=lines,
        debtor_for=debtor_for,
        initiating_party="某县民政局",
        execution_date=date(2024, 5, 25),
    )


EDGE_LINES = [
    line(1, amount=1),  # 0.01
    line(2, amount=1_234_567_890, programme="tekun"),  # 12345678.90
    line(3, name="𠀋䶮", programme="elderly"),  # CJK ext B + ext A
    line(4, name="王𪚥", programme="elderly"),  # another 4-byte character
    line(5, name=LONG_NAME, programme="orphan"),
    line(6, name='O\'Brien <&> "李"', programme="temporary", amount=150_000),
    line(7, programme="dibao", amount=99_999),
]


# --- payment ids ---------------------------------------------------------------


def test_payment_ref_is_the_32_lowercase_hex_digits_of_the_uuid() -> None:
    p = uuid.UUID("12345678-9ABC-4DEF-8123-456789ABCDEF")
    assert payment_ref(p) == "123456789abc4def8123456789abcdef"


@pytest.mark.parametrize(
    "text",
    [
        "123456789abc4def8123456789abcdef",
        "123456789ABC4DEF8123456789ABCDEF",
        "12345678-9abc-4def-8123-456789abcdef",
        " 12345678-9ABC-4DEF-8123-456789ABCDEF\t",
    ],
)
def test_a_payment_id_is_read_back_with_or_without_hyphens_in_any_case(text: str) -> None:
    assert parse_payment_ref(text) == uuid.UUID("12345678-9abc-4def-8123-456789abcdef")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "123",
        "{12345678-9abc-4def-8123-456789abcdef}",
        "urn:uuid:12345678-9abc-4def-8123-456789abcdef",
        "123456789abc4def8123456789abcdeg",
        "1234-56789abc4def8123456789abcdef",
        "1.23457E+31",
    ],
)
def test_a_mangled_payment_id_is_refused_not_guessed(text: str) -> None:
    with pytest.raises(ValueError, match="not a payment id"):
        parse_payment_ref(text)


def test_id_numbers_in_messages_keep_only_the_first_four_and_last_four() -> None:
    assert mask_id_number("11010119900101123X") == "1101**********123X"


# --- CSV transfer file -----------------------------------------------------------


def gbk_lines() -> list[TransferLine]:
    return [
        line(1, amount=1),
        line(2, amount=1_234_567_890, programme="tekun", name="欧阳·娜娜"),
        line(3, amount=44_300, programme="child_in_difficulty", name="李,逗号"),
        line(4, amount=99_999, programme="price_subsidy", name="镕堃喆"),
    ]


def parse_csv(data: bytes, encoding: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


def test_transfer_csv_is_gbk_with_the_spec_header_one_row_per_payment_and_a_total_line() -> None:
    lines = gbk_lines()
    data = write_transfer_csv(lines)
    rows = parse_csv(data, "gbk")
    assert rows[0] == [
        "序号",
        "姓名",
        "身份证号",
        "银行账号",
        "开户银行",
        "金额",
        "项目",
        "发放月份",
        "付款编号",
    ]
    body, total = rows[1:-1], rows[-1]
    assert [r[0] for r in body] == ["1", "2", "3", "4"]
    independent = sum(Decimal(r[5]) for r in body)
    assert independent == Decimal("12345678.90") + Decimal("0.01") + Decimal("443.00") + Decimal(
        "999.99"
    )
    assert total == ["合计", str(len(lines)), f"{independent:.2f}"]
    assert body[1][1] == "欧阳·娜娜" and body[2][1] == "李,逗号"
    assert body[0][5] == "0.01" and body[1][5] == "12345678.90"
    assert [r[6] for r in body] == [
        "最低生活保障",
        "特困人员救助供养",
        "困境儿童基本生活费",
        "价格临时补贴",
    ]
    assert all(r[7] == "2024-05" for r in body)
    assert [r[8] for r in body] == [pid(n).hex for n in (1, 2, 3, 4)]


def test_transfer_csv_carries_full_id_and_account_numbers_and_crlf_line_endings() -> None:
    data = write_transfer_csv([line(1)])
    assert b"11010119900101123X" in data and b"6228480402564890018" in data
    assert data.endswith(b"\r\n")
    assert data.count(b"\r\n") == 3 and data.count(b"\n") == 3


def test_transfer_csv_is_byte_identical_when_written_twice() -> None:
    assert write_transfer_csv(gbk_lines()) == write_transfer_csv(list(gbk_lines()))


def test_transfer_csv_in_utf8_keeps_rare_characters() -> None:
    lines = [line(1, name="𠀋䶮"), line(2, name="王𪚥", amount=1)]
    rows = parse_csv(write_transfer_csv(lines, encoding="utf-8"), "utf-8")
    assert [r[1] for r in rows[1:-1]] == ["𠀋䶮", "王𪚥"]
    assert rows[-1] == ["合计", "2", "443.01"]


def test_a_rare_character_in_gbk_raises_a_clear_error_naming_the_row_and_suggesting_utf8() -> None:
    lines = [line(1), line(2, name="𠀋䶮"), line(3, name="王𪚥")]
    with pytest.raises(BankFileEncodingError) as info:
        write_transfer_csv(lines)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert "--encoding utf-8" in message
    assert "序号 2" in message and "序号 3" in message and "序号 1 " not in message
    assert pid(2).hex in message and "U+2000B" in message and "U+2A6A5" in message
    assert "1101**********123X" in message
    assert "11010119900101123X" not in message  # the error is not a bank file: ID masked
    assert len(info.value.problems) == 2


def test_an_encoding_other_than_gbk_or_utf8_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported bank file encoding"):
        write_transfer_csv([line(1)], encoding="latin-1")


def test_an_empty_batch_gives_a_header_and_a_zero_total() -> None:
    rows = parse_csv(write_transfer_csv([]), "gbk")
    assert rows[-1] == ["合计", "0", "0.00"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (line(1, amount=0), "amount must be positive"),
        (line(1, amount=-5), "amount must be positive"),
        (line(1, programme="bogus"), "unknown programme"),
        (line(1, name="  "), "name is empty"),
        (line(1, name="张\n三"), "control character"),
    ],
)
def test_a_line_no_bank_may_carry_is_refused_naming_the_payment(
    bad: TransferLine, message: str
) -> None:
    with pytest.raises(ValueError, match=message) as info:
        write_transfer_csv([bad])
    assert pid(1).hex in str(info.value)
    with pytest.raises(ValueError, match=message):
        pain001([bad])


def test_the_same_payment_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        write_transfer_csv([line(1), line(1, amount=1)])


@settings(max_examples=50, deadline=None)
@given(amounts=st.lists(st.integers(min_value=1, max_value=10**11), min_size=1, max_size=30))
def test_csv_total_line_equals_the_sum_of_its_rows_for_any_amounts(amounts: list[int]) -> None:
    lines = [line(i, amount=a) for i, a in enumerate(amounts)]
    rows = parse_csv(write_transfer_csv(lines), "gbk")
    assert rows[-1] == ["合计", str(len(amounts)), f"{sum(Decimal(r[5]) for r in rows[1:-1]):.2f}"]
    assert sum(Decimal(r[5]) for r in rows[1:-1]) == Decimal(sum(amounts)) / 100


# --- pain.001.001.09 ---------------------------------------------------------------


def test_pain001_with_edge_amounts_rare_characters_and_a_long_name_validates_against_the_official_xsd(
    schema: xmlschema.XMLSchema,
) -> None:
    data = pain001(EDGE_LINES)
    schema.validate(io.BytesIO(data))  # raises on any violation
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n")


def test_pain001_totals_equal_an_independent_count_and_sum() -> None:
    doc = etree.fromstring(pain001(EDGE_LINES))
    amounts = [Decimal(a.text) for a in doc.iterfind(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", NS)]
    assert len(amounts) == len(EDGE_LINES)
    assert doc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == str(
        len(EDGE_LINES)
    )
    expected = sum(Decimal(x.amount) for x in EDGE_LINES) / 100
    assert sum(amounts) == expected
    assert Decimal(doc.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS)) == expected
    for pmt in doc.iterfind(".//p:PmtInf", NS):
        txs = pmt.findall("p:CdtTrfTxInf", NS)
        assert pmt.findtext("p:NbOfTxs", namespaces=NS) == str(len(txs))
        assert Decimal(pmt.findtext("p:CtrlSum", namespaces=NS)) == sum(
            Decimal(t.findtext("p:Amt/p:InstdAmt", namespaces=NS)) for t in txs
        )
    assert {a.get("Ccy") for a in doc.iterfind(".//p:InstdAmt", NS)} == {"CNY"}
    assert "0.01" in [a.text for a in doc.iterfind(".//p:InstdAmt", NS)]
    assert "12345678.90" in [a.text for a in doc.iterfind(".//p:InstdAmt", NS)]


def test_pain001_has_one_payment_block_per_programme_sorted_with_its_fund_account() -> None:
    doc = etree.fromstring(pain001(EDGE_LINES))
    blocks = doc.findall(".//p:PmtInf", NS)
    programmes = sorted({x.programme for x in EDGE_LINES})
    assert [b.findtext("p:PmtInfId", namespaces=NS) for b in blocks] == [
        f"LEDGER-2024-05-REG-{p}" for p in programmes
    ]
    for block, programme in zip(blocks, programmes, strict=True):
        assert block.findtext("p:PmtMtd", namespaces=NS) == "TRF"
        assert block.findtext("p:ReqdExctnDt/p:Dt", namespaces=NS) == "2024-05-25"
        assert block.findtext("p:Dbtr/p:Nm", namespaces=NS) == debtor_for(programme).name
        assert block.findtext("p:DbtrAcct/p:Id/p:Othr/p:Id", namespaces=NS) == "15-123401040001234"
        refs = [
            t.findtext("p:PmtId/p:EndToEndId", namespaces=NS)
            for t in block.iterfind("p:CdtTrfTxInf", NS)
        ]
        assert refs == [x.payment_id.hex for x in EDGE_LINES if x.programme == programme]


def test_pain001_writes_each_transfer_with_account_in_othr_id_and_the_names_unharmed() -> None:
    doc = etree.fromstring(pain001(EDGE_LINES))
    by_ref = {
        t.findtext("p:PmtId/p:EndToEndId", namespaces=NS): t
        for t in doc.iterfind(".//p:CdtTrfTxInf", NS)
    }
    assert all(len(ref) == 32 for ref in by_ref)
    rare = by_ref[pid(3).hex]
    assert rare.findtext("p:Cdtr/p:Nm", namespaces=NS) == "𠀋䶮"
    assert rare.findtext("p:CdtrAcct/p:Id/p:Othr/p:Id", namespaces=NS) == "6228480402564890018"
    assert rare.findtext("p:CdtrAgt/p:FinInstnId/p:Nm", namespaces=NS) == "中国农业银行某县支行"
    assert rare.findtext("p:Cdtr/p:Id/p:PrvtId/p:Othr/p:Id", namespaces=NS) == "11010119900101123X"
    assert rare.findtext("p:RmtInf/p:Ustrd", namespaces=NS) == "elderly 2024-05 经济困难老年人补贴"
    assert by_ref[pid(4).hex].findtext("p:Cdtr/p:Nm", namespaces=NS) == "王𪚥"
    assert by_ref[pid(6).hex].findtext("p:Cdtr/p:Nm", namespaces=NS) == 'O\'Brien <&> "李"'
    long_name = by_ref[pid(5).hex].findtext("p:Cdtr/p:Nm", namespaces=NS)
    assert long_name == LONG_NAME[:140]


def test_a_long_name_is_cut_to_140_characters_without_splitting_a_character(
    schema: xmlschema.XMLSchema,
) -> None:
    name = "王" * 139 + "𠀋" + "e\u0301" * 5  # the 141st character is a combining accent's base
    data = pain001([line(1, name=name)])
    schema.validate(io.BytesIO(data))
    written = etree.fromstring(data).findtext(".//p:Cdtr/p:Nm", namespaces=NS)
    assert written == "王" * 139 + "𠀋"
    name2 = "王" * 139 + "e\u0301"  # the cut falls between a base and its accent: the base stays
    written2 = etree.fromstring(pain001([line(1, name=name2)])).findtext(
        ".//p:Cdtr/p:Nm", namespaces=NS
    )
    assert written2 == "王" * 139 + "e"
    name3 = "王" * 139 + "\u0301\u0301"  # a dangling combining mark at the cut is dropped
    written3 = etree.fromstring(pain001([line(1, name=name3)])).findtext(
        ".//p:Cdtr/p:Nm", namespaces=NS
    )
    assert written3 == "王" * 139


def test_pain001_is_byte_identical_when_regenerated() -> None:
    assert pain001(EDGE_LINES) == pain001(list(EDGE_LINES))


def test_pain001_payment_information_id_stays_within_35_characters_for_a_long_message_id(
    schema: xmlschema.XMLSchema,
) -> None:
    message_id = "B" + uuid.UUID(int=7).hex + "R1"  # 35 characters, the maximum
    data = pain001(EDGE_LINES, message_id=message_id)
    schema.validate(io.BytesIO(data))
    ids = [e.text for e in etree.fromstring(data).iterfind(".//p:PmtInfId", NS)]
    assert all(len(i) <= 35 for i in ids) and len(set(ids)) == len(ids)
    assert ids[0] == payment_information_id(message_id, "dibao")


def test_pain001_refuses_an_over_long_message_id_and_an_empty_batch() -> None:
    with pytest.raises(ValueError, match="MsgId"):
        pain001([line(1)], message_id="X" * 36)
    with pytest.raises(ValueError, match="at least one payment"):
        pain001([])


def test_pain001_refuses_an_account_longer_than_the_schema_allows_instead_of_cutting_it() -> None:
    with pytest.raises(ValueError, match="bank account"):
        pain001([line(1, account="6" * 35)])


def test_the_built_in_validation_rejects_a_file_that_breaks_the_schema() -> None:
    data = pain001([line(1)]).replace(b"<PmtMtd>TRF</PmtMtd>", b"<PmtMtd>XXX</PmtMtd>")
    with pytest.raises(Pain001ValidationError):
        validate_pain001(data)


_names = st.text(
    alphabet=st.sampled_from(list("张王李赵欧阳买提·娜𠀋䶮𪚥 abcXYZ<&>'\"é")),
    min_size=1,
    max_size=200,
).filter(lambda s: s.strip())


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=10**12),
            st.sampled_from(sorted(PROGRAMME_NAMES)),
            _names,
        ),
        min_size=1,
        max_size=12,
    )
)
def test_any_batch_gives_a_valid_pain001_whose_totals_match(
    schema: xmlschema.XMLSchema, rows: list[tuple[int, str, str]]
) -> None:
    lines = [line(i, amount=a, programme=p, name=n) for i, (a, p, n) in enumerate(rows)]
    data = pain001(lines)
    schema.validate(io.BytesIO(data))
    doc = etree.fromstring(data)
    assert doc.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=NS) == str(len(rows))
    assert (
        Decimal(doc.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS))
        == Decimal(sum(a for a, _, _ in rows)) / 100
    )


# --- bank results ----------------------------------------------------------------------


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_gbk_results_csv_with_chinese_statuses_and_both_id_forms_is_read(tmp_path: Path) -> None:
    text = (
        "付款编号,状态,原因\r\n"
        f"{pid(1).hex},成功,\r\n"
        f"{str(pid(2)).upper()},失败,账户已销户\r\n"
        f"{pid(3)},成功,备注被忽略\r\n"
    )
    results, problems = read_bank_results(write(tmp_path, "r.csv", text.encode("gbk")))
    assert problems == []
    assert results == [
        BankResult(2, pid(1), True, ""),
        BankResult(3, pid(2), False, "账户已销户"),
        BankResult(4, pid(3), True, ""),
    ]


def test_utf8_results_csv_with_bom_and_english_statuses_in_any_case_is_read(tmp_path: Path) -> None:
    text = f"payment_id,status,reason\n{pid(1)},OK,\n{pid(2).hex},Failed,account frozen\n"
    results, problems = read_bank_results(write(tmp_path, "r.csv", b"\xef\xbb\xbf" + text.encode()))
    assert problems == []
    assert [(r.payment_id, r.ok, r.reason) for r in results] == [
        (pid(1), True, ""),
        (pid(2), False, "account frozen"),
    ]


def test_results_csv_with_extra_columns_in_another_order_is_read(tmp_path: Path) -> None:
    text = f"姓名,原因,金额,状态,付款编号\n张三,,443.00,成功,{pid(1).hex}\n"
    results, problems = read_bank_results(write(tmp_path, "r.csv", text.encode("utf-8")))
    assert problems == [] and results == [BankResult(2, pid(1), True, "")]


def test_bad_results_rows_are_reported_with_line_and_column_while_the_rest_is_returned(
    tmp_path: Path,
) -> None:
    text = (
        "付款编号,状态,原因\n"
        f"{pid(1).hex},成功,\n"
        "not-a-payment,失败,x\n"
        f"{pid(2).hex},处理中,\n"
        "\n"
        ",失败,no id\n"
        f"{pid(3).hex},失败,余额不足\n"
        "合计,4,\n"
    )
    path = write(tmp_path, "bank.csv", text.encode("gbk"))
    results, problems = read_bank_results(path)
    assert [(r.line, r.payment_id, r.ok) for r in results] == [
        (2, pid(1), True),
        (7, pid(3), False),
    ]
    assert [(p.row, p.column) for p in problems] == [(3, "付款编号"), (4, "状态"), (6, "付款编号")]
    assert str(problems[0]).startswith(f"{path}:3: 付款编号: not a payment id")
    assert "处理中" in problems[1].problem
    assert str(Problem("f.csv", 9, "状态", "x")) == "f.csv:9: 状态: x"


def test_a_results_csv_without_the_expected_header_is_one_problem(tmp_path: Path) -> None:
    results, problems = read_bank_results(
        write(tmp_path, "r.csv", "编号,结果\n1,成功\n".encode("gbk"))
    )
    assert results == []
    assert [(p.row, p.column) for p in problems] == [(1, "header")]
    assert "付款编号" in problems[0].problem


def test_a_payment_with_conflicting_results_in_one_file_is_not_applied(tmp_path: Path) -> None:
    text = (
        f"付款编号,状态,原因\n{pid(1).hex},成功,\n{pid(2).hex},失败,x\n"
        f"{pid(1)},失败,y\n{pid(2)},失败,x again\n"
    )
    results, problems = read_bank_results(write(tmp_path, "r.csv", text.encode("utf-8")))
    assert results == [BankResult(3, pid(2), False, "x")]  # a consistent repeat counts once
    assert [p.row for p in problems] == [2, 4]
    assert "conflicting" in problems[0].problem


def build_pain002(statuses: list[tuple[str, str, str | None, str | None]]) -> bytes:
    """A pain.002.001.10 CstmrPmtStsRpt in the schema's element order.

    Each status is (OrgnlEndToEndId, TxSts, reason code, additional info).
    """
    e = ElementMaker(namespace=PAIN002_NS, nsmap={None: PAIN002_NS})

    def tx(ref: str, sts: str, code: str | None, info: str | None) -> etree._Element:
        children = [e.OrgnlEndToEndId(ref), e.TxSts(sts)]
        if code or info:
            rsn = []
            if code:
                rsn.append(e.Rsn(e.Cd(code)))
            if info:
                rsn.append(e.AddtlInf(info))
            children.append(e.StsRsnInf(*rsn))
        return e.TxInfAndSts(*children)

    doc = e.Document(
        e.CstmrPmtStsRpt(
            e.GrpHdr(e.MsgId("BANK-STS-0001"), e.CreDtTm("2024-05-26T10:00:00+08:00")),
            e.OrgnlGrpInfAndSts(
                e.OrgnlMsgId("LEDGER-2024-05-REG"),
                e.OrgnlMsgNmId("pain.001.001.09"),
                e.GrpSts("PART"),
            ),
            e.OrgnlPmtInfAndSts(
                e.OrgnlPmtInfId("LEDGER-2024-05-REG-dibao"),
                *[tx(*s) for s in statuses],
            ),
        )
    )
    return etree.tostring(doc, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def test_pain002_statuses_map_to_results_and_unfinal_or_malformed_ones_are_reported(
    tmp_path: Path,
) -> None:
    data = build_pain002(
        [
            (pid(1).hex, "ACSC", None, None),
            (str(pid(2)), "ACCP", None, None),
            (pid(3).hex.upper(), "RJCT", "AC04", "账户已销户"),
            (pid(4).hex, "PDNG", None, None),
            ("NOTAREF", "ACSC", None, None),
            (pid(5).hex, "RJCT", None, None),
        ]
    )
    path = write(tmp_path, "status.xml", data)
    results, problems = read_bank_results(path)
    doc = etree.fromstring(data)
    lines = [t.sourceline for t in doc.iter(f"{{{PAIN002_NS}}}TxInfAndSts")]
    assert results == [
        BankResult(lines[0], pid(1), True, ""),
        BankResult(lines[1], pid(2), True, ""),
        BankResult(lines[2], pid(3), False, "AC04: 账户已销户"),
        BankResult(lines[5], pid(5), False, "RJCT"),
    ]
    assert [(p.row, p.column) for p in problems] == [
        (lines[3], "TxSts"),
        (lines[4], "OrgnlEndToEndId"),
    ]
    assert "not final" in problems[0].problem
    assert str(problems[0]).startswith(f"{path}:{lines[3]}: TxSts:")


def test_pain002_transaction_without_its_own_status_inherits_the_block_status(
    tmp_path: Path,
) -> None:
    data = build_pain002([(pid(1).hex, "RJCT", None, None)])
    data = data.replace(b"<TxSts>RJCT</TxSts>", b"").replace(
        b"<OrgnlPmtInfId>LEDGER-2024-05-REG-dibao</OrgnlPmtInfId>",
        b"<OrgnlPmtInfId>LEDGER-2024-05-REG-dibao</OrgnlPmtInfId><PmtInfSts>RJCT</PmtInfSts>"
        b"<StsRsnInf><Rsn><Cd>AM04</Cd></Rsn></StsRsnInf>",
    )
    results, problems = read_bank_results(write(tmp_path, "s.xml", data))
    assert problems == []
    assert [(r.payment_id, r.ok, r.reason) for r in results] == [(pid(1), False, "AM04")]


def test_pain002_statuses_are_inherited_wherever_the_bank_put_them(tmp_path: Path) -> None:
    """Read as a stream, yet the group's status after every block and a block's status after
    its transactions (out of the schema's order) are still what a bare transaction inherits."""
    data = build_pain002([(pid(1).hex, "RJCT", None, None), (pid(2).hex, "ACSC", None, None)])
    data = data.replace(b"<TxSts>RJCT</TxSts>", b"").replace(b"<TxSts>ACSC</TxSts>", b"")
    data = data.replace(b"<GrpSts>PART</GrpSts>", b"<GrpSts>RJCT</GrpSts>"
                        b"<StsRsnInf><Rsn><Cd>AM04</Cd></Rsn></StsRsnInf>")
    group = data[data.index(b"<OrgnlGrpInfAndSts>"):data.index(b"</OrgnlGrpInfAndSts>") + 20]
    data = data.replace(group, b"").replace(b"</CstmrPmtStsRpt>", group + b"</CstmrPmtStsRpt>")
    assert data.index(b"<GrpSts>") > data.index(b"<TxInfAndSts>")
    results, problems = read_bank_results(write(tmp_path, "group.xml", data))
    assert problems == []
    assert [(r.payment_id, r.ok, r.reason) for r in results] == [
        (pid(1), False, "AM04"), (pid(2), False, "AM04")]
    # The block's own status, after its transactions, wins over the group's.
    data = data.replace(b"</OrgnlPmtInfAndSts>", b"<PmtInfSts>ACSC</PmtInfSts></OrgnlPmtInfAndSts>")
    results, problems = read_bank_results(write(tmp_path, "block.xml", data))
    assert problems == []
    assert [(r.payment_id, r.ok) for r in results] == [(pid(1), True), (pid(2), True)]


def test_pain002_transactions_out_of_place_are_not_read(tmp_path: Path) -> None:
    """Only a transaction in a payment block of the report counts: one loose in the report,
    one in a block hidden in another element and one in a second report do not."""
    data = build_pain002([(pid(1).hex, "ACSC", None, None)])
    loose = f"<TxInfAndSts><OrgnlEndToEndId>{pid(2).hex}</OrgnlEndToEndId><TxSts>ACSC</TxSts>" \
            "</TxInfAndSts>"
    hidden = f"<Extra><OrgnlPmtInfAndSts>{loose.replace(pid(2).hex, pid(3).hex)}" \
             "</OrgnlPmtInfAndSts></Extra>"
    second = (f"<CstmrPmtStsRpt><OrgnlPmtInfAndSts>{loose.replace(pid(2).hex, pid(4).hex)}"
              "</OrgnlPmtInfAndSts></CstmrPmtStsRpt>")
    data = data.replace(b"</CstmrPmtStsRpt>", (loose + hidden).encode() + b"</CstmrPmtStsRpt>"
                        + second.encode())
    results, problems = read_bank_results(write(tmp_path, "placed.xml", data))
    assert problems == [] and [r.payment_id for r in results] == [pid(1)]


def test_a_pain002_with_thousands_of_bad_lines_lists_the_first_problems_and_counts_the_rest(
        tmp_path: Path) -> None:
    from ledger.adapters.input_files import MAX_LISTED

    bad = MAX_LISTED + 37
    data = build_pain002([("NOTAREF", "ACSC", None, None)] * bad
                         + [(pid(1).hex, "ACSC", None, None)])
    results, problems = read_bank_results(write(tmp_path, "many.xml", data))
    assert [r.payment_id for r in results] == [pid(1)]
    assert len(problems) == MAX_LISTED + 1
    assert all(p.column == "OrgnlEndToEndId" for p in problems[:MAX_LISTED])
    assert problems[-1].more == 37 and "37 more problem(s)" in problems[-1].problem


def test_bank_results_from_a_pain002_answer_map_back_to_the_pain001_payments(
    tmp_path: Path,
) -> None:
    sent = etree.fromstring(pain001(EDGE_LINES))
    refs = [e.text for e in sent.iterfind(".//p:EndToEndId", NS)]
    answer = build_pain002([(ref, "ACSC", None, None) for ref in refs])
    results, problems = read_bank_results(write(tmp_path, "answer.xml", answer))
    assert problems == []
    assert {r.payment_id for r in results} == {x.payment_id for x in EDGE_LINES}


def test_broken_xml_and_foreign_xml_are_reported_not_raised(tmp_path: Path) -> None:
    _, problems = read_bank_results(
        write(tmp_path, "a.xml", b"<?xml version='1.0'?>\n<Document>\n<oops>")
    )
    assert len(problems) == 1 and problems[0].column == "xml"
    results, problems = read_bank_results(write(tmp_path, "b.xml", pain001([line(1)])))
    assert results == [] and "not an ISO 20022 pain.002" in problems[0].problem


def test_an_entity_in_a_results_file_is_not_expanded(tmp_path: Path) -> None:
    evil = (
        b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        + build_pain002([(pid(1).hex, "RJCT", None, "&x;")])
        .split(b"?>\n", 1)[1]
        .replace(b"&amp;x;", b"&x;")
    )
    results, _ = read_bank_results(write(tmp_path, "e.xml", evil))
    assert all("root:" not in r.reason for r in results)
