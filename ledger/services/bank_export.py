"""Bank transfer files of the ledger's batches: the file out, proven from the event log.

The writers in :mod:`ledger.adapters.bankfiles` are pure; this module feeds them from the
ledger and records what happened.

Export (``export_batch``)
    Only a batch that was approved (or already exported or reconciled) has a
    bank file. It holds one line per payment whose ``transfer`` is positive: a
    recovery line is never a transfer (its amount is already netted into the
    same case's positive lines) and a withdrawn draft line is gone. The file's
    total must equal the batch's approved total, else nothing is written.
    Lines are in (programme, town, village, case, month, kind, payment) order,
    text compared by code point: the database sorts, with ``COLLATE "C"`` on
    PostgreSQL (SQLite's default collation already is), never by the server's
    locale, so SQLite and PostgreSQL give the same bytes.

    The file is streamed, never held: totals that precede the lines come from
    one aggregate query, the lines are read a page at a time in file order
    while the file is written and hashed, and a pain.001 is validated against
    the XSD by re-reading the written file incrementally. Memory stays flat
    from a county's forty thousand payments to a province's millions.

    Everything in a pain.001 comes from the batch, never the clock, so an
    export repeated years later is byte-identical:

    * ``MsgId`` = ``B<YYYYMM>-<kind>`` (``B202405-regular``), unique per batch
      in a ledger and readable on the bank's side;
    * ``CreDtTm`` = the time the batch was approved, in China Standard Time
      (UTC+08:00, no daylight saving), to the second;
    * ``ReqdExctnDt`` = the later of the first day of the batch month and the
      approval date: a month's benefits are not paid before the month starts,
      nor before the checker approved them;
    * one ``PmtInf`` per programme, paid from that programme's fund account
      (资金专户), configured in the file named by ``LEDGER_DEBTOR_ACCOUNTS``
      (see :class:`DebtorAccounts`).

    The file is written to a temporary file (mode 0600) beside the target,
    the export is recorded on the batch (format, encoding, SHA-256; an identical
    re-export records nothing), and only then is the file moved into place, so
    a failed export leaves neither a file nor a record behind.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from sqlalchemy import ColumnElement, and_, func, select

from ledger.adapters.bankfiles.pain001 import stream_pain001, validate_pain001_file
from ledger.adapters.bankfiles.transfer_csv import stream_transfer_csv
from ledger.adapters.output_files import check_output, ledger_files, place_output
from ledger.adapters.private_files import open_private_temp
from ledger.adapters.snapshot_read import SNAPSHOT_READ
from ledger.domain.approval_digest import LinesDigest
from ledger.domain.batch import Batch
from ledger.domain.calendar import Month
from ledger.domain.errors import BatchStateError
from ledger.domain.statuses import BATCH_APPROVED
from ledger.services.approved_lines import REPAIR, LinesMismatchError, proven_lines
from ledger.services.debtor_accounts import DebtorAccounts
from ledger.services.runtime import Runtime
from projections import schema

CHINA_TIME = timezone(timedelta(hours=8), "CST")
"""China Standard Time: the bank's and the bureau's clock (no daylight saving since 1991)."""

FORMATS = ("csv", "pain001")



# --- export ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportResult:
    batch_id: UUID
    month: Month
    kind: str
    format: str
    encoding: str
    path: Path
    sha256: str
    payments: int
    total: int
    """Fen: the sum of the file's transfers, equal to the batch's approved total."""
    recorded: bool
    """False when the same file (format and SHA-256) was already recorded on the batch."""
    status: str
    """The batch's status after the export."""


def export_batch(rt: Runtime, batch_id: UUID, fmt: str, out: Path, by: str,
                 encoding: str | None = None,
                 debtors: DebtorAccounts | None = None, force: bool = False) -> ExportResult:
    """Write the bank file of an approved batch to ``out`` and record it on the batch.

    Streams: the lines are read from the read model in file order as the file
    is written, each proven from the event log and, together, against the digest
    the approval recorded (``ledger.services.approved_lines``), and the pain.001 is validated by re-reading the written file,
    so memory stays flat however many payments the batch has. The totals that
    the file states before its lines come from one aggregate query first; the
    lines are counted again as they are written, and any difference (the read
    model changed in between) discards the file.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown bank file format {fmt!r}; use csv or pain001")
    if fmt == "pain001" and encoding not in (None, "utf-8"):
        raise ValueError("a pain.001 file is always UTF-8; --encoding applies to csv only")
    encoding = encoding or ("gbk" if fmt == "csv" else "utf-8")
    protected = ledger_files(rt.settings)
    out = check_output(Path(out), force=force, protected=protected)  # see ledger/adapters/output_files.py
    rt.read_model.catch_up()
    batch: Batch = rt.app.load(batch_id, Batch, "batch")
    if batch.status not in BATCH_APPROVED:
        raise BatchStateError(
            f"batch {batch.id.hex} for {batch.month} is {batch.status}: only an approved "
            "batch can be exported"
        )
    totals = programme_totals(rt, batch.id)
    count = sum(n for n, _ in totals.values())
    total = sum(fen for _, fen in totals.values())
    if total != batch.total:
        raise BatchStateError(
            f"batch {batch.id.hex}: its transfers add up to {total} fen but it was approved "
            f"for {batch.total} fen; run `ledger projections rebuild` and try again"
        )
    if fmt == "pain001":
        if not count:
            raise BatchStateError(f"batch {batch.id.hex} has no transfers: no pain.001 to send")
        approved_at = approval_time(rt, batch)
        debtors = debtors or DebtorAccounts.from_env()
    sha = hashlib.sha256()
    with open_private_temp(out) as (tmp, f):

        def write(data: bytes) -> None:
            sha.update(data)
            f.write(data)

        # One read-only snapshot (on SQLite without the write lock, so writers go on
        # while a large file streams), closed before the export is recorded.
        with rt.engine.connect() as conn:
            conn.execution_options(**{SNAPSHOT_READ: True})
            proof = LinesDigest(batch.id.hex)
            lines = proven_lines(rt, conn, batch.id, proof)
            if fmt == "csv":
                written = stream_transfer_csv(write, lines, encoding)
            else:
                assert debtors is not None  # read above for a pain.001
                stream_pain001(
                    write, message_id=message_id(batch.month, batch.kind),
                    created_at=approved_at, totals=totals, lines=lines,
                    debtor_for=debtors.for_programme,
                    initiating_party=debtors.initiating_party,
                    execution_date=execution_date(batch.month, approved_at),
                )
                written = (proof.lines, proof.transfers)
        if written != (count, total):
            raise BatchStateError(
                f"batch {batch.id.hex}: the read model changed during the export "
                f"({written[0]} transfers of {written[1]} fen written, {count} of {total} "
                "fen expected); try again"
            )
        approved = getattr(batch, "lines_digest", "")
        if approved and proof.hexdigest() != approved:
            raise LinesMismatchError(
                f"batch {batch.id.hex}: the lines to be sent are not the lines approved "
                f"(digest {proof.hexdigest()}, approved {approved}); {REPAIR}")
    digest = sha.hexdigest()
    try:
        if fmt == "pain001":
            validate_pain001_file(tmp, transactions=count)
        recorded, status = _record_export(rt, batch.id, fmt, digest, encoding, by)
        place_output(tmp, out, force=force, protected=protected)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_dir(out.parent)
    rt.read_model.catch_up()
    return ExportResult(batch.id, batch.month, batch.kind, fmt, encoding, out, digest,
                        count, total, recorded, status)


def _transfers(batch_id: UUID) -> ColumnElement[bool]:
    """The batch's transfers: ``transfer`` > 0 and not withdrawn."""
    p = schema.payments.c
    return and_(p.batch_id == batch_id.hex, p.own_status != "withdrawn", p.transfer > 0)


def programme_totals(rt: Runtime, batch_id: UUID) -> dict[str, tuple[int, int]]:
    """Programme -> (transfers, fen) of the batch, by one aggregate query (integer fen)."""
    p = schema.payments.c
    with rt.engine.connect() as conn:
        rows = conn.execute(
            select(p.programme, func.count(), func.coalesce(func.sum(p.transfer), 0))
            .where(_transfers(batch_id)).group_by(p.programme)
        ).all()
    return {programme: (int(n), int(fen)) for programme, n, fen in rows}


def message_id(month: Month, kind: str) -> str:
    """``B<YYYYMM>-<kind>``: one message per batch, stable across re-exports."""
    return f"B{month.year:04d}{month.month:02d}-{kind}"


def approval_time(rt: Runtime, batch: Batch) -> datetime:
    """When the batch was approved (its ``Approved`` event), in China Standard Time."""
    for event in rt.app.events.get(batch.id):
        if isinstance(event, Batch.Approved):
            return event.timestamp.astimezone(CHINA_TIME).replace(microsecond=0)
    raise BatchStateError(f"batch {batch.id.hex} has no approval")


def execution_date(month: Month, approved_at: datetime) -> date:
    """Not before the month paid for, and not before the approval."""
    return max(month.first_day, approved_at.date())


def _sync_dir(directory: Path) -> None:
    """Make the rename durable (POSIX); harmless where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _record_export(rt: Runtime, batch_id: UUID, fmt: str, digest: str, encoding: str,
                   by: str) -> tuple[bool, str]:
    for _ in range(5):
        batch: Batch = rt.app.load(batch_id, Batch, "batch")
        batch.record_export(fmt, digest, encoding, by)
        if not batch.pending_events:
            return False, batch.status
        try:
            rt.app.save(batch)
            return True, batch.status
        except IntegrityError:
            continue  # another command moved the batch on: read it again
    raise RuntimeError(f"could not record the export of batch {batch_id.hex}: too much contention")
