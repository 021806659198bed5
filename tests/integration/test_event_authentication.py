"""With a key, an event the ledger did not write is found by `verify` and never projected.

Both backends. The forger has the database but not the key: they copy a genuine
payment's stored bytes (valid AES-GCM ciphertext) under a new payment id.
"""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from ledger.adapters.event_authentication import EventAuthenticationError, authenticator_of
from ledger.adapters.payment_codec import RECORDED_TOPIC
from ledger.cli.main import main
from ledger.services.runtime import Runtime
from tests.integration.test_integrity import _events_table, _ledger


def replay_a_payment(rt: Runtime) -> UUID:
    """Insert a genuine payment's stored bytes under a fresh id, straight into the table."""
    table, order = _events_table(rt)
    forged = uuid4()
    with rt.engine.begin() as conn:
        state = conn.execute(text(f"SELECT state FROM {table} WHERE topic = :t ORDER BY {order} "
                                  "LIMIT 1"), {"t": RECORDED_TOPIC}).scalar_one()
        oid: object = forged if rt.settings.backend == "postgresql" else forged.hex
        conn.execute(text(f"INSERT INTO {table} (originator_id, originator_version, topic, state)"
                          " VALUES (:o, 1, :t, :s)"), {"o": oid, "t": RECORDED_TOPIC, "s": state})
    return forged


def projected(rt: Runtime, payment: UUID) -> bool:
    with rt.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM rm_payments WHERE payment_id = :p"),
                            {"p": payment.hex}).scalar_one() == 1


def test_every_event_the_ledger_writes_carries_a_valid_tag(keyed: Runtime, tmp_path: Path) -> None:
    _ledger(keyed, tmp_path)
    auth = authenticator_of(keyed.app.mapper)
    assert auth is not None
    notifications = keyed.app.recorder.select_notifications(0, 10_000)
    assert len(notifications) > 10
    assert all(auth.is_authentic(n) for n in notifications)
    assert any(n.topic == RECORDED_TOPIC for n in notifications)  # the fast codec's too


def test_a_replayed_event_is_refused_by_the_read_model_and_named_by_verify(
        keyed: Runtime, tmp_path: Path) -> None:
    _ledger(keyed, tmp_path)
    before = keyed.read_model.position()
    forged = replay_a_payment(keyed)
    with pytest.raises(EventAuthenticationError, match=f"aggregate {forged.hex}"):
        keyed.read_model.catch_up()
    assert not projected(keyed, forged)
    assert keyed.read_model.position() == before
    result = CliRunner().invoke(main, ["verify", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["first_bad_aggregate"] == forged.hex
    assert data["first_bad_position"] > before
    assert "not written by this ledger" in data["problem"]
    # Any command that catches up refuses, without a traceback, and changes nothing.
    code = CliRunner().invoke(main, ["payroll", "run", "--month", "2024-02"],
                              env={"LEDGER_USER": "clerk"})
    assert code.exit_code == 1, code.output
    assert "not written by this ledger" in code.stderr and "Traceback" not in code.output
    assert not projected(keyed, forged)


def test_a_flipped_byte_in_an_events_tag_is_found(keyed: Runtime, tmp_path: Path) -> None:
    _ledger(keyed, tmp_path)
    table, order = _events_table(keyed)
    with keyed.engine.begin() as conn:
        oid, version, state = conn.execute(text(
            f"SELECT originator_id, originator_version, state FROM {table} ORDER BY {order} "
            "LIMIT 1 OFFSET 3")).one()
        state = bytes(state)
        bad = state[:-1] + bytes([state[-1] ^ 1])  # the tag's last byte
        conn.execute(text(f"UPDATE {table} SET state = :s WHERE originator_id = :o AND "
                          "originator_version = :v"), {"s": bad, "o": oid, "v": version})
    result = CliRunner().invoke(main, ["verify", "--json"])
    assert result.exit_code == 1
    assert "not written by this ledger" in json.loads(result.stdout)["problem"]


def test_without_a_key_a_replayed_event_is_projected_as_the_readme_says(
        rt: Runtime, tmp_path: Path) -> None:
    """The documented limit: without a key, a plausible appended event cannot be told apart."""
    _ledger(rt, tmp_path)
    forged = replay_a_payment(rt)
    rt.read_model.catch_up()
    assert projected(rt, forged)
