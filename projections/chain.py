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
from itertools import islice
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Notification
from sqlalchemy import Connection, Engine, func, insert, select

from projections import schema

if TYPE_CHECKING:
    from ledger.adapters.event_authentication import Authenticator

GENESIS = "0" * 64
LINK = 64


def link(previous: str, n: Notification) -> str:
    return link_from(previous, header(n), n.state)


def header(n: Notification) -> bytes:
    """What a link covers of an event besides its stored state (made ahead by a reader)."""
    return f"|{n.id}|{n.originator_id}|{n.originator_version}|{n.topic}|".encode()


def link_from(previous: str, event_header: bytes, state: bytes) -> str:
    h = hashlib.sha256(previous.encode())
    h.update(event_header)
    h.update(state)
    return h.hexdigest()


def last_link(conn: Connection) -> str:
    c = schema.chain.c
    row = conn.execute(select(c.links).order_by(c.first_position.desc()).limit(1)).first()
    return row[0][-LINK:] if row else GENESIS


def append_headers(conn: Connection, first: int, last: int,
                   events: Sequence[tuple[bytes, bytes]]) -> None:
    """Chain a page of events given as (header, stored state).

    Every event is authenticated before it gets here (``read_ahead.decoded``), so a page
    holding one the ledger did not write is never chained nor applied.
    """
    previous = last_link(conn)
    links = []
    for event_header, state in events:
        previous = link_from(previous, event_header, state)
        links.append(previous)
    conn.execute(insert(schema.chain).values(
        first_position=first, last_position=last, events=len(links), links="".join(links)))


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


LOOKAHEAD = 64
"""Recorded links read ahead to tell a deleted event from an altered one."""


def aggregate_ref(originator_id: object) -> str:
    """An aggregate as every other output names it: 32 hex digits."""
    return originator_id.hex if isinstance(originator_id, UUID) else UUID(str(originator_id)).hex


def verify(recorder: ApplicationRecorder, engine: Engine, page: int = 5000,
           authenticator: Authenticator | None = None) -> Verification:
    """Recompute the chain from the stored events and compare it, in order, with the links.

    With a key, each event's authentication tag is checked first: an event written
    into the database by someone without the key is named even if they also chained it.
    """
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
                if authenticator is not None and not authenticator.is_authentic(n):
                    return Verification(checked, previous, n.id, aggregate_ref(n.originator_id),
                                        "event not written by this ledger: its authentication "
                                        "tag does not match (inserted or altered by someone "
                                        "without the key)")
                good = previous
                previous = link(previous, n)
                expected = next(recorded, None)
                if expected is None:
                    return Verification(checked, previous, n.id, aggregate_ref(n.originator_id),
                                        "event not in the chain (inserted outside the ledger, "
                                        "or not yet projected)")
                if expected != previous:
                    return _explain(checked, good, start, n, expected, recorded)
                checked += 1
                start = n.id
            start = notifications[-1].id
        rest = 1 + sum(1 for _ in recorded) if next(recorded, None) is not None else 0
        if rest:
            last = conn.execute(select(func.max(schema.chain.c.last_position))).scalar() or 0
            return _deleted_at_end(checked, previous, start, rest, int(last))
    return Verification(checked, previous)


def _explain(checked: int, good: str, before: int, n: Notification, expected: str,
             recorded: Iterator[str]) -> Verification:
    """Tell events deleted just before ``n`` from ``n`` itself altered, naming positions.

    If ``j`` events were deleted, the link recorded ``j`` places on is the one ``n``
    makes from the link recorded just before it. Positions are the log's own, so the
    deleted ones lie strictly between the last good event (``before``) and ``n``: named
    exactly when that gap holds just them, as a range otherwise (PostgreSQL may skip ids).
    """
    ahead = [expected, *islice(recorded, LOOKAHEAD)]
    for j in range(1, len(ahead)):
        if link(ahead[j - 1], n) == ahead[j]:
            if n.id - before - 1 == j:
                where = (f"position {before + 1}" if j == 1
                         else f"positions {before + 1}–{n.id - 1}")
            else:
                where = f"{j} event(s) between positions {before} and {n.id}"
            return Verification(checked, good, before + 1, None,
                                f"event deleted from the log: {where} (the next surviving "
                                f"event, at position {n.id}, is intact)")
    return Verification(checked, link(good, n), n.id, aggregate_ref(n.originator_id),
                        "stored event differs from its recorded link (altered outside the "
                        "ledger, or inserted before it)")


def _deleted_at_end(checked: int, previous: str, start: int, rest: int,
                    last: int) -> Verification:
    if last - start == rest:
        where = f"position {last}" if rest == 1 else f"positions {start + 1}–{last}"
    else:
        where = f"{rest} event(s) after position {start}, the last at {last}"
    return Verification(checked, previous, start + 1 if rest > 1 else last, None,
                        f"the chain is longer than the log: event deleted at the end ({where})")
