"""A hash chain over the event log: tamper evidence for ``ledger verify``.

Each stored event's link is ``sha256(previous link, position, originator id,
version, topic, stored state)``: the bytes as stored, so it covers encrypted
events too. The links of a projected page are written as one row, in the read
model's transaction. ``verify`` recomputes the chain from the stored events
and reports the first event whose record no longer matches its link (altered,
inserted or deleted outside the ledger). It cannot see a change made both to
an event and to its link with the same tooling; keeping a copy of the last
link elsewhere (``verify`` prints it) closes that gap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from eventsourcing.persistence import ApplicationRecorder, Notification
from sqlalchemy import Connection, Engine, insert, select

from projections import schema

GENESIS = "0" * 64
LINK = 64


def link(previous: str, n: Notification) -> str:
    h = hashlib.sha256()
    h.update(previous.encode())
    h.update(f"|{n.id}|{n.originator_id}|{n.originator_version}|{n.topic}|".encode())
    h.update(n.state)
    return h.hexdigest()


def last_link(conn: Connection) -> str:
    c = schema.chain.c
    row = conn.execute(select(c.links).order_by(c.first_position.desc()).limit(1)).first()
    return row[0][-LINK:] if row else GENESIS


def append(conn: Connection, notifications: Sequence[Notification]) -> None:
    if not notifications:
        return
    previous = last_link(conn)
    links = []
    for n in notifications:
        previous = link(previous, n)
        links.append(previous)
    conn.execute(insert(schema.chain).values(
        first_position=notifications[0].id, last_position=notifications[-1].id,
        events=len(links), links="".join(links)))


def _recorded_links(conn: Connection) -> Iterator[str]:
    c = schema.chain.c
    rows = conn.execution_options(yield_per=100).execute(
        select(c.links).order_by(c.first_position))
    for (links,) in rows:
        for i in range(0, len(links), LINK):
            yield links[i:i + LINK]


@dataclass
class Verification:
    events: int
    last_link: str
    first_bad_position: int | None = None
    first_bad_originator: str | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_position is None


def verify(recorder: ApplicationRecorder, engine: Engine, page: int = 5000) -> Verification:
    """Recompute the chain from the stored events and compare it, in order, with the links."""
    previous = GENESIS
    checked = 0
    start = 0
    with engine.connect() as conn:
        recorded = _recorded_links(conn)
        while True:
            notifications = recorder.select_notifications(start, page, inclusive_of_start=False)
            if not notifications:
                break
            for n in notifications:
                previous = link(previous, n)
                expected = next(recorded, None)
                if expected is None:
                    return Verification(checked, previous, n.id, str(n.originator_id),
                                        "event not in the chain (inserted outside the ledger, "
                                        "or not yet projected)")
                if expected != previous:
                    return Verification(checked, previous, n.id, str(n.originator_id),
                                        "stored event differs from its recorded link "
                                        "(altered, or an earlier one deleted)")
                checked += 1
            start = notifications[-1].id
        if next(recorded, None) is not None:
            return Verification(checked, previous, start + 1, None,
                                "the chain is longer than the log: events deleted at the end")
    return Verification(checked, previous)
