"""The bank's results read back into the ledger (pain.002 or CSV): settle or return payments.

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from sqlalchemy import select

from ledger.adapters.bankfiles.results import BankResult, read_bank_results
from ledger.adapters.problems import Problem
from ledger.domain.batch import Batch
from ledger.domain.identity import mask_numbers
from ledger.domain.payment import Payment
from ledger.domain.statuses import SENT
from ledger.services.runtime import Runtime
from projections import schema
from projections.payment_lines import LINES, OWN_STATUSES

CHUNK = 1000
Progress = Callable[[int, int], None]



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
    problems: list[Problem] = field(default_factory=list)

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
    report.problems.sort(key=lambda p: p.row)
    return report


def _sent_payments(rt: Runtime, ids: Iterable[UUID]) -> dict[str, tuple[str, str, int]]:
    """payment hex -> (batch hex, read-model status, transfer), for the ids that exist."""
    p = LINES.c
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


def _check(name: str, r: BankResult, known: tuple[str, str, int] | None) -> Problem | None:
    ref = r.payment_id.hex
    if known is None:
        return Problem(name, r.line, "payment", f"unknown payment {ref}; not applied")
    _, status, transfer = known
    if transfer <= 0 or status == "withdrawn":
        return Problem(name, r.line, "payment",
                             f"payment {ref} is not a transfer (nothing to send: a netted "
                             "recovery, a line netted to zero, or a withdrawn line) and was "
                             "never sent to the bank; not applied")
    if status not in SENT:
        return Problem(name, r.line, "payment",
                             f"payment {ref} is {status}: its batch has not been exported; "
                             "not applied")
    if status == "returned" and r.ok:
        return Problem(name, r.line, "payment",
                             f"payment {ref} was already reported returned; a later success "
                             "needs review; not applied")
    if status == "settled" and not r.ok:
        return Problem(name, r.line, "payment",
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
                   p.own_status.not_in(OWN_STATUSES))
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


def problem_text(problem: Problem) -> str:
    """A problem as ``FILE:LINE: column: problem``, with long numbers masked."""
    return mask_numbers(str(problem))
