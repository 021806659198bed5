"""Personal data sealed at rest in the read-model tables (when LEDGER_CIPHER_KEY is set).

The events are encrypted by the eventsourcing library's AES cipher; the read
models hold copies of names, ID numbers and account numbers, so those columns
are sealed with the same key (AES-256-GCM, a fresh nonce per value). Sealed
values carry a prefix, so a ledger that started without a key can be given one
later: old plaintext values still read, new ones are sealed (a rebuild of the
projections seals everything). Look-ups never need these columns: people are
found by a keyed hash of the ID number (the person key).
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "enc1:"


class CipherKeyError(ValueError):
    """Raised when the key is missing, malformed, or not the key this ledger was sealed with."""


class Sealer:
    """Seal and open text with the ledger's key; without a key, text passes through."""

    def __init__(self, key: str | None) -> None:
        self._aes: AESGCM | None = None
        if key:
            try:
                raw = base64.b64decode(key, validate=True)
            except binascii.Error:
                raise CipherKeyError(
                    "LEDGER_CIPHER_KEY is not base64: use a key from `ledger key generate`"
                ) from None
            if len(raw) not in (16, 24, 32):
                raise CipherKeyError(
                    "LEDGER_CIPHER_KEY must be 16, 24 or 32 bytes: use `ledger key generate`")
            self._aes = AESGCM(raw)

    @property
    def active(self) -> bool:
        return self._aes is not None

    def seal(self, text: str) -> str:
        if self._aes is None or text.startswith(PREFIX):
            return text
        nonce = os.urandom(12)
        sealed = self._aes.encrypt(nonce, text.encode("utf-8"), None)
        return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")

    def open(self, text: str) -> str:
        if not text.startswith(PREFIX):
            return text
        if self._aes is None:
            raise CipherKeyError(
                "this ledger's personal data is encrypted: set LEDGER_CIPHER_KEY to its key")
        data = base64.b64decode(text[len(PREFIX):])
        try:
            return self._aes.decrypt(data[:12], data[12:], None).decode("utf-8")
        except InvalidTag:
            raise CipherKeyError(
                "LEDGER_CIPHER_KEY is not the key this ledger was encrypted with") from None
