"""The Ledger application: one eventsourcing Application holding every aggregate.

One application because on SQLite the library's table names are fixed (two
applications in one file would share one log anyway). Methods read as
get → one command → save; library errors are translated at this edge.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import JSONTranscoder, Mapper, Transcoding

from ledger.adapters.event_authentication import AuthenticatingMapper, Authenticator
from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.domain.case import Case
from ledger.domain.errors import NotFoundError, StandardBelowMinimumError
from ledger.domain.money import Fen, format_yuan, monthly_from_yearly
from ledger.domain.policy import POLICY_KEYS, PolicyBook, parse_policy_value
from ledger.domain.rulebook import CpiRecord, PolicySetting, Standard
from ledger.domain.standards import CATEGORIES, StandardBook, check_category, tekun_below_minimum
from ledger.domain.text_fields import check_text

T = TypeVar("T")


class MonthAsText(Transcoding):
    type = Month
    name = "month"

    def encode(self, obj: Month) -> str:
        return str(obj)

    def decode(self, data: str) -> Month:
        return Month.parse(data)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class Ledger(Application[UUID]):
    """All aggregates of one county's ledger."""

    name = "Ledger"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(MonthAsText())
        transcoder.register(DateAsISO())

    def construct_mapper(self) -> Mapper[UUID]:
        """With a key, every stored event is authenticated (see ledger.adapters.event_authentication)."""
        mapper = super().construct_mapper()
        key = self.env.get("CIPHER_KEY")
        return AuthenticatingMapper(mapper, Authenticator(key)) if key else mapper

    # --- generic -----------------------------------------------------------------
    def load(self, aggregate_id: UUID, kind: type[T], what: str) -> T:
        try:
            aggregate: object = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFoundError(f"no {what} {aggregate_id.hex}") from None
        if not isinstance(aggregate, kind):
            raise NotFoundError(f"{aggregate_id.hex} is not a {what}")
        return aggregate

    def maybe(self, aggregate_id: UUID) -> Any | None:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def person_key(self, id_number: str) -> str:
        """How a person is looked up: the ID number, or its keyed hash when events are encrypted."""
        key = self.env.get("CIPHER_KEY")
        if not key:
            return id_number
        return hmac.new(key.encode(), id_number.encode(), hashlib.sha256).hexdigest()

    # --- standards ---------------------------------------------------------------
    def standard_book(self) -> StandardBook:
        book = StandardBook()
        for programme, categories in CATEGORIES.items():
            for category in categories:
                standard = self.maybe(ids.standard_id(programme, category))
                for entry in standard.entries if standard else ():
                    book.add(entry)
        return book

    def set_standard(self, programme: str, category: str, amount: Fen, per: str,
                     effective: date, ref: str, force: bool, by: str) -> list[str]:
        """Record a standard; returns warnings. Refuses a tekun basic below 1.3 × dibao."""
        check_category(programme, category)
        check_text(ref, "reference")
        if per not in ("month", "year"):
            raise ValueError(f"a standard is per month or per year, not per {per!r}")
        if amount < 0:
            raise ValueError("a standard cannot be negative")
        warnings = []
        book = self.standard_book()
        month = Month.of(effective)
        checks: list[tuple[Fen, Fen | None, str]] = []
        monthly = amount if per == "month" else monthly_from_yearly(amount)
        if programme == "tekun" and category.startswith("basic:"):
            area = category.split(":", 1)[1]
            checks.append((monthly, book.monthly("dibao", area, month), area))
        if programme == "dibao":
            basic = book.monthly("tekun", f"basic:{category}", month)
            if basic is not None:
                checks.append((basic, monthly, category))
        for basic, dibao, area in checks:
            if tekun_below_minimum(basic, dibao):
                assert dibao is not None
                message = (
                    f"tekun basic:{area} {format_yuan(basic)}/month is below 1.3 × dibao {area} "
                    f"{format_yuan(dibao)}/month from {effective}"
                )
                if not force:
                    raise StandardBelowMinimumError(message + " (it may be recorded forced)")
                warnings.append("WARNING: " + message + "; recorded because it was forced")
        sid = ids.standard_id(programme, category)
        standard = self.maybe(sid) or Standard(programme=programme, category=category, id=sid)
        standard.set(amount, per, effective, ref, force and bool(warnings), by)
        self.save(standard)
        return warnings

    # --- policy ------------------------------------------------------------------
    def policy_book(self) -> PolicyBook:
        book = PolicyBook()
        for key in POLICY_KEYS:
            setting = self.maybe(ids.policy_id(key))
            for entry in setting.entries if setting else ():
                book.add(entry)
        return book

    def set_policy(self, key: str, value: str, effective: date, by: str) -> None:
        parse_policy_value(key, value)
        pid = ids.policy_id(key)
        setting = self.maybe(pid) or PolicySetting(key=key, id=pid)
        setting.set(value, effective, by)
        self.save(setting)

    # --- CPI -----------------------------------------------------------------------
    def record_cpi(self, month: Month, cpi_yoy: Decimal, food_yoy: Decimal, by: str) -> None:
        cid = ids.cpi_id(month)
        record = self.maybe(cid) or CpiRecord(month=month, id=cid)
        record.record(cpi_yoy, food_yoy, by)
        self.save(record)

    def cpi(self, month: Month) -> CpiRecord | None:
        return self.maybe(ids.cpi_id(month))

    # --- cases ---------------------------------------------------------------------
    def case(self, case_id: UUID) -> Case:
        return self.load(case_id, Case, "case")
