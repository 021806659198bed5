"""The one rule for a free-text field: a name, town, village, bank name, reason, reference.

Text typed or imported here ends up in CSV files read by banks, in XLSX
reports opened by Excel and WPS, and in PostgreSQL. So a text field must not hold:

- control characters (C0 including NUL, tab, CR and newline; DEL; C1): a newline
  splits a bank-file row, so the month's bank file could never be written, and
  PostgreSQL refuses NUL in text, so every later command crashed on it;
- the Unicode line and paragraph separators (U+2028/U+2029), which some readers
  break lines on, lone surrogates (not text at all, unencodable), and the
  bidirectional controls (U+202A–U+202E, U+2066–U+2069), which make a name read
  differently from what it holds;
- a first character that a spreadsheet takes as the start of a formula
  (``=``, ``+``, ``-``, ``@``; tab and CR are already control characters):
  the OWASP "CSV injection" rule. No real name, place or bank starts so.

and it is at most :data:`MAX_LENGTH` characters. :func:`text_problem` says what
is wrong (or ``None``); front ends word it with the file, row and column or the
option name.
"""

from __future__ import annotations

import unicodedata

MAX_LENGTH = 200
"""Longer than any name, address or reason the bureau writes; bounds every output line."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet cell a formula (OWASP CSV injection)."""

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAMED = {"\x00": "NUL", "\t": "a tab", "\n": "a line break", "\r": "a carriage return",
          "\u2028": "a line separator", "\u2029": "a paragraph separator"}


def _character(ch: str) -> str:
    code = f"U+{ord(ch):04X}"
    return f"{_NAMED[ch]} ({code})" if ch in _NAMED else code


def text_problem(value: str) -> str | None:
    """What makes ``value`` unfit for a text field, or ``None`` when it is fine."""
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cc":
            return f"contains the control character {_character(ch)}" if ch not in _NAMED \
                else f"contains {_character(ch)}, a control character"
        if category == "Cs":
            return f"contains a lone surrogate {_character(ch)}: not valid text"
        if category in ("Zl", "Zp"):
            return f"contains {_character(ch)}"
        if ch in _BIDI_CONTROLS:
            return f"contains the bidirectional control {_character(ch)}"
    if value.startswith(FORMULA_STARTS):
        return (f"starts with {value[0]!r}, which a spreadsheet would run as a formula; "
                "remove the leading character")
    if len(value) > MAX_LENGTH:
        return f"longer than {MAX_LENGTH} characters ({len(value)})"
    return None


def check_text(value: str, what: str) -> str:
    """``value`` unchanged, or :class:`ValueError` naming ``what`` (an option or field)."""
    problem = text_problem(value)
    if problem is not None:
        raise ValueError(f"{what}: {problem}")
    return value


def is_live_formula(value: str) -> bool:
    """Whether a spreadsheet would read ``value`` (as written) as a formula."""
    return value.startswith(FORMULA_STARTS)
