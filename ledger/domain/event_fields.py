"""Copy a creation event's own fields onto its aggregate (for record-like aggregates)."""

from __future__ import annotations

from typing import Any

_METADATA = {"originator_id", "originator_version", "timestamp", "originator_topic"}


def copy_fields(event: Any, aggregate: Any) -> None:
    for key, value in vars(event).items():
        if key not in _METADATA:
            setattr(aggregate, key, value)
