"""Alembic environment: uses the connection `ledger init` hands over, or LEDGER_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from ledger.adapters.settings import load_settings
from projections.schema import metadata

config = context.config


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Only the read-model tables (rm_*) are ours; the event store's tables belong to eventsourcing."""
    if type_ == "table":
        return bool(name and name.startswith("rm_"))
    return True


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata,
                          render_as_batch=True,
                          include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(load_settings().sqlalchemy_url)
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True,
                          include_object=include_object)
        with context.begin_transaction():
            context.run_migrations()


run()
