"""The unified social credit code (统一社会信用代码, GB 32100-2015) of an organisation.

Eighteen characters: registration authority, organisation category, six-digit
region, the nine-character organisation code, and a check character. The check
character is what catches a mistyped code before money is sent to the wrong
institution, so it is verified here, once, for every front end.

Alphabet (31 characters, no I, O, Z, S, V): ``0-9 A-H J-N P-R T-U W-Y``, valued 0..30.
Weights are 3**(i-1) mod 31 for positions 1..17; check = 31 − (Σ value×weight mod 31),
and 31 is written as 0.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The code's 31 characters in value order (0..30)."""
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
"""Weights of positions 1..17 (GB 32100-2015, table 3)."""
LENGTH = 18


class UsccError(ValueError):
    """Raised when a text is not a valid unified social credit code (bad input, exit 2)."""


def check_character(first17: str) -> str:
    """The check character of the first 17 characters of a code."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def parse_uscc(text: str) -> str:
    """The code in its canonical form (upper case, no spaces), or :class:`UsccError` saying why.

    A code is not personal data: messages may show it whole.
    """
    code = text.strip().upper()
    if len(code) != LENGTH:
        raise UsccError(f"unified social credit code {code!r}: must be {LENGTH} characters, "
                        f"got {len(code)}")
    bad = [ch for ch in code if ch not in ALPHABET]
    if bad:
        raise UsccError(f"unified social credit code {code!r}: character {bad[0]!r} is not "
                        "allowed (digits and capital letters except I, O, Z, S, V)")
    if not code[2:8].isdigit():
        raise UsccError(f"unified social credit code {code!r}: characters 3–8 (the region "
                        "code) must be digits")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise UsccError(f"unified social credit code {code!r}: wrong check character "
                        f"{code[17]!r} (GB 32100 gives {expected!r}); check the code was "
                        "copied correctly")
    return code
