"""The event recorder on PostgreSQL: the library's, with a faster way to send a chunk.

``eventsourcing``'s PostgreSQL recorder sends a chunk of events as one array of a
composite type, which psycopg builds in Python, escaping every field with a regular
expression: on this project's 2-core machine that capped appends near 20k events/s,
below what a province payroll needs. This subclass sends the same chunk as four plain
arrays (ids, versions, topics, states) in PostgreSQL's binary format (``%b``: each value
length-prefixed, nothing to escape; the text format escaped every state's bytes in
Python, ten times slower per chunk), and
keeps everything else of the library's: the same table, the same ``LOCK TABLE`` that
makes insert order the commit order, the same ``NOTIFY`` for subscribers, the same
``RETURNING notification_id`` in input order, and the same error translation (a
duplicate payment id is still the library's ``IntegrityError``). It is plugged in
through the library's own setting, ``APPLICATION_RECORDER_TOPIC``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier


class PostgresEventRecorder(PostgresApplicationRecorder):
    """The library's application recorder, inserting a chunk as plain parallel arrays."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.insert_events_statement = SQL(
            "INSERT INTO {schema}.{table} AS t "
            "(originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::{id_type}[], %b::bigint[], %b::text[], %b::bytea[]) "
            "RETURNING notification_id"
        ).format(
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
            id_type=Identifier(self.datastore.originator_id_type),
        )

    def _insert_stored_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent],
                              **_: Any) -> None:
        self._lock_table(curs)
        self._notify_channel(curs)
        curs.execute(self.insert_events_statement, (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events],
            [e.state for e in stored_events],
        ))
