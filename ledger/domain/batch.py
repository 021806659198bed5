"""The Batch aggregate: one month's payroll (or price-subsidy) batch and its life.

States: draft → approved → exported → reconciled. A draft may be recomputed;
each computation is a *run* with its own id, bracketed by ``RunStarted`` and
``Computed``, and every chunk of lines it records is saved together with a
``LinesRecorded`` event of the batch. So:
- a batch whose latest run was killed half-way cannot be approved until a run
  completes;
- a newer run supersedes an older one: the older run's next chunk collides on
  the batch's version, and it is refused (``RunSupersededError``) rather than
  overwrite the newer run's lines or totals;
- once approved, no run of any age can record a line into the batch.
Maker–checker: the approver must not be anyone who ran the draft.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger.domain.calendar import Month
from ledger.domain.errors import BatchStateError, MakerCheckerError, RunSupersededError
from ledger.domain.statuses import BATCH_APPROVED, BATCH_OPEN
from ledger.domain.user_names import same_user


class Batch(Aggregate):
    class Drafted(Aggregate.Created):
        month: Month
        kind: str
        by: str

    class RunStarted(Aggregate.Event):
        run_id: str
        position: int
        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.makers.add(self.by)
            aggregate.status = "draft"  # a run of a discarded draft takes the month up again
            aggregate.running = True
            aggregate.run_id = self.run_id
            aggregate.position = self.position

    class LinesRecorded(Aggregate.Event):
        """One chunk of lines saved by a run (in the same transaction as the payments)."""

        run_id: str
        lines: int

    class Computed(Aggregate.Event):
        run_id: str
        position: int
        payments: int
        total: int
        by_programme: dict[str, list[int]]
        report: dict[str, Any]
        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.running = False
            aggregate.computed = True
            aggregate.position = self.position
            aggregate.payments = self.payments
            aggregate.total = self.total
            aggregate.by_programme = self.by_programme
            aggregate.report = self.report

    class Discarded(Aggregate.Event):
        """A draft thrown away: its lines can never be approved or exported (issue 12)."""

        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.status = "discarded"
            aggregate.running = False
            aggregate.computed = False

    class Approved(Aggregate.Event):
        """Approval fixes what may leave: ``lines_digest`` is the SHA-256 of the approved
        transfer lines (``ledger.domain.approval_digest``); "" for batches approved before it existed."""

        class_version = 2
        by: str
        lines_digest: str
        lines: int

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["lines_digest"] = ""
            state["lines"] = 0

        def apply(self, aggregate: Any) -> None:
            aggregate.status = "approved"
            aggregate.approved_by = self.by
            aggregate.lines_digest = self.lines_digest

    class Exported(Aggregate.Event):
        format: str
        sha256: str
        encoding: str
        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.status = "exported" if aggregate.status == "approved" else aggregate.status
            aggregate.exports.append({"format": self.format, "sha256": self.sha256,
                                      "encoding": self.encoding})

    class Reconciled(Aggregate.Event):
        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.status = "reconciled"

    def __init__(self, id: UUID, month: Month, kind: str, by: str) -> None:  # noqa: A002
        self.month = month
        self.kind = kind
        self.status = "draft"
        self.makers: set[str] = {by}
        self.running = False
        self.run_id = ""
        self.computed = False
        self.position = 0
        self.payments = 0
        self.total = 0
        self.by_programme: dict[str, list[int]] = {}
        self.report: dict[str, Any] = {}
        self.approved_by: str | None = None
        self.lines_digest = ""
        self.exports: list[dict[str, str]] = []

    def check_draft(self) -> None:
        if self.status == "discarded":
            raise BatchStateError(
                f"batch {self.id.hex} for {self.month} was discarded: run the month again")
        if self.status != "draft":
            raise BatchStateError(
                f"batch {self.id.hex} for {self.month} is {self.status}; an approved month is "
                "never changed (later facts flow into the next month)"
            )

    def start_run(self, run_id: str, position: int, by: str) -> None:
        if self.status != "discarded":
            self.check_draft()
        self.trigger_event(self.RunStarted, run_id=run_id, position=position, by=by)

    def check_run(self, run_id: str) -> None:
        self.check_draft()
        if run_id != self.run_id:
            raise RunSupersededError(
                f"a newer run of the {self.month} batch started; this run stopped")

    def record_lines(self, run_id: str, lines: int) -> None:
        self.check_run(run_id)
        self.trigger_event(self.LinesRecorded, run_id=run_id, lines=lines)

    def complete_run(self, run_id: str, position: int, payments: int, total: int,
                     by_programme: dict[str, list[int]], report: dict[str, Any], by: str) -> None:
        self.check_run(run_id)
        self.trigger_event(self.Computed, run_id=run_id, position=position, payments=payments,
                           total=total, by_programme=by_programme, report=report, by=by)

    def discard(self, by: str) -> None:
        """Throw a draft away; its payments stay in the log, dead with the batch."""
        if self.status != "draft":
            raise BatchStateError(
                f"batch {self.id.hex} for {self.month} is {self.status}: only a draft can be "
                "discarded (an approved batch never is)")
        self.trigger_event(self.Discarded, by=by)

    def check_approvable(self, by: str) -> None:
        """Every refusal of an approval, before the (costly) digest of its lines is made."""
        self.check_draft()
        if self.running or not self.computed:
            raise BatchStateError(
                f"batch {self.id.hex} has an unfinished run; run the {self.month} {self.kind} "
                "payroll again before approving"
            )
        if any(same_user(by, maker) for maker in self.makers):
            raise MakerCheckerError(
                f"{by} ran this draft and cannot approve it: the approver must be a different user"
            )

    def approve(self, by: str, lines_digest: str, lines: int) -> None:
        self.check_approvable(by)
        self.trigger_event(self.Approved, by=by, lines_digest=lines_digest, lines=lines)

    def record_export(self, format: str, sha256: str, encoding: str, by: str) -> None:
        if self.status not in BATCH_APPROVED:
            raise BatchStateError(
                f"batch {self.id.hex} is {self.status}: only an approved batch can be exported"
            )
        for e in self.exports:
            if e["format"] == format and e.get("encoding") == encoding:
                if e["sha256"] == sha256:
                    return
                # A bank file once sent must never have a silently different twin.
                raise BatchStateError(
                    f"batch {self.id.hex}: its {format} ({encoding}) file was already exported "
                    f"with SHA-256 {e['sha256']}, and this export gives {sha256}; the read "
                    "model, the fund accounts or the code changed since. Nothing was written: "
                    "send the file first exported, or verify the ledger to find what changed")
        if any(e["format"] == format and e["sha256"] == sha256 for e in self.exports):
            return
        self.trigger_event(self.Exported, format=format, sha256=sha256, encoding=encoding, by=by)

    def reconcile(self, by: str) -> None:
        if self.status in BATCH_OPEN:
            self.trigger_event(self.Reconciled, by=by)
