"""The read model: cases, batches, payments and reliefs as tables, fed by the event log.

A page of notifications is applied and the tracking position advanced in one
SQLAlchemy transaction, so every event is applied exactly once whatever
crashes: a killed catch-up leaves the old position and the old rows.
Events of one page are folded in memory and written together
(``read_model_page``), each by its handler (``read_model_handlers``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Notification
from sqlalchemy import Connection, Engine

from ledger.adapters import payment_codec
from ledger.adapters.event_authentication import authenticator_of
from ledger.adapters.payment_codec import RECORDED_TOPIC, RecordedPayment
from projections.chain import append as append_links
from projections.enrolment_rows import ENROLLED_TOPIC, enrolled_row
from projections.read_model_handlers import HANDLERS, TOPICS, payment_recorded
from projections.read_model_page import Page
from projections.tracking import advance, read_position

PAGE_SIZE = 5000



class ReadModel:
    """Keeps the read-model tables caught up with the event log, exactly once."""

    NAME = "read_model"

    def __init__(self, app: Application[UUID], engine: Engine) -> None:
        self.app = app
        self.engine = engine

    def position(self) -> int:
        with self.engine.connect() as conn:
            return read_position(conn, self.NAME)

    def catch_up(self, page_size: int = PAGE_SIZE,
                 after_page: Callable[[int], None] | None = None) -> int:
        """Apply every event recorded so far; returns the position reached."""
        while True:
            with self.engine.begin() as conn:
                start = read_position(conn, self.NAME, for_update=True)
                notifications = self.app.recorder.select_notifications(
                    start, page_size, inclusive_of_start=False
                )
                if not notifications:
                    return start
                self._apply(conn, notifications)
                advance(conn, self.NAME, start, notifications[-1].id)
            if after_page is not None:
                after_page(notifications[-1].id)

    def apply_recorded(self, notifications: Sequence[Notification],
                       known: Mapping[int, RecordedPayment]) -> None:
        """Project what this process just recorded, without reading it back.

        ``notifications`` are the events one transaction just recorded (with their
        positions), ``known`` the payments among them already decoded. Taken only when
        they follow the tracked position with nothing in between, and are contiguous;
        otherwise (another writer interleaved) this is a plain :meth:`catch_up`.
        """
        first, last = notifications[0].id, notifications[-1].id
        if last - first + 1 == len(notifications):
            with self.engine.begin() as conn:
                start = read_position(conn, self.NAME, for_update=True)
                if self._nothing_between(start, first):
                    self._apply(conn, notifications, known)
                    advance(conn, self.NAME, start, last)
                    return
        self.catch_up()

    def _nothing_between(self, start: int, first: int) -> bool:
        """True when ``first`` is the next event after the tracked position ``start``.

        Positions may have gaps (a rolled-back insert on PostgreSQL uses up ids), so an
        empty range is asked of the log rather than assumed from the numbers.
        """
        if start >= first:
            return False  # someone (the follower) projected these already
        return start == first - 1 or not self.app.recorder.select_notifications(
            start, 1, stop=first - 1, inclusive_of_start=False)

    def _apply(self, conn: Connection, notifications: Sequence[Notification],
               known: Mapping[int, RecordedPayment] | None = None) -> None:
        mapper = self.app.mapper
        append_links(conn, notifications, authenticator_of(mapper))
        page = Page(conn)
        for n in notifications:
            if n.topic == RECORDED_TOPIC:
                # The payroll's bulk: read without building domain events (payment_codec).
                payment = (known.get(n.id) if known else None) or payment_codec.decode(mapper, n)
                if payment is not None:
                    payment_recorded(page, payment, n.id)
                    continue
            elif n.topic == ENROLLED_TOPIC:
                # Roster imports' bulk, also without domain events (projections/enrolment_rows).
                case = enrolled_row(mapper, n, n.id)
                if case is not None:
                    page.new_cases.add(case["case_id"])
                    page.cases[case["case_id"]] = case
                    continue
            if n.topic not in TOPICS:
                continue
            event = mapper.to_domain_event(n)
            HANDLERS[type(event)](page, event, n.id)
        page.flush()
