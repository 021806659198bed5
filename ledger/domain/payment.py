"""The Payment aggregate: one line of one batch, from draft to the bank's answer.

Its id is derived from the batch's month and kind and the line's case,
programme, kind and the month it pays for (see ``ledger.domain.ids.payment_id``), so
the event store refuses to record the same payment twice.

``amount`` is the line's accounting amount (negative for a recovery);
``transfer`` is what the bank is asked to send: a positive line less the
recovery netted against it, and 0 for a recovery line. Per case, the sum of
amounts equals the sum of transfers, and no transfer is ever negative.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from ledger.domain.calendar import Month
from ledger.domain.errors import LedgerRefusal
from ledger.domain.event_fields import copy_fields

LINE_KINDS = ("regular", "graduation", "arrears", "recovery", "reissue", "price_subsidy", "relief",
              "campaign")


class Payment(Aggregate):
    """A payment line and what became of it.

    Its state is the facts of :class:`Recorded` (the one declaration of a payment's fields,
    copied on by ``copy_fields``; amended by :class:`Amended`) and the bank's answer. The
    annotations below name those attributes' types for the type checker only; a test holds
    them to ``Recorded``'s fields.
    """

    if TYPE_CHECKING:  # not at run time: the library would make annotated state a dataclass
        batch_id: UUID
        case_id: UUID
        programme: str
        kind: str
        for_month: Month
        amount: int
        transfer: int
        formula: str
        reissue_of: list[UUID]
        name: str
        id_number: str
        bank_name: str
        bank_account: str
        town: str
        village: str
        by: str

    class Recorded(Aggregate.Created):
        batch_id: UUID
        case_id: UUID
        programme: str
        kind: str
        for_month: Month
        amount: int
        transfer: int
        formula: str
        reissue_of: list[UUID]
        name: str
        id_number: str
        bank_name: str
        bank_account: str
        town: str
        village: str
        by: str

        def apply(self, aggregate: Any) -> None:
            copy_fields(self, aggregate)

    class Amended(Aggregate.Event):
        """A draft line recomputed because facts changed before approval."""

        amount: int
        transfer: int
        formula: str
        bank_name: str
        bank_account: str
        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.amount = self.amount
            aggregate.transfer = self.transfer
            aggregate.formula = self.formula
            aggregate.bank_name = self.bank_name
            aggregate.bank_account = self.bank_account
            aggregate.withdrawn = False

    class Renamed(Aggregate.Event):
        """A draft line's payee name recomputed: the payee's name was corrected (更正姓名)
        before approval, and the bank checks the account holder's name (户名)."""

        name: str
        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.name = self.name

    class Withdrawn(Aggregate.Event):
        """A draft line no longer due when the draft was recomputed."""

        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.withdrawn = True

    class Settled(Aggregate.Event):
        by: str
        source: str

        def apply(self, aggregate: Any) -> None:
            aggregate.result = "settled"

    class Returned(Aggregate.Event):
        reason: str
        by: str
        source: str

        def apply(self, aggregate: Any) -> None:
            aggregate.result = "returned"
            aggregate.return_reason = self.reason

    def __init__(self, **fields: Any) -> None:
        """Fields are copied from the creation event by its apply(), see copy_fields."""
        self.withdrawn = False
        self.result: str | None = None
        self.return_reason = ""

    def amend(self, amount: int, transfer: int, formula: str, bank_name: str,
              bank_account: str, by: str) -> None:
        self.trigger_event(self.Amended, amount=amount, transfer=transfer, formula=formula,
                           bank_name=bank_name, bank_account=bank_account, by=by)

    def rename(self, name: str, by: str) -> None:
        self.trigger_event(self.Renamed, name=name, by=by)

    def withdraw(self, by: str) -> None:
        self.trigger_event(self.Withdrawn, by=by)

    def settle(self, by: str, source: str) -> bool:
        """Record the bank's success; False (nothing recorded) if a result is already known."""
        if self.result is not None:
            return False
        self.trigger_event(self.Settled, by=by, source=source)
        return True

    def mark_returned(self, reason: str, by: str, source: str) -> bool:
        if self.result == "returned":
            return False
        if self.result == "settled":
            raise LedgerRefusal(
                f"payment {self.id.hex} was already reported settled; a later failure needs review"
            )
        self.trigger_event(self.Returned, reason=reason, by=by, source=source)
        return True


_PAYMENT_TOPIC = get_topic(Payment)


def payment_recorded(payment_id: UUID, timestamp: datetime | None = None,
                     **fields: Any) -> Payment.Recorded:
    """The library's own form of a new payment's creation event.

    The payroll writes new payments through ``ledger.adapters.payment_codec`` instead (the same
    stored bytes, without building this object); this is the reference it is held to.
    """
    return Payment.Recorded(
        originator_id=payment_id, originator_version=Payment.INITIAL_VERSION,
        timestamp=timestamp or Payment.Recorded.create_timestamp(),
        originator_topic=_PAYMENT_TOPIC, **fields,
    )
