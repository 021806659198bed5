"""A hash chain over the event log: tamper evidence for ``ledger verify``.

Each stored event's link is ``sha256(previous link, position, originator id,
version, topic, stored state)``: the bytes as stored, so it covers encrypted
events too. Links are written in the read model's transaction as events are
projected. ``verify`` recomputes the chain from the stored events and reports
the first event whose record no longer matches its link (altered, inserted or
deleted outside the ledger). It cannot see a change made both to an event and
to its link with the same tooling; keeping a copy of the last link elsewhere
(it is printed by ``verify``) closes that gap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from eventsourcing.persistence import ApplicationRecorder, Notification
from sqlalchemy import Connection, Engine, insert, select

from projections import schema

GENESIS = "0" * 64


def link(previous: str, n: Notification) -> str:
    h = hashlib.sha256()
    h.update(previous.encode())
    h.update(f"|{n.id}|{n.originator_id}|{n.originator_version}|{n.topic}|".encode())
    h.update(n.state)
    return h.hexdigest()


def last_link(conn: Connection) -> str:
    c = schema.chain.c
    row = conn.execute(select(c.digest).order_by(c.position.desc()).limit(1)).first()
    return row[0] if row else GENESIS


def append(conn: Connection, notifications: Iterable[Notification]) -> None:
    previous = last_link(conn)
    rows = []
    for n in notifications:
        previous = link(previous, n)
        rows.append({"position": n.id, "originator_id": str(n.originator_id),
                     "originator_version": n.originator_version, "digest": previous})
    if rows:
        conn.execute(insert(schema.chain), rows)


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
    """Recompute the chain from the stored events and compare it with the recorded links."""
    c = schema.chain.c
    previous = GENESIS
    checked = 0
    start = 0
    with engine.connect() as conn:
        while True:
            notifications = recorder.select_notifications(start, page, inclusive_of_start=False)
            if not notifications:
                break
            first, last = notifications[0].id, notifications[-1].id
            links = {
                pos: (origin, version, digest)
                for pos, origin, version, digest in conn.execute(
                    select(c.position, c.originator_id, c.originator_version, c.digest)
                    .where(c.position >= first, c.position <= last))
            }
            for n in notifications:
                previous = link(previous, n)
                recorded = links.pop(n.id, None)
                if recorded is None:
                    return Verification(checked, previous, n.id, str(n.originator_id),
                                        "event not in the chain (inserted outside the ledger, "
                                        "or not yet projected)")
                if recorded[2] != previous:
                    return Verification(checked, previous, n.id, recorded[0],
                                        "stored event differs from its recorded link (altered)")
                checked += 1
            if links:
                pos = min(links)
                return Verification(checked, previous, pos, links[pos][0],
                                    "a chained event is missing from the store (deleted)")
            start = last
        tail = conn.execute(select(c.position, c.originator_id).where(c.position > start)
                            .order_by(c.position).limit(1)).first()
    if tail is not None:
        return Verification(checked, previous, tail[0], tail[1],
                            "a chained event is missing from the store (deleted)")
    return Verification(checked, previous)
