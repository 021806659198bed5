"""Copy a creation event's own fields onto its aggregate (for record-like aggregates)."""

from __future__ import annotations

from typing import Any

METADATA = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})
"""The library's own fields of every event; the rest are the event's facts."""


def copy_fields(event: Any, aggregate: Any) -> None:
    for key, value in vars(event).items():
        if key not in METADATA:
            setattr(aggregate, key, value)
