"""Who changed what and when: every state change in the log carries its ``by``.

The audit reads the notification log itself (not a projection), so it shows
exactly what was recorded. Personal fields are not shown, only what happened
to which aggregate.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import DomainEvent

from ledger.domain.user_names import user_key

AUDITED_FIELDS = ("programme", "kind", "month", "for_month", "effective", "reason", "format",
                  "category", "key", "value", "multiple", "source", "account", "role")


def audit_entries(app: Application[UUID], since: date, user: str | None = None,
                  page: int = 5000) -> Iterator[dict[str, Any]]:
    """Every recorded change from ``since`` (UTC date) on, optionally by one user, in log order."""
    start_of_day = datetime(since.year, since.month, since.day, tzinfo=UTC)
    wanted = None if user is None else user_key(user)  # `--user CLERK` finds clerk's changes
    position = 0
    while True:
        notifications = app.recorder.select_notifications(position, page,
                                                          inclusive_of_start=False)
        if not notifications:
            return
        for n in notifications:
            event = app.mapper.to_domain_event(n)
            if not isinstance(event, DomainEvent):  # every ledger event is one; it has a time
                continue
            by = getattr(event, "by", None)
            if by is None:
                continue  # the creation of a rules aggregate: its first Set, saved with it, says who
            if event.timestamp < start_of_day or (wanted is not None and user_key(by) != wanted):
                continue
            entry: dict[str, Any] = {
                "position": n.id,
                "recorded_at": event.timestamp.isoformat(),
                "user": by,
                "event": type(event).__qualname__,
                "aggregate_id": event.originator_id.hex,
            }
            for name in AUDITED_FIELDS:
                if hasattr(event, name):
                    value = getattr(event, name)
                    entry[name] = value if isinstance(value, (str, int, bool)) or value is None \
                        else str(value)
            yield entry
        position = notifications[-1].id
