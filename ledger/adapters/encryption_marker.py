"""Whether a ledger is encrypted is decided once, at ``ledger init``, and then enforced.

Without a record of it, a ledger made with ``LEDGER_CIPHER_KEY`` but still empty
looked plain, and the next command run without the key wrote personal data in
plain text beside the encrypted events. So ``init`` records the decision in the
``ledger_meta`` table — ``encryption`` = ``on`` or ``off``, and with a key a keyed
check value (HMAC-SHA256 of a fixed text, never the key) that tells a wrong key
even before any event exists — and every opening of the ledger compares:

* encrypted ledger, no key: refused (exit 2), nothing done;
* plain ledger, a key given: refused too — mixing plain and encrypted events
  would leave a ledger no single setting can read;
* a key that is not the ledger's: refused.

``ledger_meta`` is not a read model (``rm_*``): a projections rebuild never
touches it, and it is created by ``init`` beside the event store's own tables
(``checkfirst``), outside the read-model migrations. Ledgers made before the
marker existed are judged by their stored events (the first and the last:
plain JSON or ciphertext) until ``ledger init`` is run again, which records the
marker from them; an empty one of those is taken as the key says.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from sqlalchemy import Column, Engine, MetaData, String, Table, Text, insert, inspect, select
from sqlalchemy.exc import IntegrityError

from ledger.adapters.sealing import CipherKeyError

metadata = MetaData()
ledger_meta = Table(
    "ledger_meta", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

_CHECK_TEXT = b"benefits-ledger key check v1"


class EncryptionMismatchError(CipherKeyError):
    """Raised when the key's presence does not match how the ledger was made (exit 2)."""


def key_check(key: str) -> str:
    """A value that proves a key is the ledger's without revealing anything about it."""
    return hmac.new(key.encode("utf-8"), _CHECK_TEXT, hashlib.sha256).hexdigest()


def read_marker(engine: Engine) -> dict[str, str]:
    """The recorded settings; empty for a ledger made before the marker existed."""
    if not inspect(engine).has_table("ledger_meta"):
        return {}
    with engine.connect() as conn:
        return {name: value for name, value in conn.execute(select(ledger_meta))}


def events_encrypted(app: Any) -> bool | None:
    """From the stored events: True (any ciphertext), False (plain JSON), None (no events)."""
    recorder = app.recorder
    first = recorder.select_notifications(None, 1)
    if not first:
        return None
    last_id = recorder.max_notification_id()
    ends = [first[0], *recorder.select_notifications(last_id, 1)] if last_id else [first[0]]
    return any(not _plain(n.state) for n in ends)


def _plain(state: bytes) -> bool:
    try:
        return isinstance(json.loads(state), dict)
    except ValueError:  # UnicodeDecodeError included: ciphertext is not text
        return False


def check_encryption(app: Any, engine: Engine, key: str | None, init: bool) -> None:
    """Refuse a key that does not fit the ledger; on ``init``, record the decision once."""
    marker = read_marker(engine)
    if "encryption" in marker:
        encrypted: bool | None = marker["encryption"] == "on"
    else:
        encrypted = events_encrypted(app)
    if encrypted and not key:
        raise EncryptionMismatchError(
            "this ledger is encrypted: set LEDGER_CIPHER_KEY to its key (nothing was done)")
    if encrypted is False and key:
        raise EncryptionMismatchError(
            "this ledger was made without a key and holds plain events: unset "
            "LEDGER_CIPHER_KEY (a ledger is either encrypted from `ledger init` on or never; "
            "nothing was done)")
    if key and marker.get("key_check") not in (None, key_check(key)):
        raise CipherKeyError("LEDGER_CIPHER_KEY is not the key this ledger was encrypted with")
    if init and "encryption" not in marker:
        rows = [{"name": "encryption", "value": "on" if key else "off"}]
        if key:
            rows.append({"name": "key_check", "value": key_check(key)})
        try:
            with engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    # Not derived from events: durable before `init` says it is done.
                    conn.exec_driver_sql("SET LOCAL synchronous_commit = on")
                conn.execute(insert(ledger_meta), rows)
        except IntegrityError:  # another `init` recorded it first: hold this one to that
            check_encryption(app, engine, key, init=False)


def create_table(engine: Engine) -> None:
    """``ledger init``: the marker's table, beside the event store's (safe to run twice)."""
    metadata.create_all(engine, checkfirst=True)
