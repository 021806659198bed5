"""A draft is approved only as fresh as the facts (issue 13: never approved silently stale).

A batch records the log position its lines were computed at. A fact recorded after that
position — a reassessment, an exit, an enrolment, a bank account, a standard, a policy,
a CPI figure, a relief — may change what the batch should pay; approving the draft
anyway would pay last week's amounts and leave the difference to a later month. The
ledger refuses: run the month again (the same batch, only the changed lines change),
then approve. Refusing is safer for a payments system than a warning in the report.

A "fact" is any event of the ledger's aggregates except batches' and payments' own
(those are the payroll's output, not its input): new kinds of fact are covered as soon
as their module is imported, without a list to keep up to date.
"""

from __future__ import annotations

from functools import cache

from eventsourcing.domain import Aggregate

from ledger.domain.batch import Batch
from ledger.domain.errors import BatchStateError
from ledger.services.runtime import Runtime

OUTPUT_AGGREGATES = ("Batch", "Payment", "Account", "UserAccount")
"""Aggregates whose events a payroll writes (batches, payments) or never reads (accounts)."""

NOTES = ("Case.Reviewed", "Case.TimeNoted", "Case.AgeBandReached", "Case.GraduationCompleted",
         "CpiRecord.PriceLinkageDecided", "Campaign.Created", "Campaign.HandedOver")
"""Events that record what happened (a review, a time note, the price-linkage job's own
decision, a campaign and its hand-overs) without changing a fact the regular payroll reads.
A campaign batch's own freshness also checks its month's campaigns
(``ledger.services.campaign_run.check_campaigns_fresh``)."""


class StaleDraftError(BatchStateError):
    """Raised when a draft is approved although facts were recorded after it was computed."""


def _event_classes(cls: type) -> set[type]:
    found: set[type] = set()
    sub: type
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _event_classes(sub)
    return found


@cache
def fact_topics() -> tuple[str, ...]:
    """Topics of every ledger event that a payroll reads (all but batches' and payments')."""
    import ledger.adapters.application  # noqa: F401  (imports every aggregate module)

    # The library re-creates nested event classes on their aggregate: several classes can
    # share one topic, so topics are spelled from the names (as the library does).
    events = _event_classes(Aggregate.Event) | _event_classes(Aggregate.Created)
    return tuple(sorted(
        {f"{cls.__module__}:{cls.__qualname__}" for cls in events
        if cls.__module__.startswith("ledger.") and "." in cls.__qualname__
        and cls.__qualname__.split(".")[0] not in OUTPUT_AGGREGATES
        and cls.__qualname__ not in NOTES}
    ))


def check_fresh(rt: Runtime, batch: Batch) -> None:
    """Refuse to approve a draft when any fact was recorded after the position it was run at."""
    newer = rt.app.recorder.select_notifications(batch.position, 1, topics=fact_topics(),
                                                 inclusive_of_start=False)
    if newer:
        kind = newer[0].topic.rsplit(":", 1)[-1]
        raise StaleDraftError(
            f"facts changed since the {batch.month} draft was run at position {batch.position} "
            f"({kind} at position {newer[0].id}): run it again (the {batch.month} payroll), "
            "then approve")
