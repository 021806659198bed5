"""Catch-up's events decoded into ready items, in this process or ahead in worker processes.

Projecting an event is two kinds of work: reading and decoding it (for the bulk topics,
``Payment.Recorded`` and ``Case.Enrolled``, the JSON of a million payments and cases),
and writing what it changes. :func:`decoded` does the first for one event, with nothing
but the mapper: it authenticates the event (with a key), decodes the bulk topics straight
into what the read model stores (``payment_codec``, ``enrolment_rows``) and makes the
hash chain's header. ``ReadModel`` applies such items in one place, whoever decoded them.

A rebuild (or a follower far behind) can have :class:`PageReader` workers do the
reading and decoding ahead: each worker takes a range of positions, reads it with its
own connection through the library's own ``select_notifications``, and hands back the
range's items. Workers only read. The catch-up process — the one writer — applies the
ranges in log order, each in one transaction with the tracking position, as
``ReadModel.catch_up`` does, so exactly-once is unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import Mapper, Notification

from ledger.adapters import payment_codec
from ledger.adapters.event_authentication import authenticator_of
from ledger.adapters.payment_codec import RECORDED_TOPIC, RecordedPayment
from projections.chain import header
from projections.enrolment_rows import ENROLLED_TOPIC, enrolled_row
from projections.read_model_handlers import TOPICS

PAYMENT, CASE, EVENT, SKIP = "payment", "case", "event", "skip"
"""What an item carries: a new payment's facts, a new case's row, an event for its
handler (its originator, version and topic), or nothing for the read model."""

Item = tuple[int, bytes, bytes, str, Any]
"""(position, chain header, stored state, what, payload): one event, decoded."""


def decoded(mapper: Mapper[Any], n: Notification,
            known: RecordedPayment | None = None) -> Item:
    """One event as an item; raises if it fails authentication (nothing is applied then).

    ``known``: the event's payment as the writer that just recorded it made it (its bytes
    are still authenticated here, as every other event's are).
    """
    topic = n.topic
    if topic == RECORDED_TOPIC:
        payment = known
        if payment is None:
            payment = payment_codec.decode(mapper, n)  # authenticates
        elif (authenticator := authenticator_of(mapper)) is not None:
            authenticator.opened(n)
        if payment is not None:
            return n.id, header(n), n.state, PAYMENT, tuple(payment)
    elif topic == ENROLLED_TOPIC:
        row = enrolled_row(mapper, n, n.id)  # authenticates
        if row is not None:
            return n.id, header(n), n.state, CASE, row
    authenticator = authenticator_of(mapper)
    if authenticator is not None:
        authenticator.opened(n)
    what = EVENT if topic in TOPICS else SKIP
    return n.id, header(n), n.state, what, (n.originator_id, n.originator_version, topic)


def notification(item: Item) -> Notification:
    """The stored event an ``EVENT`` item came from, for the mapper to decode."""
    position, _, state, _, (originator_id, version, topic) = item
    return Notification(id=position, originator_id=originator_id,
                        originator_version=version, topic=topic, state=state)


def payment_of(item: Item) -> RecordedPayment:
    """A ``PAYMENT`` item's payment (sent as a plain tuple: it pickles without its class)."""
    return payment_codec.from_fields(item[4])


@dataclass(frozen=True)
class PageReader:
    """How a worker opens its own copy of the ledger's event store, to read ranges of it."""

    app_type: type[Application[UUID]]
    env: dict[str, str]

    @classmethod
    def of(cls, app: Application[UUID]) -> PageReader:
        """A reader of ``app``'s store: the same settings and key, never creating tables."""
        return cls(type(app), {**dict(app.env), "CREATE_TABLE": "false"})


_APP: Application[UUID] | None = None


def open_reader(reader: PageReader) -> None:
    """A worker's start: its own application (own connections) on the same store."""
    global _APP
    _APP = reader.app_type(env=reader.env)


def read_range(bounds: tuple[int, int]) -> Sequence[Item]:
    """The items of every event after position ``bounds[0]`` up to ``bounds[1]``, in order."""
    assert _APP is not None, "reader started without its store"
    after, upto = bounds
    mapper = _APP.mapper
    notifications = _APP.recorder.select_notifications(
        after, upto - after, stop=upto, inclusive_of_start=False)
    return [decoded(mapper, n) for n in notifications]
