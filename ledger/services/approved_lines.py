"""A batch's transfer lines as the bank file states them, each proven from the event log.

The read model gives the order of the bank file and the set of payment ids; every
value that moves money (payee name, ID number, bank account and bank name, amount,
transfer, programme, month) is then read from the payment's own events in the log,
in pages, in the same read snapshot. A read-model row that disagrees with its
events, names a payment of another batch, a withdrawn one or none at all, stops the
stream with :class:`LinesMismatchError` before the file is moved into place, so an
edited read model can never redirect money: it can only make an export refuse.

The payee's account is the one the payment's events record (the run copied it from
the case as of the batch's log position, and an amendment before approval replaces
it): that is what the approver saw, so it is the authority — not the case's account
today, which may since have changed for later months.

Approval (``ledger.services.batches.approve_batch``) streams the same lines into a
:class:`~ledger.domain.approval_digest.LinesDigest` and records it on ``Batch.Approved``; the
export recomputes it and refuses on a difference. Batches approved before digests
existed record none: their exports are still proven line by line against the log
and their total against the approved total, but not against the approved order.

The payment events are read straight from the library's events table, a page of
ids per query (the recorder reads one aggregate per query, too slow for a million
lines), and decoded by the library's mapper or :mod:`ledger.adapters.payment_codec`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Result, Row, bindparam, select, text

from ledger.adapters import payment_codec
from ledger.adapters.bankfiles import TransferLine
from ledger.adapters.payment_codec import RECORDED_TOPIC, RecordedPayment
from ledger.adapters.snapshot_read import SNAPSHOT_READ
from ledger.domain.approval_digest import ApprovedLine, LinesDigest
from ledger.domain.calendar import Month
from ledger.domain.campaign import Campaign
from ledger.domain.errors import BatchStateError
from ledger.domain.payment import Payment
from ledger.services.runtime import Runtime
from projections import schema

PAGE = 2000
"""Rows (and payments' histories) fetched at a time."""
_AMENDED = get_topic(Payment.Amended)
_WITHDRAWN = get_topic(Payment.Withdrawn)
_RENAMED = get_topic(Payment.Renamed)
_COLUMNS = ApprovedLine._fields
"""The columns ``ordered_rows`` selects, in the order of :class:`ApprovedLine`'s fields."""
REPAIR = ("nothing was written; run `ledger verify` to see what differs and "
          "`ledger projections rebuild` to restore the read model from the log")


class LinesMismatchError(BatchStateError):
    """Raised when a batch's lines in the read model are not what its events (or approval) say."""


def ordered_rows(conn: Connection, batch_id: UUID) -> Iterator[Row[Any]]:
    """The batch's transfers (``transfer`` > 0, not withdrawn) in bank-file order, streamed.

    File order is (programme, town, village, case, month, kind, payment id),
    compared by code point as Python compares text. The database sorts, so
    nothing is held: SQLite's default (BINARY) collation is that order, and on
    PostgreSQL each key is compared ``COLLATE "C"`` (bytes of UTF-8, that is
    code points), never the database's locale, so both give the same bytes.
    One streamed query (a server-side cursor on PostgreSQL) reads one snapshot.
    """
    p = schema.payments.c
    keys = (p.programme, p.town, p.village, p.case_id, p.for_month, p.kind, p.payment_id)
    order = [key.collate("C") for key in keys] if conn.dialect.name == "postgresql" else keys
    rows: Result[Any] = conn.execution_options(yield_per=PAGE).execute(
        select(*(p[name] for name in _COLUMNS))
        .where(p.batch_id == batch_id.hex, p.own_status != "withdrawn", p.transfer > 0)
        .order_by(*order)
    )
    yield from rows


def proven_lines(rt: Runtime, conn: Connection, batch_id: UUID,
                 digest: LinesDigest) -> Iterator[TransferLine]:
    """The batch's transfer lines built from the log, fed to ``digest`` as they are yielded."""
    events = _EventsTable(rt)
    months: dict[str, Month] = {}
    item_names: dict[str, str] = {}
    for page in _pages(ordered_rows(conn, batch_id), PAGE):
        histories = events.histories(conn, [r.payment_id for r in page])
        for row in page:
            line = line_from_log(rt.app.mapper, batch_id.hex, row.payment_id,
                                 histories.get(row.payment_id, ()))
            _check_row(row, line)
            digest.add(line)
            month = months.get(line.for_month) or months.setdefault(
                line.for_month, Month.parse(line.for_month))
            yield TransferLine(UUID(line.payment_id), line.name, line.id_number,
                               line.bank_account, line.bank_name, line.transfer, line.programme,
                               month, line.kind, _item_name(rt, line, item_names))


def _item_name(rt: Runtime, line: ApprovedLine, names: dict[str, str]) -> str:
    """A campaign line's 项目: the campaign's name, read from the campaign's own events."""
    if line.kind != "campaign":
        return ""
    if line.case_id not in names:
        campaign: Campaign = rt.app.load(UUID(line.case_id), Campaign, "campaign")
        names[line.case_id] = campaign.name
    return names[line.case_id]


def digest_batch(rt: Runtime, batch_id: UUID, approved_total: int) -> LinesDigest:
    """Prove every transfer line of a batch from the log; its digest, checked against the total."""
    digest = LinesDigest(batch_id.hex)
    with rt.engine.connect() as conn:
        conn.execution_options(**{SNAPSHOT_READ: True})
        for _ in proven_lines(rt, conn, batch_id, digest):
            pass
    if digest.transfers != approved_total:
        raise LinesMismatchError(
            f"batch {batch_id.hex}: its transfer lines add up to {digest.transfers} fen but its "
            f"run computed {approved_total} fen; {REPAIR}")
    return digest


def line_from_log(mapper: Any, batch_hex: str, payment_hex: str,
                  history: Sequence[StoredEvent]) -> ApprovedLine:
    """A payment's line as its own events state it (creation, then amendments, renaming,
    withdrawal)."""
    if not history or history[0].topic != RECORDED_TOPIC:
        raise LinesMismatchError(
            f"payment {payment_hex} is in the read model but has no recorded event in the "
            f"log; {REPAIR}")
    p = payment_codec.decode(mapper, history[0])  # type: ignore[arg-type]
    if p is None:
        p = RecordedPayment.of_event(mapper.to_domain_event(history[0]))
    if p.batch_id != batch_hex:
        raise LinesMismatchError(
            f"payment {payment_hex} belongs to batch {p.batch_id} in the log, not "
            f"{batch_hex}; {REPAIR}")
    amount, transfer, bank_name, bank_account = p.amount, p.transfer, p.bank_name, p.bank_account
    name = p.name
    withdrawn = False
    for stored in history[1:]:
        if stored.topic == _AMENDED:
            e = mapper.to_domain_event(stored)
            amount, transfer, bank_name, bank_account = (e.amount, e.transfer, e.bank_name,
                                                         e.bank_account)
            withdrawn = False
        elif stored.topic == _RENAMED:
            name = mapper.to_domain_event(stored).name
        elif stored.topic == _WITHDRAWN:
            mapper.to_domain_event(stored)  # decoded (and so authenticated) like the others
            withdrawn = True
    if withdrawn:
        raise LinesMismatchError(f"payment {payment_hex} was withdrawn in the log; {REPAIR}")
    return ApprovedLine(payment_hex, p.case_id, p.programme, p.kind, p.for_month, amount,
                        transfer, name, p.id_number, bank_account, bank_name)


def _check_row(row: Row[Any], line: ApprovedLine) -> None:
    if tuple(row) == line:  # the common case, compared at C speed
        return
    differ = [c for c, stored, logged in zip(_COLUMNS, row, line, strict=True) if stored != logged]
    raise LinesMismatchError(
        f"payment {line.payment_id}: the read model's {', '.join(differ)} differ(s) from "
        f"the event log; {REPAIR}")


class _EventsTable:
    """The library's events table on this backend, read a page of aggregates at a time."""

    def __init__(self, rt: Runtime) -> None:
        recorder: Any = rt.app.recorder
        self.postgres = rt.settings.backend == "postgresql"
        if self.postgres:
            table = f'"{recorder.datastore.schema}"."{recorder.events_table_name}"'
        else:
            table = f'"{recorder.events_table_name}"'
        self.query = text(
            f"SELECT originator_id, originator_version, topic, state FROM {table} "
            "WHERE originator_id IN :ids ORDER BY originator_id, originator_version"
        ).bindparams(bindparam("ids", expanding=True))

    def histories(self, conn: Connection, payment_hexes: list[str]) -> dict[str, list[StoredEvent]]:
        ids: list[Any] = ([UUID(h) for h in payment_hexes] if self.postgres
                          else list(payment_hexes))
        found: dict[str, list[StoredEvent]] = {}
        for oid, version, topic, state in conn.execute(self.query, {"ids": ids}):
            key = oid.hex if isinstance(oid, UUID) else str(oid)
            found.setdefault(key, []).append(StoredEvent(
                originator_id=UUID(key), originator_version=version, topic=topic,
                state=bytes(state)))
        return found


def _pages(rows: Iterable[Row[Any]], size: int) -> Iterator[list[Row[Any]]]:
    it = iter(rows)
    while page := list(islice(it, size)):
        yield page
