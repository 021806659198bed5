"""The stored form of a new payment, written and read without building domain events.

A payroll records up to a million ``Payment.Recorded`` events, and the read model
decodes every one of them. Through the library's generic path each costs a frozen
event object plus a transcoder walk on the way in, and a decode with an object
hook on the way out — together more than the insert itself. These two functions
produce and read *exactly* the bytes the library's mapper would
(``tests/test_payment_codec.py`` holds them to that, encrypted or not), so the
repository, ``trace`` and every other reader see ordinary events. With a key, the
authentication tag (``ledger.adapters.event_authentication``) is appended and checked here
exactly as the ledger's mapper does it.

Only the creation of a payment takes this path; amendments, withdrawals and bank
results are rare and go through the aggregate as usual. An event with a
``class_version`` (a future upcast) is left to the library's mapper.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any
from uuid import UUID

from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import JSONTranscoder, Mapper, Notification, StoredEvent
from eventsourcing.utils import Environment, get_topic

from ledger.adapters.event_authentication import (
    AuthenticatingMapper,
    Authenticator,
    authenticator_of,
)
from ledger.domain.payment import Payment

RECORDED_TOPIC = get_topic(Payment.Recorded)
_PAYMENT_TOPIC = get_topic(Payment)
_quote = encode_basestring
_TOPIC_JSON = _quote(_PAYMENT_TOPIC)


@dataclass(frozen=True, slots=True)
class RecordedPayment:
    """A new payment's facts as the read model stores them (ids as hex, month as text)."""

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
        return cls(e.originator_id.hex, e.batch_id.hex, e.case_id.hex, e.programme, e.kind,
                   str(e.for_month), e.amount, e.transfer, e.formula,
                   tuple(u.hex for u in e.reissue_of), e.name, e.id_number, e.bank_name,
                   e.bank_account, e.town, e.village, e.by)


def encode(mapper: Mapper[Any], p: RecordedPayment, timestamp: datetime | None = None) -> StoredEvent:
    """The stored event of a new payment, as ``mapper.to_stored_event`` would make it.

    The JSON is written from a template: the keys, their order and the transcoded forms
    (``{"_type_": ..., "_data_": ...}``) are the library's; strings are escaped by the
    ``json`` module's own function, as its encoder does with ``ensure_ascii=False``.
    """
    when = (timestamp or datetime.now(UTC)).isoformat()
    q = _quote
    reissues = ",".join(f'{{"_type_":"uuid_hex","_data_":"{h}"}}' for h in p.reissue_of)
    text = (
        f'{{"timestamp":{{"_type_":"datetime_iso","_data_":"{when}"}},'
        f'"originator_topic":{_TOPIC_JSON},'
        f'"batch_id":{{"_type_":"uuid_hex","_data_":{q(p.batch_id)}}},'
        f'"case_id":{{"_type_":"uuid_hex","_data_":{q(p.case_id)}}},'
        f'"programme":{q(p.programme)},"kind":{q(p.kind)},'
        f'"for_month":{{"_type_":"month","_data_":{q(p.for_month)}}},'
        f'"amount":{int(p.amount)},"transfer":{int(p.transfer)},"formula":{q(p.formula)},'
        f'"reissue_of":[{reissues}],"name":{q(p.name)},"id_number":{q(p.id_number)},'
        f'"bank_name":{q(p.bank_name)},"bank_account":{q(p.bank_account)},'
        f'"town":{q(p.town)},"village":{q(p.village)},"by":{q(p.by)}}}'
    )
    data = text.encode("utf8")
    if mapper.compressor:
        data = mapper.compressor.compress(data)
    if mapper.cipher:
        data = mapper.cipher.encrypt(data)
    authenticator = authenticator_of(mapper)
    if authenticator:
        data = authenticator.tagged(p.payment_id, 1, RECORDED_TOPIC, data)
    return StoredEvent(originator_id=UUID(p.payment_id), originator_version=1,
                       topic=RECORDED_TOPIC, state=data)


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
        mapper = Mapper(JSONTranscoder(), cipher=AESCipher(Environment(env={"CIPHER_KEY": key})))
        return AuthenticatingMapper(mapper, Authenticator(key))


def decode(mapper: Mapper[Any], n: Notification) -> RecordedPayment | None:
    """A stored ``Payment.Recorded`` read back; None when only the mapper can read it."""
    authenticator = authenticator_of(mapper)
    data = authenticator.opened(n) if authenticator else n.state
    if mapper.cipher:
        data = mapper.cipher.decrypt(data)
    if mapper.compressor:
        data = mapper.compressor.decompress(data)
    s = json.loads(data)
    if "class_version" in s:
        return None
    return RecordedPayment(
        n.originator_id.hex if isinstance(n.originator_id, UUID) else UUID(n.originator_id).hex,
        s["batch_id"]["_data_"], s["case_id"]["_data_"], s["programme"], s["kind"],
        s["for_month"]["_data_"], s["amount"], s["transfer"], s["formula"],
        tuple(u["_data_"] for u in s["reissue_of"]), s["name"], s["id_number"], s["bank_name"],
        s["bank_account"], s["town"], s["village"], s["by"],
    )
