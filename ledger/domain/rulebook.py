"""Aggregates for the bureau's rules: standards, policy settings and CPI records.

Each is one small aggregate per key (programme+category, policy key, CPI month)
with a deterministic id, so its whole history is one short event stream.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger.domain.calendar import Month
from ledger.domain.policy import PolicyEntry
from ledger.domain.standards import StandardEntry


class Standard(Aggregate):
    """The history of one programme+category standard."""

    class Created(Aggregate.Created):
        programme: str
        category: str

    class Set(Aggregate.Event):
        amount: int
        per: str
        effective: date
        ref: str
        forced: bool
        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.entries.append(
                StandardEntry(aggregate.programme, aggregate.category, self.amount, self.per,
                              self.effective, self.ref, self.timestamp, self.forced)
            )

    def __init__(self, id: UUID, programme: str, category: str) -> None:  # noqa: A002
        self.programme = programme
        self.category = category
        self.entries: list[StandardEntry] = []

    def set(self, amount: int, per: str, effective: date, ref: str, forced: bool, by: str) -> None:
        self.trigger_event(self.Set, amount=amount, per=per, effective=effective, ref=ref,
                           forced=forced, by=by)


class PolicySetting(Aggregate):
    """The history of one policy key."""

    class Created(Aggregate.Created):
        key: str

    class Set(Aggregate.Event):
        value: str
        effective: date
        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.entries.append(
                PolicyEntry(aggregate.key, self.value, self.effective, self.timestamp)
            )

    def __init__(self, id: UUID, key: str) -> None:  # noqa: A002
        self.key = key
        self.entries: list[PolicyEntry] = []

    def set(self, value: str, effective: date, by: str) -> None:
        self.trigger_event(self.Set, value=value, effective=effective, by=by)


class CpiRecord(Aggregate):
    """The CPI and food-CPI year-on-year rises (%) measured for one month; corrections append."""

    class Created(Aggregate.Created):
        month: Month

    class Recorded(Aggregate.Event):
        cpi_yoy: Decimal
        food_yoy: Decimal
        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.cpi_yoy = self.cpi_yoy
            aggregate.food_yoy = self.food_yoy
            aggregate.decided = False

    class PriceLinkageDecided(Aggregate.Event):
        """The price-linkage decision for this month (thresholds as decimal text)."""

        triggered: bool
        rise: Decimal | None
        index: str | None
        thresholds: dict[str, str]
        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.decision = (self.triggered, self.rise, self.index, dict(self.thresholds))
            aggregate.decided = True

    def __init__(self, id: UUID, month: Month) -> None:  # noqa: A002
        self.month = month
        self.cpi_yoy: Decimal | None = None
        self.food_yoy: Decimal | None = None
        self.decision: tuple[bool, Decimal | None, str | None, dict[str, str]] | None = None
        """The last price-linkage decision: (triggered, rise, index, thresholds)."""
        self.decided = False
        """True when a decision was recorded after the last (corrected) index values."""

    def record(self, cpi_yoy: Decimal, food_yoy: Decimal, by: str) -> None:
        """Refuses what no statistics bureau publishes: not a number (``NaN``, ``Infinity``,
        which would break every later linkage decision) or a year-on-year change outside
        −100 %..+100 %."""
        for what, value in (("cpi_yoy", cpi_yoy), ("food_yoy", food_yoy)):
            if not value.is_finite() or not -100 < value < 100:
                raise ValueError(f"{what}: a year-on-year change in percent between -100 and "
                                 f"100, not {value}")
        self.trigger_event(self.Recorded, cpi_yoy=cpi_yoy, food_yoy=food_yoy, by=by)

    def decide_price_linkage(self, triggered: bool, rise: Decimal | None, index: str | None,
                             thresholds: dict[str, str], by: str) -> bool:
        """Record the decision unless it is already the current one; True when recorded."""
        if self.decided and self.decision == (triggered, rise, index, thresholds):
            return False
        self.trigger_event(self.PriceLinkageDecided, triggered=triggered, rise=rise, index=index,
                           thresholds=dict(thresholds), by=by)
        return True
