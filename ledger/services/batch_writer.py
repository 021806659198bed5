"""Recording a batch's lines: one run, in chunks, safe to kill, safe to race.

A :class:`BatchRun` takes the lines a payroll (regular or price subsidy)
computed and brings the batch's recorded payments to exactly those lines:
new lines are recorded, changed draft lines amended, vanished ones withdrawn.
Each chunk of payments is saved in one transaction *together with* a
``LinesRecorded`` event of the batch, so the batch's version orders the
writers: a run superseded by a newer one, or a batch approved meanwhile,
makes the chunk collide and the old run stops instead of writing.

Payment ids are deterministic, so a killed run's chunks are found again by
the next run and never recorded twice.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, Notification, StoredEvent

from ledger.adapters import payment_codec
from ledger.adapters.payment_codec import RECORDED_TOPIC, RecordedPayment
from ledger.domain import ids
from ledger.domain.batch import Batch
from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord
from ledger.domain.errors import RunSupersededError
from ledger.domain.payment import Payment
from ledger.domain.payroll import Line
from ledger.services.runtime import Runtime

CHUNK = 2000
Progress = Callable[[int, int], None]
Existing = dict[str, tuple[int, int, str, str, str]]
"""payment id (hex) -> (amount, transfer, own status, bank account, payee name) of a batch's
lines."""
Entry = tuple[RecordedPayment, bytes | None]
"""A line to record, as the new payment it would be (its id deterministic), and — made
ahead by a payroll worker — that payment's stored event state (else None)."""


@dataclass(frozen=True)
class Payee:
    """Who a line is paid to, copied onto the payment so its bank file never changes."""

    name: str
    id_number: str
    bank_name: str
    bank_account: str
    town: str
    village: str

    @classmethod
    def of(cls, record: CaseRecord) -> Payee:
        """The case's payee as its record stands (the account in force when the batch runs)."""
        return cls(record.name, record.id_number, record.bank_name, record.bank_account,
                   record.town, record.village)


def line_payment_id(month: Month, kind: str, line: Line) -> UUID:
    """The deterministic id of a line's payment: a rerun finds it, a second recording collides.

    A line that carries its own id (a cash campaign's: one per campaign and person, whichever
    run records it) keeps it; every other id is derived by ``ids.payment_id``.
    """
    if line.payment_id is not None:
        return line.payment_id
    return ids.payment_id(month, kind, line.case_id, line.programme, line.kind, line.for_month)


def new_payment(pid: UUID, batch_id: UUID, line: Line, payee: Payee, by: str) -> RecordedPayment:
    """A line as a new payment's facts (what ``Payment.Recorded`` holds)."""
    return RecordedPayment(
        pid.hex, batch_id.hex, line.case_id.hex, line.programme, line.kind,
        str(line.for_month), line.amount, line.transfer, line.formula,
        tuple(u.hex for u in line.reissue_of), payee.name, payee.id_number,
        payee.bank_name, payee.bank_account, payee.town, payee.village, by,
    )


def differs(old: tuple[int, int, str, str, str] | None, line: Line, payee: Payee) -> bool:
    return _differs(old, line.amount, line.transfer, payee.bank_account, payee.name)


def _differs(old: tuple[int, int, str, str, str] | None, amount: int, transfer: int,
             bank_account: str, name: str) -> bool:
    if old is None:
        return True
    was, was_transfer, status, account, was_name = old
    return (was, was_transfer, account, was_name) != (amount, transfer, bank_account, name) or (
        status == "withdrawn")


class BatchRun:
    """One run of one batch (month and kind) by one user."""

    def __init__(self, rt: Runtime, month: Month, kind: str, by: str) -> None:
        self.rt = rt
        self.month = month
        self.kind = kind
        self.by = by
        self.run_id = uuid.uuid4().hex
        self.batch_id = ids.batch_id(month, kind)
        self.payments = 0
        self.total = 0
        self.by_programme: dict[str, list[int]] = {}
        self._batch: Batch | None = None

    def start(self, position: int) -> Batch:
        for _ in range(10):
            batch = self.rt.app.maybe(self.batch_id)
            if batch is None:
                batch = Batch(month=self.month, kind=self.kind, by=self.by, id=self.batch_id)
            batch.start_run(self.run_id, position, self.by)
            try:
                self.rt.app.save(batch)
                self._batch = batch
                return batch
            except IntegrityError:
                continue  # another run moved the batch on: read it again
        raise RuntimeError(f"could not start the batch for {self.month}: too much contention")

    def record(self, lines: list[tuple[Line, Payee]], existing: Existing,
               chunk: int = CHUNK) -> None:
        """Bring the lines in ``existing`` to exactly ``lines``, counting them into the totals.

        A run may call this once per part of the batch (a range of cases), with the lines
        and the existing lines of that part only: that is how a province-size payroll
        streams instead of holding every line in memory.
        """
        self.record_entries([(new_payment(line_payment_id(self.month, self.kind, line),
                                          self.batch_id, line, payee, self.by), None)
                             for line, payee in lines], existing, chunk)

    def record_entries(self, entries: list[Entry], existing: Existing,
                       chunk: int = CHUNK) -> None:
        """:meth:`record` for lines whose ids (and new-payment events) were made ahead."""
        wanted: dict[str, Entry] = {}
        for entry in entries:
            line = entry[0]
            pid = line.payment_id
            if pid in wanted:
                # Would be recorded once but counted twice in the batch's totals.
                raise RuntimeError(f"two {line.kind} lines for {line.for_month} of case "
                                   f"{line.case_id} would share payment id {pid}")
            wanted[pid] = entry
            counts = self.by_programme.setdefault(line.programme, [0, 0])
            counts[0] += 1
            counts[1] += line.amount
            self.payments += 1
            self.total += line.amount
        work = [pid for pid, (line, _) in wanted.items()
                if _differs(existing.get(pid), line.amount, line.transfer, line.bank_account,
                            line.name)]
        work += [pid for pid, (_, _, status, _, _) in existing.items()
                 if pid not in wanted and status != "withdrawn"]
        for start in range(0, len(work), chunk):
            self._save_chunk(work[start:start + chunk], wanted, existing)

    def _save_chunk(self, part: list[str], wanted: dict[str, Entry],
                    existing: Existing) -> None:
        app = self.rt.app
        for attempt in range(10):
            # The batch is kept between chunks (loading it replays every LinesRecorded so
            # far) and read again only after a collision.
            if self._batch is None or attempt > 0:
                self._batch = app.load(self.batch_id, Batch, "batch")
            batch = self._batch
            made = [(pid, self._payment(pid, wanted.get(pid), pid in existing or attempt > 0))
                    for pid in part]
            changes = [(pid, c) for pid, c in made if c is not None]
            batch.record_lines(self.run_id, len(changes))  # refuses if superseded or approved
            stored = [app.mapper.to_stored_event(e) for e in batch.collect_events()]
            new: dict[int, RecordedPayment] = {}
            for pid, change in changes:
                if isinstance(change, RecordedPayment):
                    new[len(stored)] = change
                    state = wanted[pid][1] if pid in wanted else None
                    stored.append(payment_codec.encode(app.mapper, change) if state is None
                                  else StoredEvent(UUID(pid), 1, RECORDED_TOPIC, state))
                else:
                    stored.extend(app.mapper.to_stored_event(e) for e in change.collect_events())
            try:
                # One transaction: the chunk's payments and the batch's LinesRecorded.
                positions = app.recorder.insert_events(stored)
            except IntegrityError:
                continue  # a payment or the batch moved on: re-read both and try again
            self._project(stored, positions, new)
            return
        raise RuntimeError("could not record payments: too much contention")

    def _project(self, stored: list[StoredEvent], positions: Sequence[int] | None,
                 new: dict[int, RecordedPayment]) -> None:
        """Bring the read model up to the chunk just recorded, from memory when it can."""
        if not positions:
            self.rt.read_model.catch_up()
            return
        notifications = [Notification(id=position, originator_id=s.originator_id,
                                      originator_version=s.originator_version, topic=s.topic,
                                      state=s.state)
                         for position, s in zip(positions, stored, strict=True)]
        self.rt.read_model.apply_recorded(notifications,
                                          {positions[i]: p for i, p in new.items()})

    def _payment(self, pid: str, wanted: Entry | None,
                 may_exist: bool) -> Payment | RecordedPayment | None:
        """The change a line needs: a new payment, an amended or withdrawn payment."""
        payment: Payment | None = self.rt.app.maybe(UUID(pid)) if may_exist else None
        if wanted is None:
            if payment is None or payment.withdrawn:
                return None
            payment.withdraw(self.by)
            return payment
        line = wanted[0]
        if payment is None:
            return line
        amended = (payment.amount, payment.transfer, payment.bank_account, payment.bank_name,
                   payment.withdrawn) != (line.amount, line.transfer, line.bank_account,
                                          line.bank_name, False)
        renamed = payment.name != line.name
        if not amended and not renamed:
            return None
        if amended:
            payment.amend(line.amount, line.transfer, line.formula, line.bank_name,
                          line.bank_account, self.by)
        if renamed:
            payment.rename(line.name, self.by)
        return payment

    def complete(self, position: int, report: dict[str, Any]) -> Batch:
        """Record the run's totals (of every line passed to :meth:`record`) and its report."""
        for _ in range(10):
            batch: Batch = self.rt.app.load(self.batch_id, Batch, "batch")
            batch.complete_run(self.run_id, position, self.payments, self.total,
                               self.by_programme, report, self.by)
            try:
                self.rt.app.save(batch)
                break
            except IntegrityError:
                continue
        else:
            raise RuntimeError(f"could not complete the batch for {self.month}: contention")
        self.rt.read_model.catch_up()
        return batch


def await_newer_run(rt: Runtime, batch_id: UUID, timeout: float = 120.0) -> Batch | None:
    """After being superseded: the batch once the newer run completed, or None if it stalled."""
    deadline = time.monotonic() + timeout
    last_version = -1
    stalled_since = time.monotonic()
    while time.monotonic() < deadline:
        batch: Batch = rt.app.load(batch_id, Batch, "batch")
        if batch.status != "draft" or not batch.running:
            rt.read_model.catch_up()
            return batch
        if batch.version != last_version:
            last_version, stalled_since = batch.version, time.monotonic()
        elif time.monotonic() - stalled_since > 15:
            return None  # the newer run stopped moving (killed?): the caller takes over
        time.sleep(0.2)
    return None


__all__ = ["BatchRun", "CHUNK", "Entry", "Existing", "Payee", "Progress", "RunSupersededError",
           "await_newer_run", "differs", "line_payment_id", "new_payment"]
