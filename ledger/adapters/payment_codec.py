"""The stored form of a new payment, written and read without building domain events.

A payroll records up to a million ``Payment.Recorded`` events, and the read model
decodes every one of them. Through the library's generic path each costs a frozen
event object plus a transcoder walk on the way in, and a decode with an object
hook on the way out — together more than the insert itself. These two functions
produce and read *exactly* the bytes the library's mapper would
(``tests/integration/test_payment_codec.py`` holds them to that, encrypted or not), so the
repository, ``trace`` and every other reader see ordinary events. With a key, the
authentication tag (``ledger.adapters.event_authentication``) is appended and checked here
exactly as the ledger's mapper does it.

Only the creation of a payment takes this path; amendments, withdrawals and bank
results are rare and go through the aggregate as usual. An event with a
``class_version`` (a future upcast) is left to the library's mapper.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import Any, NamedTuple
from uuid import UUID

from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import JSONTranscoder, Mapper, Notification, StoredEvent
from eventsourcing.utils import Environment, get_topic

from ledger.adapters.event_authentication import (
    AuthenticatingMapper,
    Authenticator,
    authenticator_of,
)
from ledger.domain.event_fields import METADATA
from ledger.domain.payment import Payment

RECORDED_TOPIC = get_topic(Payment.Recorded)
_PAYMENT_TOPIC = get_topic(Payment)
_quote: Callable[[str], str] = encode_basestring
_TOPIC_JSON = _quote(_PAYMENT_TOPIC)


def _uuids(hexes: tuple[str, ...]) -> str:
    return ",".join(f'{{"_type_":"uuid_hex","_data_":{_quote(h)}}}' for h in hexes)


_WRITTEN = {
    "UUID": '{{"_type_":"uuid_hex","_data_":{q(p.%s)}}}',
    "Month": '{{"_type_":"month","_data_":{q(p.%s)}}}',
    "int": "{int(p.%s)}",
    "str": "{q(p.%s)}",
    "list[UUID]": "[{uuids(p.%s)}]",
}
"""How the library's transcoder writes each field type the payment's event declares, as an
f-string part (``q`` is the json module's string escaper)."""
_READ = {
    "UUID": 's["%s"]["_data_"]',
    "Month": 's["%s"]["_data_"]',
    "int": 's["%s"]',
    "str": 's["%s"]',
    "list[UUID]": 'tuple(u["_data_"] for u in s["%s"])',
}
"""How each field type is read back from the decoded JSON (hex ids, month text)."""

FIELDS: tuple[tuple[str, str], ...] = tuple(
    (f.name, str(f.type)) for f in dataclasses.fields(Payment.Recorded) if f.name not in METADATA
)
"""The new payment's facts, in the order the library writes them: ``Payment.Recorded`` is
their one declaration; the template, the reader and :class:`RecordedPayment` follow it."""
_unknown = [f"{name}: {kind}" for name, kind in FIELDS if kind not in _WRITTEN or kind not in _READ]
if _unknown:  # a new field type the template cannot write as the library would
    raise TypeError(f"payment_codec cannot encode Payment.Recorded fields {_unknown}")


class RecordedPayment(NamedTuple):
    """A new payment's facts as the read model stores them (ids as hex, month as text).

    ``payment_id`` and then the fields of ``Payment.Recorded`` in its order (checked below).
    A named tuple, not a frozen dataclass: a payroll makes a million of these, and a frozen
    dataclass's ``__init__`` sets each of its 17 fields through ``object.__setattr__`` (it
    was a tenth of the writer's time); a tuple is also what a worker process pickles fastest.
    """

    payment_id: str
    batch_id: str
    case_id: str
    programme: str
    kind: str
    for_month: str
    amount: int
    transfer: int
    formula: str
    reissue_of: tuple[str, ...]
    name: str
    id_number: str
    bank_name: str
    bank_account: str
    town: str
    village: str
    by: str

    @classmethod
    def of_event(cls, e: Payment.Recorded) -> RecordedPayment:
        """From a domain event decoded by the library (the generic path)."""
        plain: dict[str, Callable[[Any], Any]] = {
            "UUID": lambda u: u.hex, "Month": str,
            "list[UUID]": lambda us: tuple(u.hex for u in us)}
        return cls(e.originator_id.hex, *(plain.get(kind, _same)(getattr(e, name))
                                          for name, kind in FIELDS))


def _same(value: Any) -> Any:
    return value


def from_fields(fields: tuple[Any, ...]) -> RecordedPayment:
    """A payment back from the plain tuple a worker process sent (``tuple(payment)``).

    ``tuple.__new__`` is ``RecordedPayment._make`` without its Python-level length check: the
    fields were made by ``RecordedPayment`` itself on the other side.
    """
    return tuple.__new__(RecordedPayment, fields)


if RecordedPayment._fields != (
        "payment_id", *(name for name, _ in FIELDS)):
    raise TypeError("RecordedPayment must hold payment_id and Payment.Recorded's fields in order")



def _compiled(source: str, name: str) -> Any:
    """A function compiled from text built here from :data:`FIELDS` (never from input)."""
    namespace = {"q": _quote, "uuids": _uuids, "topic": _TOPIC_JSON,
                 "RecordedPayment": RecordedPayment}
    exec(source, namespace)  # noqa: S102
    return namespace[name]


def _template() -> Callable[[RecordedPayment, str], str]:
    """The stored JSON of a payment, as one f-string compiled from :data:`FIELDS`.

    One f-string, not a loop over the fields: a payroll writes a million of these, and the
    compiled template is as fast as the hand-written one it replaced.
    """
    body = ('{{"timestamp":{{"_type_":"datetime_iso","_data_":"{when}"}},'
            '"originator_topic":{topic},'
            + ",".join(f'"{name}":' + _WRITTEN[kind] % name for name, kind in FIELDS) + "}}")
    write: Callable[[RecordedPayment, str], str] = _compiled(
        f"def write(p, when):\n    return f{body!r}\n", "write")
    return write


def _reader() -> Callable[[str, dict[str, Any]], RecordedPayment]:
    """``RecordedPayment(payment_id, <each field read from the JSON>)``, compiled likewise."""
    args = ", ".join(_READ[kind] % name for name, kind in FIELDS)
    read: Callable[[str, dict[str, Any]], RecordedPayment] = _compiled(
        f"def read(pid, s):\n    return RecordedPayment(pid, {args})\n", "read")
    return read


_write = _template()
_read = _reader()


def encode(mapper: Mapper[Any], p: RecordedPayment, timestamp: datetime | None = None) -> StoredEvent:
    """The stored event of a new payment, as ``mapper.to_stored_event`` would make it.

    The JSON is written by the template compiled from the field list: the keys, their order and the transcoded forms
    (``{"_type_": ..., "_data_": ...}``) are the library's; strings are escaped by the
    ``json`` module's own function, as its encoder does with ``ensure_ascii=False``.
    """
    when = (timestamp or datetime.now(UTC)).isoformat()
    return StoredEvent(originator_id=UUID(p.payment_id), originator_version=1,
                       topic=RECORDED_TOPIC, state=sealed_state(mapper, p, when))


def sealed_state(mapper: Mapper[Any], p: RecordedPayment, when: str) -> bytes:
    """The stored state bytes of :func:`encode`, for the event time ``when`` (ISO 8601).

    A payroll worker makes only these bytes (the writer makes the stored event), with one
    time for the whole part it computes.
    """
    data = _write(p, when).encode("utf8")
    if mapper.compressor:
        data = mapper.compressor.compress(data)
    if mapper.cipher:
        data = mapper.cipher.encrypt(data)
    authenticator = authenticator_of(mapper)
    if authenticator:
        data = authenticator.tagged(p.payment_id, 1, RECORDED_TOPIC, data)
    return data


@dataclass(frozen=True)
class Sealing:
    """How the ledger seals a new payment's bytes, in a form a worker process can be handed.

    A mapper does not pickle (its transcoder holds a JSON scanner, its authenticator a
    keyed HMAC), so a payroll worker is handed the key and builds its own mapper for
    :func:`encode`: the same AES-GCM cipher and authentication tag as the ledger's.
    """

    cipher_key: str | None

    @classmethod
    def of(cls, mapper: Mapper[Any], cipher_key: str | None) -> Sealing | None:
        """The sealing of ``mapper``; None when it is not one a worker can rebuild."""
        plain = mapper.cipher is None and authenticator_of(mapper) is None
        keyed = (isinstance(mapper.cipher, AESCipher) and authenticator_of(mapper) is not None
                 and bool(cipher_key))
        if mapper.compressor is not None or not (plain or keyed):
            return None
        return cls(cipher_key if keyed else None)

    def mapper(self) -> Mapper[Any]:
        key = self.cipher_key
        if not key:
            return Mapper(JSONTranscoder())
        mapper: Mapper[Any] = Mapper(JSONTranscoder(), cipher=AESCipher(Environment(env={"CIPHER_KEY": key})))
        return AuthenticatingMapper(mapper, Authenticator(key))


def decode(mapper: Mapper[Any], n: Notification) -> RecordedPayment | None:
    """A stored ``Payment.Recorded`` read back; None when only the mapper can read it."""
    authenticator = authenticator_of(mapper)
    data = authenticator.opened(n) if authenticator else n.state
    if mapper.cipher:
        data = mapper.cipher.decrypt(data)
    if mapper.compressor:
        data = mapper.compressor.decompress(data)
    s = json.loads(data.decode())  # str: json skips sniffing the encoding
    if "class_version" in s:
        return None
    return _read(
        n.originator_id.hex if isinstance(n.originator_id, UUID) else UUID(n.originator_id).hex, s)
