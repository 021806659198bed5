"""Every event the ledger writes carries a tag only the key holder can make.

The hash chain (``projections.chain``) shows an event altered or deleted after it was
projected, but anyone who can write the database can *append* a plausible event —
a payment to their own account — and it would be chained and projected like any
other. With ``LEDGER_CIPHER_KEY`` set, each stored event's bytes therefore end in a
32-byte HMAC-SHA256 over ``originator id, version, topic and state`` (the state as
stored, so after compression and AES-GCM encryption). Binding the id, version and
topic matters: an AES-GCM ciphertext alone authenticates only itself, so a genuine
payment's bytes could be replayed under another id or as another event.

The MAC key is derived from the cipher key (HMAC-SHA256 of a fixed label), never
the cipher key itself, so the two uses stay separate while there is still one
secret to keep, back up and rotate — the same one without which the ledger cannot
be read at all. A separate signing key would only add value where events are
authenticated but not encrypted, which this ledger does not offer.

Where it is checked: the mapper (every aggregate a command loads), the fast
payment codec, the read model (every event it chains, projected or not — catch-up
stops with :class:`EventAuthenticationError`), the bank-file line proof and
``ledger verify``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent

from ledger.adapters.sealing import CipherKeyError
from ledger.domain.errors import LedgerRefusal

TAG_BYTES = 32
_LABEL = b"ledger event authentication/1"


class EventAuthenticationError(LedgerRefusal):
    """Raised when a stored event's tag is missing or wrong: the ledger did not write it."""


class Authenticator:
    """Tags stored events and checks their tags with a key derived from the cipher key."""

    def __init__(self, cipher_key: str) -> None:
        try:
            raw = base64.b64decode(cipher_key, validate=True)
        except binascii.Error:
            raise CipherKeyError(
                "LEDGER_CIPHER_KEY is not base64: use a key from `ledger key generate`") from None
        # Keyed once; each tag copies the keyed state (cheaper than re-keying per event).
        self._keyed = hmac.new(hmac.new(raw, _LABEL, hashlib.sha256).digest(),
                               digestmod=hashlib.sha256)

    def tag(self, originator_id: UUID | str, version: int, topic: str, state: bytes) -> bytes:
        oid = originator_id.hex if isinstance(originator_id, UUID) else UUID(originator_id).hex
        mac = self._keyed.copy()
        mac.update(f"{oid}|{version}|{topic}|".encode())
        mac.update(state)
        return mac.digest()

    def tagged(self, originator_id: UUID | str, version: int, topic: str, state: bytes) -> bytes:
        """``state`` as stored: followed by its tag."""
        return state + self.tag(originator_id, version, topic, state)

    def opened(self, stored: StoredEvent) -> bytes:
        """The state without its tag; EventAuthenticationError when the tag does not match."""
        state, tag = stored.state[:-TAG_BYTES], stored.state[-TAG_BYTES:]
        if len(stored.state) <= TAG_BYTES or not hmac.compare_digest(
                tag, self.tag(stored.originator_id, stored.originator_version, stored.topic,
                              state)):
            raise EventAuthenticationError(not_written_by_ledger(stored))
        return state

    def is_authentic(self, stored: StoredEvent) -> bool:
        try:
            self.opened(stored)
        except EventAuthenticationError:
            return False
        return True


def not_written_by_ledger(stored: StoredEvent) -> str:
    oid = stored.originator_id
    ref = oid.hex if isinstance(oid, UUID) else UUID(str(oid)).hex
    where = f"at position {stored.id} " if hasattr(stored, "id") else ""
    return (f"the event {where}(aggregate {ref}, version {stored.originator_version}) was not "
            "written by this ledger: its authentication tag does not match (written into the "
            "database directly, or altered); run `ledger verify`")


class AuthenticatingMapper(Mapper[UUID]):
    """The library's mapper, with the tag appended on the way out and checked on the way in."""

    def __init__(self, mapper: Mapper[Any], authenticator: Authenticator) -> None:
        super().__init__(mapper.transcoder, mapper.compressor, mapper.cipher)
        self.authenticator = authenticator

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        s = super().to_stored_event(domain_event)
        return StoredEvent(originator_id=s.originator_id, originator_version=s.originator_version,
                           topic=s.topic, state=self.authenticator.tagged(
                               s.originator_id, s.originator_version, s.topic, s.state))

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        return super().to_domain_event(StoredEvent(
            originator_id=stored_event.originator_id,
            originator_version=stored_event.originator_version, topic=stored_event.topic,
            state=self.authenticator.opened(stored_event)))


def authenticator_of(mapper: Mapper[Any]) -> Authenticator | None:
    """The mapper's authenticator, None when the ledger has no key."""
    return getattr(mapper, "authenticator", None)
