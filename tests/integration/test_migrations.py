"""The alembic migrations build exactly the read-model tables `projections/schema.py` declares."""

from __future__ import annotations

from typing import Any

import pytest
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


# (batch, its status, {payment: its status before 0015}); payments named by batch and status.
_BEFORE_0015 = [
    ("d1", "draft", {"d1-draft": "draft", "d1-withdrawn": "withdrawn"}),
    ("a1", "approved", {"a1-approved": "approved", "a1-withdrawn": "withdrawn"}),
    ("e1", "exported", {"e1-exported": "exported", "e1-settled": "settled",
                        "e1-returned": "returned"}),
    ("r1", "reconciled", {"r1-exported": "exported", "r1-settled": "settled"}),
    ("r2", "reconciled", {"r2-settled": "settled", "r2-returned": "returned"}),
    ("x1", "discarded", {"x1-discarded": "discarded", "x1-withdrawn": "withdrawn"}),
]


def test_0015_keeps_every_lines_status_and_its_downgrade_restores_the_column(
        ledger_url: str) -> None:
    """Each line's status read through LINES after the upgrade is what the column said before."""
    from alembic import command
    from sqlalchemy import create_engine, select, text

    from ledger.adapters.settings import load_settings
    from ledger.bootstrap import alembic_config
    from projections.payment_lines import LINES

    settings = load_settings(ledger_url)
    engine = create_engine(settings.sqlalchemy_url)
    config = alembic_config(settings)

    def to(revision: str, up: bool = True) -> None:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            (command.upgrade if up else command.downgrade)(config, revision)

    try:
        to("0014")
        before: dict[str, str] = {}
        with engine.begin() as conn:
            for batch, batch_status, lines in _BEFORE_0015:
                conn.execute(text(
                    "INSERT INTO rm_batches (batch_id, month, kind, status, position, payments, "
                    "total, by_programme, report, exports, makers, computed, running) VALUES "
                    "(:b, '2024-01', 'regular', :s, 1, 0, 0, '{}', '{}', '[]', '[]', true, false)"),
                    {"b": batch, "s": batch_status})
                for pid, status in lines.items():
                    before[pid] = status
                    conn.execute(text(
                        "INSERT INTO rm_payments (payment_id, batch_id, batch_month, batch_kind, "
                        "case_id, programme, kind, for_month, amount, transfer, status, "
                        "return_reason, reissue_of, name, id_number, bank_name, bank_account, "
                        "town, village, formula, recorded_position) VALUES (:p, :b, '2024-01', "
                        "'regular', 'c', 'dibao', 'regular', '2024-01', 100, 100, :s, '', '', "
                        "'n', 'i', 'bank', 'acct', 't', 'v', 'f', 1)"),
                        {"p": pid, "b": batch, "s": status})
        to("0015")
        with engine.connect() as conn:
            after = dict(conn.execute(select(LINES.c.payment_id, LINES.c.status)).all())
            own = dict(conn.execute(text("SELECT payment_id, own_status FROM rm_payments")).all())
            line_status = dict(conn.execute(text("SELECT batch_id, line_status FROM rm_batches")).all())
        assert after == before
        assert line_status == {"d1": "draft", "a1": "approved", "e1": "exported",
                               "r1": "exported", "r2": "exported", "x1": "discarded"}
        assert {pid for pid, s in own.items() if s == "batch"} == {
            "d1-draft", "a1-approved", "e1-exported", "r1-exported", "x1-discarded"}
        to("0014", up=False)
        with engine.connect() as conn:
            restored = dict(conn.execute(text("SELECT payment_id, status FROM rm_payments")).all())
        assert restored == before
    finally:
        engine.dispose()


def test_postgresql_keeps_the_chain_links_uncompressed_and_payments_pages_with_room(
        rt: Runtime) -> None:
    """Storage settings the declared schema cannot say (migrations 0013 and 0017)."""
    if rt.settings.backend != "postgresql":
        pytest.skip("SQLite has neither setting")
    with rt.engine.connect() as conn:
        storage = conn.exec_driver_sql(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'rm_chain'::regclass "
            "AND attname = 'links'").scalar_one()
        options = conn.exec_driver_sql(
            "SELECT reloptions FROM pg_class WHERE oid = 'rm_payments'::regclass").scalar_one()
    assert storage == "e"  # EXTERNAL: out of line, never compressed
    assert options == ["fillfactor=70"]
