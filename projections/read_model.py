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

from ledger.adapters.payment_codec import RecordedPayment
from ledger.adapters.worker_processes import OrderedPool
from projections.chain import append_headers
from projections.read_ahead import (
    CASE,
    EVENT,
    PAYMENT,
    SKIP,
    Item,
    PageReader,
    decoded,
    notification,
    open_reader,
    payment_of,
    read_range,
)
from projections.read_model_handlers import HANDLERS, payment_recorded
from projections.read_model_page import Page
from projections.tracking import advance, mark_changed, read_position

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

    def catch_up_ahead(self, workers: int, page_size: int = PAGE_SIZE) -> int:
        """:meth:`catch_up`, with ranges of the log read and decoded ahead by ``workers``
        processes (``read_ahead``); this process applies them in order, each range in one
        transaction with the tracking position. Should the position move meanwhile (another
        process catching up), reading ahead stops and :meth:`catch_up` finishes.
        """
        expected = self.position()
        end = self.app.recorder.max_notification_id() or 0
        ranges = (((after, min(after + page_size, end)),) * 2
                  for after in range(expected, end, page_size))
        with OrderedPool(read_range, workers, open_reader, (PageReader.of(self.app),)) as pool:
            for _, items in pool.results(ranges):
                if not items:
                    continue  # a gap in the positions (PostgreSQL): nothing to apply
                with self.engine.begin() as conn:
                    start = read_position(conn, self.NAME, for_update=True)
                    if start != expected:
                        break
                    self._apply_items(conn, items)
                    advance(conn, self.NAME, start, items[-1][0])
                expected = items[-1][0]
        return self.catch_up(page_size)

    def _apply(self, conn: Connection, notifications: Sequence[Notification],
               known: Mapping[int, RecordedPayment] | None = None) -> None:
        mapper = self.app.mapper
        known = known or {}
        # Every event decoded (and authenticated) before anything is applied.
        self._apply_items(conn, [decoded(mapper, n, known.get(n.id)) for n in notifications])

    def _apply_items(self, conn: Connection, items: Sequence[Item]) -> None:
        """Apply a page of decoded events: chain them, fold their rows, write them, and note
        the last event that changed a row (``tracking.mark_changed``)."""
        append_headers(conn, items[0][0], items[-1][0], [(h, state) for _, h, state, _, _ in items])
        mapper = self.app.mapper
        page = Page(conn)
        changed = 0
        for item in items:
            what = item[3]
            if what != SKIP:
                changed = item[0]
            if what == PAYMENT:
                # The payroll's bulk, read without building domain events (payment_codec).
                payment_recorded(page, payment_of(item), item[0])
            elif what == CASE:
                # Roster imports' bulk, likewise (projections/enrolment_rows).
                case = item[4]
                page.new_cases.add(case["case_id"])
                page.cases[case["case_id"]] = case
            elif what == EVENT:
                event = mapper.to_domain_event(notification(item))
                HANDLERS[type(event)](page, event, item[0])
        page.flush()
        if changed:
            mark_changed(conn, self.NAME, changed)
