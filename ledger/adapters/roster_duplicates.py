"""Problems that only show when a roster's rows are seen together: duplicates, dibao+tekun.

A province roster has a million rows, so the rows themselves are not kept: only an
8-byte digest of each (ID number, programme) and of each dibao/tekun ID number, with
the row number to name in the message. That keeps validation's memory flat per row
(about 100 bytes) instead of holding every row. Two different people sharing a
64-bit digest is about one chance in 10^7 for a million rows; it would show as a
duplicate the clerk can see is wrong, never as a row silently dropped.
"""

from __future__ import annotations

from hashlib import blake2b

_PERSON = b"roster-person"
_DIBAO_TEKUN = ("dibao", "tekun")


def _digest(*parts: str) -> int:
    return int.from_bytes(blake2b("\x1f".join(parts).encode(), digest_size=8,
                                  person=_PERSON).digest(), "big")


class EarlierRows:
    """What duplicate detection needs of the rows seen so far (digests, not rows)."""

    def __init__(self) -> None:
        self._seen: dict[int, int] = {}
        self._dibao_or_tekun: dict[int, int] = {}
        """ID digest -> row, signed: positive for a dibao row, negative for tekun."""

    def duplicate_of(self, row: int, programme: str, id_number: str) -> int | None:
        """The earlier row with the same person and programme, or None (and remember this one)."""
        key = _digest(id_number, programme)
        earlier = self._seen.get(key)
        if earlier is None:
            self._seen[key] = row
        return earlier

    def other_exclusive(self, row: int, programme: str, id_number: str) -> tuple[str, int] | None:
        """For dibao or tekun: the earlier row of the same person in the other one, or None."""
        if programme not in _DIBAO_TEKUN:
            return None
        key = _digest(id_number)
        signed = self._dibao_or_tekun.get(key)
        if signed is None:
            self._dibao_or_tekun[key] = row if programme == "dibao" else -row
            return None
        earlier = "dibao" if signed > 0 else "tekun"
        return (earlier, abs(signed)) if earlier != programme else None
