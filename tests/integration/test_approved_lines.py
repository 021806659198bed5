"""What leaves the ledger is what was approved: bank files proven from the event log.

Both backends. The county and its January amounts are those of tests/integration/test_bank_roundtrip.py.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from uuid import UUID

import pytest
from sqlalchemy import text

from ledger.domain.batch import Batch
from ledger.domain.errors import BatchStateError
from ledger.domain.payment import Payment
from ledger.services.batches import approve_batch, batch_row
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from tests import county
from tests.integration.test_bank_roundtrip import JAN, enrol, events, run, transfers

SECRET_ACCOUNT = "6222020000000000666"


def first_payment(rt: Runtime, batch_id: UUID) -> str:
    with rt.engine.connect() as conn:
        return conn.execute(text(
            "SELECT payment_id FROM rm_payments WHERE batch_id = :b ORDER BY payment_id LIMIT 1"),
            {"b": batch_id.hex}).scalar_one()


def edit_row(rt: Runtime, payment_hex: str, column: str, value: object) -> None:
    """Someone with database access edits one read-model row (not the log)."""
    with rt.engine.begin() as conn:
        conn.execute(text(f"UPDATE rm_payments SET {column} = :v WHERE payment_id = :p"),
                     {"v": value, "p": payment_hex})


@pytest.fixture
def january(rt: Runtime, tmp_path: Path) -> UUID:
    enrol(rt, tmp_path)
    batch = run_payroll(rt, JAN, "clerk")
    approve_batch(rt, batch.id, "checker")
    return batch.id


def expected_digest(rt: Runtime, batch_id: UUID) -> str:
    """The documented canonical form, recomputed here from the payment aggregates."""
    sha = hashlib.sha256(f"ledger-approved-lines/1\n{batch_id.hex}\n".encode())
    with rt.engine.connect() as conn:
        ids = conn.execute(text(
            "SELECT payment_id FROM rm_payments WHERE batch_id = :b AND transfer > 0 "
            "ORDER BY programme, town, village, case_id, for_month, kind, payment_id"),
            {"b": batch_id.hex}).scalars().all()
    assert len(ids) == 5
    for pid in ids:
        p: Payment = rt.app.load(UUID(pid), Payment, "payment")
        fields = [pid, p.case_id.hex, p.programme, p.kind, str(p.for_month), p.amount,
                  p.transfer, p.name, p.id_number, p.bank_account, p.bank_name]
        sha.update(json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode())
        sha.update(b"\n")
    return sha.hexdigest()


def test_approval_records_the_digest_of_exactly_the_approved_lines(
        rt: Runtime, january: UUID) -> None:
    approvals = [e for e in rt.app.events.get(january) if isinstance(e, Batch.Approved)]
    assert len(approvals) == 1
    assert approvals[0].lines == 5
    assert approvals[0].lines_digest == expected_digest(rt, january)


@pytest.mark.parametrize(("column", "value"), [
    ("bank_account", SECRET_ACCOUNT), ("name", "王五"), ("bank_name", "某某银行"),
    ("id_number", county.person(77)),
])
def test_a_read_model_row_edited_after_approval_makes_the_export_refuse_and_write_nothing(
        rt: Runtime, january: UUID, tmp_path: Path, column: str, value: str) -> None:
    victim = first_payment(rt, january)
    edit_row(rt, victim, column, value)
    before = events(rt)
    out = tmp_path / "jan.csv"
    code, _, err = run("bankfile", "export", january.hex, "--format", "csv", "--out", str(out),
                       by="cashier")
    assert code == 1, err
    assert f"payment {victim}" in err and column in err and "event log" in err
    assert SECRET_ACCOUNT not in err and "Traceback" not in err
    assert not out.exists() and list(tmp_path.glob(".jan.csv.*")) == []
    assert events(rt) == before  # nothing recorded on the batch
    assert batch_row(rt, january)["status"] == "approved"


def test_an_untouched_batch_exports_the_payees_of_the_log(
        rt: Runtime, january: UUID, tmp_path: Path) -> None:
    out = tmp_path / "jan.csv"
    run("bankfile", "export", january.hex, "--format", "csv", "--out", str(out), by="cashier")
    assert {r[3] for r in transfers(out).values()} == {county.card(i) for i in range(1, 6)}


def test_a_read_model_row_edited_before_approval_makes_the_approval_refuse(
        rt: Runtime, tmp_path: Path) -> None:
    enrol(rt, tmp_path)
    batch = run_payroll(rt, JAN, "clerk")
    victim = first_payment(rt, batch.id)
    edit_row(rt, victim, "bank_account", SECRET_ACCOUNT)
    before = events(rt)
    with pytest.raises(BatchStateError, match=f"payment {victim}.*bank_account"):
        approve_batch(rt, batch.id, "checker")
    assert events(rt) == before
    assert rt.app.load(batch.id, Batch, "batch").status == "draft"


def test_a_line_moved_from_another_batch_into_this_one_is_refused(
        rt: Runtime, tmp_path: Path) -> None:
    enrol(rt, tmp_path)
    batch = run_payroll(rt, JAN, "clerk")
    victim = first_payment(rt, batch.id)
    edit_row(rt, victim, "batch_id", "0" * 32)  # the approver no longer sees this line
    with pytest.raises(BatchStateError):
        approve_batch(rt, batch.id, "checker")


def test_lines_that_differ_from_the_approved_digest_are_refused(
        rt: Runtime, january: UUID, tmp_path: Path) -> None:
    # The log agrees with the read model, but not with what was approved: forge the approval.
    batch: Batch = rt.app.load(january, Batch, "batch")
    batch.lines_digest = "f" * 64
    out = tmp_path / "jan.csv"
    from ledger.services import bank_export

    original = rt.app.load
    rt.app.load = lambda *a, **k: batch if a[0] == january else original(*a, **k)  # type: ignore[method-assign]
    with pytest.raises(BatchStateError, match="not the lines approved"):
        bank_export.export_batch(rt, january, "csv", out, "cashier")
    assert not out.exists()


def test_a_batch_approved_before_digests_still_exports_lines_proven_from_the_log(
        rt: Runtime, tmp_path: Path) -> None:
    enrol(rt, tmp_path)
    draft = run_payroll(rt, JAN, "clerk")
    batch: Batch = rt.app.load(draft.id, Batch, "batch")
    batch.trigger_event(Batch.Approved, by="checker", lines_digest="", lines=0)  # an old approval
    rt.app.save(batch)
    rt.read_model.catch_up()
    out = tmp_path / "jan.csv"
    code, _, err = run("bankfile", "export", batch.id.hex, "--format", "csv", "--out", str(out),
                       by="cashier")
    assert code == 0, err
    victim = first_payment(rt, batch.id)
    edit_row(rt, victim, "bank_account", SECRET_ACCOUNT)
    code, _, err = run("bankfile", "export", batch.id.hex, "--format", "csv", "--out",
                       str(tmp_path / "again.csv"), by="cashier")
    assert code == 1 and "bank_account" in err


def test_a_v1_approval_event_reads_back_without_a_digest() -> None:
    state = {"by": "checker"}
    Batch.Approved.upcast_v1_v2(state)
    assert state == {"by": "checker", "lines_digest": "", "lines": 0}


# --- re-exports -------------------------------------------------------------------------------
def test_a_re_export_with_different_bytes_is_refused_and_records_nothing(
        rt: Runtime, january: UUID, tmp_path: Path) -> None:
    accounts = tmp_path / "debtors.json"
    accounts.write_text(json.dumps({"accounts": {"default": {
        "name": "县民政局资金专户", "account": "43050101234567890123", "bank_name": "农行"}}}))
    first = tmp_path / "first.xml"
    code, _, err = run("bankfile", "export", january.hex, "--format", "pain001", "--out",
                       str(first), by="cashier")
    assert code == 0, err
    before = events(rt)
    second = tmp_path / "second.xml"
    code, _, err = run("bankfile", "export", january.hex, "--format", "pain001", "--out",
                       str(second), by="cashier", LEDGER_DEBTOR_ACCOUNTS=str(accounts))
    assert code == 1, err
    assert "already exported with SHA-256" in err and "Traceback" not in err
    assert not second.exists()
    assert events(rt) == before
    exports = json.loads(batch_row(rt, january)["exports"])
    assert [e["sha256"] for e in exports] == [hashlib.sha256(first.read_bytes()).hexdigest()]


def test_the_same_format_in_another_encoding_is_a_second_file_not_a_conflict() -> None:
    batch = Batch(id=UUID(int=1), month=JAN, kind="regular", by="clerk")
    batch.status = "approved"
    batch.record_export("csv", "a" * 64, "gbk", "cashier")
    batch.record_export("csv", "b" * 64, "utf-8", "cashier")
    batch.record_export("csv", "a" * 64, "gbk", "cashier")  # the same file again: nothing new
    assert [e["sha256"] for e in batch.exports] == ["a" * 64, "b" * 64]
    with pytest.raises(BatchStateError, match="already exported"):
        batch.record_export("csv", "c" * 64, "gbk", "cashier")
