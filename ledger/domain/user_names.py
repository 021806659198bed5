"""User names as the ledger compares and records them.

Maker–checker is only as strong as the comparison of two names: ``clerk``,
``CLERK``, ``clerk `` and the full-width ``ｃｌｅｒｋ`` are one person typing, so
they must be one user. A name is therefore Unicode NFKC (full-width letters
become ASCII), case-folded, trimmed, with runs of inner white space made one
space. Control and format characters (a zero-width space makes ``chief`` look
like ``chief``) are refused, as is an empty name.

:func:`normalise_user` is applied where a name *enters* the ledger (``--by``,
``LEDGER_USER``, the OS user); :func:`user_key` is the lenient form the
domain compares with, so events recorded before names were normalised
(``chief`` and ``chief `` on one relief) still compare as one user.
Standard library only: the domain imports this.
"""

from __future__ import annotations

import unicodedata

MAX_LENGTH = 64


class UserNameError(ValueError):
    """Raised when a user name is empty, too long or holds control characters (bad input)."""


def _fold(name: str) -> str:
    # NFKC_Casefold as Unicode defines it: casefold can leave text that NFKC changes again.
    return unicodedata.normalize(
        "NFKC", unicodedata.normalize("NFKC", name).casefold())


def _hidden(ch: str) -> bool:
    """Control, format, surrogate, private-use, unassigned, line/paragraph separators."""
    return unicodedata.category(ch)[0] == "C" or unicodedata.category(ch) in ("Zl", "Zp")


def user_key(name: str) -> str:
    """The form two recorded names are compared in; never raises (old events hold anything)."""
    folded = _fold(name)
    return " ".join("".join(ch for ch in folded if not _hidden(ch)).split())


def normalise_user(name: str) -> str:
    """The acting user's name as recorded: NFKC, case-folded, trimmed; refuse bad names."""
    folded = _fold(name).strip()  # a trailing newline from `$(cat file)` is only trimmed
    bad = sorted({f"U+{ord(ch):04X}" for ch in folded if _hidden(ch)})
    if bad:
        raise UserNameError(f"user name holds control or invisible characters ({', '.join(bad)})")
    normal = " ".join(folded.split())
    if not normal:
        raise UserNameError("user name is empty")
    if len(normal) > MAX_LENGTH:
        raise UserNameError(f"user name is longer than {MAX_LENGTH} characters")
    return normal


def same_user(a: str, b: str) -> bool:
    """True when two recorded names are one user."""
    return user_key(a) == user_key(b)
