"""Bank files are streamed, never held: the bytes must still be exactly the whole tree's.

* the streamed pain.001 equals lxml's pretty-print of the whole document, whatever
  the chunking and whatever characters the names hold (every transfer goes through the
  one template lxml rendered; its escaping must be lxml's);
* the file validator does not let through what lxml's schema-validating iterparse
  silently stops at (a truncated file, a stray ``&``);
* the database sorts the lines in code-point order even when the server's collation
  would not (PostgreSQL with an ICU collation on the text columns);
* pages of any size give the same file, and a file that fails validation leaves
  neither a file, a temp file nor a record behind.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import select

from ledger.adapters.bankfiles import DebtorAccount, TransferLine
from ledger.adapters.bankfiles.pain001 import (
    NAMESPACE,
    Pain001ValidationError,
    stream_pain001,
    validate_pain001_file,
    write_pain001,
)
from ledger.adapters.bankfiles.transfer_csv import stream_transfer_csv, write_transfer_csv
from ledger.domain.batch import Batch
from ledger.domain.calendar import Month
from ledger.services import approved_lines, bank_export
from ledger.services.bank_export import export_batch
from ledger.services.batches import approve_batch
from ledger.services.debtor_accounts import DebtorAccounts
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from projections import schema
from tests import county

CST = timezone(timedelta(hours=8))
NAMES = ["张三", "A&B <公司>", '引号"\'', "𠀋之", "é\u0301", "x" * 150, "李>四", "王]]>五", "赵\u3000六"]


def lines(n: int) -> list[TransferLine]:
    programmes = ["dibao", "tekun", "orphan"]
    return [
        TransferLine(uuid.UUID(int=i + 1), NAMES[i % len(NAMES)], f"43102319700517{i:04d}",
                     f"62170000{i:011d}", NAMES[(i + 3) % len(NAMES)], 100 + i,
                     programmes[i % 3], Month(2024, 1 + i % 12))
        for i in range(n)
    ]


def pain001_args(party: str = "某县民政局 & <财政>") -> dict[str, object]:
    account = DebtorAccount("资金专户 & Co", "43050101234567890123", "农业银行>支行")
    return {"message_id": "B202401-regular", "created_at": datetime(2024, 1, 5, 9, 30, tzinfo=CST),
            "debtor_for": lambda programme: account, "initiating_party": party,
            "execution_date": date(2024, 1, 5)}


def whole_tree(data: bytes) -> bytes:
    """The document re-serialised by lxml as one pretty-printed tree (what the export used to do)."""
    parser = etree.XMLParser(remove_blank_text=True)
    root = etree.fromstring(data, parser)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@pytest.mark.parametrize("chunk", [1, 2, 7, 1000])
def test_streamed_pain001_is_the_whole_tree_pretty_printed(chunk: int) -> None:
    batch = lines(40)
    data = write_pain001(lines=batch, **pain001_args())  # type: ignore[arg-type]
    assert data == whole_tree(data)
    assert b"A&amp;B &lt;\xe5\x85\xac\xe5\x8f\xb8&gt;" in data  # escaped by lxml, not by hand

    totals: dict[str, tuple[int, int]] = {}
    for line in batch:
        n, fen = totals.get(line.programme, (0, 0))
        totals[line.programme] = (n + 1, fen + line.amount)
    grouped = sorted(batch, key=lambda line: line.programme)  # stable: file order within each
    out = io.BytesIO()
    stream_pain001(out.write, totals=totals, lines=grouped, chunk=chunk,
                   **pain001_args())  # type: ignore[arg-type]
    assert out.getvalue() == data


_XML_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs"),
                                   blacklist_characters="\ufffe\uffff"), min_size=1, max_size=20)


@settings(max_examples=150, deadline=None)
@given(names=st.lists(_XML_TEXT.filter(str.strip), min_size=1, max_size=5),
       bank=_XML_TEXT.filter(str.strip))
def test_any_name_is_written_as_lxml_writes_the_whole_tree(names: list[str], bank: str) -> None:
    batch = [TransferLine(uuid.UUID(int=i + 1), name, "431023197005170011", "6217000001",
                          bank, 100, "dibao", Month(2024, 1)) for i, name in enumerate(names)]
    data = write_pain001(lines=batch, **pain001_args())  # type: ignore[arg-type]
    assert data == whole_tree(data)
    ns = {"p": NAMESPACE}
    root = etree.fromstring(data)
    assert root.xpath("//p:Cdtr/p:Nm/text()", namespaces=ns) == [n.strip() for n in names]
    assert set(root.xpath("//p:CdtrAgt//p:Nm/text()", namespaces=ns)) == {bank.strip()}


def test_a_character_xml_cannot_carry_is_refused_naming_the_payment() -> None:
    bad = TransferLine(uuid.UUID(int=7), "张\ufffe三", "431023197005170011", "6217000001",
                       "农行", 100, "dibao", Month(2024, 1))
    with pytest.raises(ValueError, match="payment 0+7: U\\+FFFE"):
        write_pain001(lines=[bad], **pain001_args())  # type: ignore[arg-type]


def test_stream_refuses_lines_that_disagree_with_the_totals() -> None:
    batch = [line for line in lines(6) if line.programme == "dibao"]
    total = sum(line.amount for line in batch)
    for totals in ({"dibao": (len(batch) + 1, total)}, {"dibao": (len(batch), total - 1)},
                   {"tekun": (len(batch), total)}):
        with pytest.raises(ValueError):
            stream_pain001(io.BytesIO().write, totals=totals, lines=batch,
                           **pain001_args())  # type: ignore[arg-type]


@pytest.mark.parametrize("chunk", [1, 3, 2000])
def test_streamed_csv_equals_the_in_memory_csv(chunk: int) -> None:
    batch = lines(25)
    out = io.BytesIO()
    assert stream_transfer_csv(out.write, batch, "utf-8", chunk=chunk) == (
        25, sum(line.amount for line in batch))
    assert out.getvalue() == write_transfer_csv(batch, "utf-8")


def test_file_validator_catches_what_schema_iterparse_lets_through(tmp_path: Path) -> None:
    data = write_pain001(lines=lines(30), **pain001_args())  # type: ignore[arg-type]
    path = tmp_path / "p.xml"
    path.write_bytes(data)
    validate_pain001_file(path, transactions=30)
    with pytest.raises(Pain001ValidationError, match="holds 30 transactions, expected 31"):
        validate_pain001_file(path, transactions=31)

    middle = len(data) // 2
    broken = {
        "truncated": data[:-40],
        "cut in half": data[:middle],
        "stray ampersand": data[:middle] + data[middle:].replace(b"</Ustrd>", b" & </Ustrd>", 1),
        "junk after the root": data + b"<x/>",
    }
    for bad in broken.values():
        path.write_bytes(bad)
        with pytest.raises(Pain001ValidationError, match="not well-formed"):
            validate_pain001_file(path)
    path.write_bytes(data.replace(b"<Cd>NIDN</Cd>", b"<Cd>NIDNNIDN</Cd>", 1))
    with pytest.raises(Pain001ValidationError, match="does not validate.*maxLength"):
        validate_pain001_file(path)


# --- from the ledger -------------------------------------------------------------------
TOWNS = ["城关镇", "阿拉镇", "Zhen", "abc镇", "𠀋镇", "东村镇"]
VILLAGES = ["东村", "阿村", "Bcun", "acun"]


def approved_batch(rt: Runtime, tmp_path: Path, n: int = 24) -> UUID:
    county.set_standards(rt.app)
    rows = [county.row(i, "dibao" if i % 3 else "disability_living",
                       town=TOWNS[i % len(TOWNS)], village=VILLAGES[(i // 2) % len(VILLAGES)],
                       name="A&B <公司>" if i == 5 else f"测试{i}")
            for i in range(1, n + 1)]
    result = import_roster(rt, county.write(tmp_path / "roster.csv", rows), county.TODAY, "clerk")
    assert not result.problems
    batch = run_payroll(rt, Month(2024, 1), "clerk")
    approve_batch(rt, batch.id, "checker")
    return batch.id


def python_order(rt: Runtime, batch_id: UUID) -> list[str]:
    """File order as the export used to sort it: in Python, by code point."""
    p = schema.payments.c
    with rt.engine.connect() as conn:
        rows = conn.execute(
            select(p.payment_id, p.programme, p.town, p.village, p.case_id, p.for_month, p.kind)
            .where(p.batch_id == batch_id.hex, p.own_status != "withdrawn", p.transfer > 0)).all()
    rows = sorted(rows, key=lambda r: (r.programme, r.town, r.village, r.case_id,
                                       r.for_month, r.kind, r.payment_id))
    return [r.payment_id for r in rows]


def test_lines_come_in_code_point_order_whatever_the_collation(rt: Runtime,
                                                               tmp_path: Path) -> None:
    batch_id = approved_batch(rt, tmp_path)
    expected = python_order(rt, batch_id)
    if rt.settings.backend == "postgresql":
        # A server whose text columns sort by locale (pinyin, case-insensitive Latin).
        with rt.engine.begin() as conn:
            for column in ("town", "village"):
                conn.exec_driver_sql(f'ALTER TABLE rm_payments ALTER COLUMN {column} '
                                     'TYPE text COLLATE "zh-x-icu"')
            locale_order = conn.exec_driver_sql(
                "SELECT payment_id FROM rm_payments WHERE batch_id = %(b)s AND transfer > 0 "
                "AND own_status <> 'withdrawn' ORDER BY programme, town, village, case_id, "
                "for_month, kind, payment_id", {"b": batch_id.hex}).scalars().all()
        assert locale_order != expected  # so the test shows something
    csv_file = export_batch(rt, batch_id, "csv", tmp_path / "b.csv", "cashier", "utf-8").path
    rows = list(csv.reader(io.StringIO(csv_file.read_bytes().decode("utf-8"), newline="")))
    assert [r[8] for r in rows[1:-1]] == expected
    xml = export_batch(rt, batch_id, "pain001", tmp_path / "b.xml", "cashier",
                       debtors=DebtorAccounts.placeholder()).path
    ids = [e.text for e in etree.parse(str(xml)).iter(f"{{{NAMESPACE}}}EndToEndId")]
    assert ids == expected


def test_page_size_does_not_change_the_bytes(rt: Runtime, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    batch_id = approved_batch(rt, tmp_path)
    first = {fmt: export_batch(rt, batch_id, fmt, tmp_path / f"a.{fmt}", "cashier",
                               debtors=DebtorAccounts.placeholder())
             for fmt in ("csv", "pain001")}
    monkeypatch.setattr(approved_lines, "PAGE", 3)  # the lines are read in pages there
    for fmt, done in first.items():
        again = export_batch(rt, batch_id, fmt, tmp_path / f"b.{fmt}", "cashier",
                             debtors=DebtorAccounts.placeholder())
        assert not again.recorded and again.sha256 == done.sha256
        assert (tmp_path / f"b.{fmt}").read_bytes() == (tmp_path / f"a.{fmt}").read_bytes()
        assert ((tmp_path / f"b.{fmt}").stat().st_mode & 0o777) == 0o600


def test_a_file_that_fails_validation_leaves_nothing_behind(
        rt: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    batch_id = approved_batch(rt, tmp_path, n=6)
    real = bank_export.stream_pain001

    def truncated(write, **kwargs):  # type: ignore[no-untyped-def]
        parts: list[bytes] = []
        real(parts.append, **kwargs)
        write(b"".join(parts)[:-20])

    monkeypatch.setattr(bank_export, "stream_pain001", truncated)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(Pain001ValidationError, match="not well-formed"):
        export_batch(rt, batch_id, "pain001", out_dir / "b.xml", "cashier",
                     debtors=DebtorAccounts.placeholder())
    assert list(out_dir.iterdir()) == []
    batch: Batch = rt.app.load(batch_id, Batch, "batch")
    assert batch.status == "approved"
