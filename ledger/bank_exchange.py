"""Bank files of the ledger's batches: the transfer file out, the bank's results in.

The writers and the reader in :mod:`ledger.bankfiles` are pure; this module
feeds them from the ledger and records what happened.

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

Import (``import_results``)
    Each result settles or returns its payment (``Payment.settle`` /
    ``Payment.mark_returned``, with the bank's reason), saved per chunk.
    Results already recorded change nothing, so the same file imported twice
    changes nothing the second time. Unknown ids, lines that were never sent
    and results that contradict an earlier one are returned as problems with
    the file's line, and the rest of the file still applies. A batch whose
    every sent payment has a result becomes ``reconciled``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from sqlalchemy import ColumnElement, and_, func, select

from ledger.approval_digest import LinesDigest
from ledger.approved_lines import REPAIR, LinesMismatchError, proven_lines
from ledger.bankfiles import PROGRAMME_NAMES, DebtorAccount
from ledger.bankfiles.pain001 import stream_pain001, validate_pain001_file
from ledger.bankfiles.results import BankResult, ResultProblem, read_bank_results
from ledger.bankfiles.transfer_csv import stream_transfer_csv
from ledger.batch import Batch
from ledger.bootstrap import SNAPSHOT_READ, Runtime
from ledger.calendar import Month
from ledger.errors import BatchStateError
from ledger.identity import mask
from ledger.output_files import check_output, ledger_files, place_output
from ledger.payment import Payment
from ledger.private_files import open_private_temp
from projections import schema

__all__ = [
    "CHINA_TIME",
    "DEBTOR_ACCOUNTS_ENV",
    "DebtorAccounts",
    "ExportResult",
    "ImportReport",
    "export_batch",
    "import_results",
]

CHINA_TIME = timezone(timedelta(hours=8), "CST")
"""China Standard Time: the bank's and the bureau's clock (no daylight saving since 1991)."""

DEBTOR_ACCOUNTS_ENV = "LEDGER_DEBTOR_ACCOUNTS"
FORMATS = ("csv", "pain001")
EXPORTABLE = ("approved", "exported", "reconciled")
SENT = ("exported", "settled", "returned")
"""Payment statuses (read model) of a line that went to the bank in a file."""
CHUNK = 1000
PAGE = 2000
"""Rows fetched at a time while a bank file is written."""
Progress = Callable[[int, int], None]


# --- debtor accounts -------------------------------------------------------------------
PLACEHOLDER_ACCOUNT = "UNCONFIGURED"
PLACEHOLDER_PARTY = "县民政局"


@dataclass(frozen=True)
class DebtorAccounts:
    """The fund account each programme is paid from, and the initiating party's name.

    Read from the JSON (or ``.toml``) file named by ``LEDGER_DEBTOR_ACCOUNTS``::

        {"initiating_party": "某某县民政局",
         "accounts": {
           "default": {"name": "某某县民政局社会救助资金专户",
                       "account": "43050101234567890123", "bank_name": "中国农业银行某某县支行"},
           "tekun":   {"name": "...", "account": "...", "bank_name": "..."}}}

    ``default`` serves every programme without its own entry. Without the
    variable every programme gets a placeholder account ``UNCONFIGURED`` —
    a file the bank will refuse, never one that pays from a wrong account —
    and :attr:`configured` is False so the command line can warn.
    """

    initiating_party: str
    accounts: Mapping[str, DebtorAccount]
    source: str
    configured: bool = True

    @classmethod
    def placeholder(cls) -> DebtorAccounts:
        return cls(PLACEHOLDER_PARTY, {}, f"{DEBTOR_ACCOUNTS_ENV} not set", configured=False)

    @classmethod
    def from_env(cls) -> DebtorAccounts:
        path = os.environ.get(DEBTOR_ACCOUNTS_ENV, "").strip()
        return cls.load(Path(path)) if path else cls.placeholder()

    @classmethod
    def load(cls, path: Path) -> DebtorAccounts:
        """Read and check the file; ValueError naming the file and the key on any problem."""
        where = f"{DEBTOR_ACCOUNTS_ENV} file {path}"
        try:
            raw = path.read_bytes()
            data = (tomllib.loads(raw.decode("utf-8")) if path.suffix.lower() == ".toml"
                    else json.loads(raw.decode("utf-8")))
        except OSError as exc:
            raise ValueError(f"{where}: cannot read: {exc.strerror or exc}") from None
        except (UnicodeDecodeError, json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"{where}: not valid {path.suffix or 'JSON'}: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("accounts"), dict):
            raise ValueError(f"{where}: needs an object with an 'accounts' object")
        party = data.get("initiating_party", PLACEHOLDER_PARTY)
        if not isinstance(party, str) or not party.strip():
            raise ValueError(f"{where}: initiating_party must be a non-empty text")
        accounts: dict[str, DebtorAccount] = {}
        for key, entry in data["accounts"].items():
            if key != "default" and key not in PROGRAMME_NAMES:
                raise ValueError(f"{where}: accounts.{key}: not a programme "
                                 f"(use one of {', '.join(PROGRAMME_NAMES)} or default)")
            values = {}
            for name in ("name", "account", "bank_name"):
                value = entry.get(name) if isinstance(entry, dict) else None
                if not isinstance(value, str) or not value.strip():
                    raise ValueError(f"{where}: accounts.{key}.{name} must be a non-empty text")
                values[name] = value.strip()
            accounts[key] = DebtorAccount(**values)
        return cls(party.strip(), accounts, where)

    def for_programme(self, programme: str) -> DebtorAccount:
        if not self.configured:
            return DebtorAccount(f"{PROGRAMME_NAMES[programme]}资金专户", PLACEHOLDER_ACCOUNT,
                                 "未配置开户银行")
        account = self.accounts.get(programme) or self.accounts.get("default")
        if account is None:
            raise ValueError(f"{self.source}: no account for programme {programme} "
                             "and no default account")
        return account


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
    the approval recorded (``ledger.approved_lines``), and the pain.001 is validated by re-reading the written file,
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
    out = check_output(Path(out), force=force, protected=protected)  # see ledger/output_files.py
    rt.read_model.catch_up()
    batch: Batch = rt.app.load(batch_id, Batch, "batch")
    if batch.status not in EXPORTABLE:
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
    return and_(p.batch_id == batch_id.hex, p.status != "withdrawn", p.transfer > 0)


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


# --- results -----------------------------------------------------------------------------
@dataclass
class ImportReport:
    file: Path
    results: int = 0
    """Results read from the file (after dropping duplicates)."""
    settled: int = 0
    returned: int = 0
    unchanged: int = 0
    """Results the ledger already had: a re-import."""
    reconciled: list[UUID] = field(default_factory=list)
    problems: list[ResultProblem] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return self.settled + self.returned + len(self.reconciled)

    @property
    def applied(self) -> int:
        """Results that matched a sent payment and agree with the ledger now."""
        return self.settled + self.returned + self.unchanged


def import_results(rt: Runtime, path: Path, by: str, chunk: int = CHUNK,
                   progress: Progress | None = None) -> ImportReport:
    """Apply a bank results file (CSV or pain.002); return what changed and the problems."""
    path = Path(path)
    results, problems = read_bank_results(path)
    report = ImportReport(path, results=len(results))
    report.problems.extend(problems)
    if not results:  # nothing to apply (and maybe no regular file to hash, e.g. /dev/zero)
        return report
    with path.open("rb") as f:  # never the whole file in memory
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    rt.read_model.catch_up()
    known = _sent_payments(rt, (r.payment_id for r in results))
    todo: list[BankResult] = []
    batches: set[str] = set()
    for r in results:
        problem = _check(str(path), r, known.get(r.payment_id.hex))
        if problem is not None:
            report.problems.append(problem)
            continue
        batch_id, status, _ = known[r.payment_id.hex]
        batches.add(batch_id)
        if status == ("settled" if r.ok else "returned"):
            report.unchanged += 1
        else:
            todo.append(r)
    source = f"{path.name} (sha256 {digest})"
    for start in range(0, len(todo), chunk):
        _apply_chunk(rt, todo[start:start + chunk], by, source, report)
        if progress:
            progress(min(start + chunk, len(todo)), len(todo))
    rt.read_model.catch_up()
    report.reconciled = _reconcile(rt, sorted(batches), by)
    report.problems.sort(key=lambda p: p.line)
    return report


def _sent_payments(rt: Runtime, ids: Iterable[UUID]) -> dict[str, tuple[str, str, int]]:
    """payment hex -> (batch hex, read-model status, transfer), for the ids that exist."""
    p = schema.payments.c
    wanted = sorted({i.hex for i in ids})
    found: dict[str, tuple[str, str, int]] = {}
    with rt.engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            for pid, batch_id, status, transfer in conn.execute(
                select(p.payment_id, p.batch_id, p.status, p.transfer)
                .where(p.payment_id.in_(wanted[start:start + 500]))
            ):
                found[pid] = (batch_id, status, int(transfer))
    return found


def _check(name: str, r: BankResult, known: tuple[str, str, int] | None) -> ResultProblem | None:
    ref = r.payment_id.hex
    if known is None:
        return ResultProblem(name, r.line, "payment", f"unknown payment {ref}; not applied")
    _, status, transfer = known
    if transfer <= 0 or status == "withdrawn":
        return ResultProblem(name, r.line, "payment",
                             f"payment {ref} is not a transfer (nothing to send: a netted "
                             "recovery, a line netted to zero, or a withdrawn line) and was "
                             "never sent to the bank; not applied")
    if status not in SENT:
        return ResultProblem(name, r.line, "payment",
                             f"payment {ref} is {status}: its batch has not been exported; "
                             "not applied")
    if status == "returned" and r.ok:
        return ResultProblem(name, r.line, "payment",
                             f"payment {ref} was already reported returned; a later success "
                             "needs review; not applied")
    if status == "settled" and not r.ok:
        return ResultProblem(name, r.line, "payment",
                             f"payment {ref} was already reported settled; a later failure "
                             "needs review; not applied")
    return None


def _apply_chunk(rt: Runtime, part: list[BankResult], by: str, source: str,
                 report: ImportReport) -> None:
    """Record one chunk of results in one transaction; re-read and retry on a collision."""
    for _ in range(5):
        payments: list[Payment] = []
        settled = returned = unchanged = 0
        for r in part:
            payment: Payment = rt.app.load(r.payment_id, Payment, "payment")
            where = f"{source} line {r.line}"
            if r.ok:
                changed = payment.settle(by, where)
                settled += changed
            else:
                changed = payment.mark_returned(r.reason or "失败 (no reason given)", by, where)
                returned += changed
            if changed:
                payments.append(payment)
            else:
                unchanged += 1
        try:
            if payments:
                rt.app.save(*payments)
        except IntegrityError:
            continue  # another import recorded some of these first: read them again
        report.settled += settled
        report.returned += returned
        report.unchanged += unchanged
        return
    raise RuntimeError("could not record bank results: too much contention")


def _reconcile(rt: Runtime, batch_ids: list[str], by: str) -> list[UUID]:
    """Reconcile those batches whose every sent payment now has a result."""
    if not batch_ids:
        return []
    p = schema.payments.c
    with rt.engine.connect() as conn:
        open_batches = set(conn.execute(
            select(p.batch_id).distinct()
            .where(p.batch_id.in_(batch_ids), p.transfer > 0,
                   p.status.not_in(("withdrawn", "settled", "returned")))
        ).scalars())
    done: list[UUID] = []
    for bid in batch_ids:
        if bid in open_batches:
            continue
        for _ in range(5):
            batch: Batch = rt.app.load(UUID(bid), Batch, "batch")
            batch.reconcile(by)
            if not batch.pending_events:
                break
            try:
                rt.app.save(batch)
            except IntegrityError:
                continue
            done.append(batch.id)
            break
    if done:
        rt.read_model.catch_up()
    return done


_LONG_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{11,30}[\dXx](?![0-9A-Za-z])")


def mask_numbers(text: str) -> str:
    """Mask ID and account numbers a bank may have put in a bad row (first 4, last 4 kept).

    A results file is the bank's, so a row with a mangled payment id may carry an
    ID or card number in that cell, and the problem message echoes the cell to
    terminals and logs. Runs of 12 to 31 digits standing alone are masked; a
    payment id (32 hex digits) is never touched, even when all its digits are decimal.
    """
    return _LONG_NUMBER.sub(lambda m: mask(m.group()), text)


def problem_text(problem: ResultProblem) -> str:
    """A problem as ``FILE:LINE: column: problem``, with long numbers masked."""
    return mask_numbers(str(problem))
