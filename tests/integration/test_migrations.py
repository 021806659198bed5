"""The alembic migrations build exactly the read-model tables `projections/schema.py` declares."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ledger.services.runtime import Runtime
from projections import schema


def _read_model_only(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    # The event store's and the scheduler's tables belong to their libraries.
    return type_ != "table" or bool(name and name.startswith("rm_"))


def test_migrated_database_equals_the_declared_schema(rt: Runtime) -> None:
    with rt.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _read_model_only})
        assert compare_metadata(context, schema.metadata) == []
