"""Resident ID numbers (居民身份证号码) and bank account numbers.

A payment goes to a person identified by an ID number and to an account number;
a typo in either pays the wrong person or bounces at the bank, so both are
checked (GB 11643 check digit, UnionPay Luhn digit) before anything is recorded.

Messages never contain the number itself: they end up in terminals, logs and
e-mailed import reports, and an ID number is personal data. The file, row and
column of a roster problem already say where the number is; use :func:`mask`
whenever a number must be shown.

Only the check digit of ``stdnum.cn.ric`` is used: its ``validate`` also looks
the region code up in a list and rejects codes that have since been renamed,
but a person keeps the old code for life (SPEC: the region is *not* checked).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from stdnum import luhn
from stdnum.cn import ric

_DIGITS = frozenset("0123456789")
_EARLIEST_BIRTH_YEAR = 1890
"""Nobody alive was born earlier; an older year is a typo, not a person."""

_ACCOUNT_MIN, _ACCOUNT_MAX = 6, 32
"""Generous bounds: passbook and social-security accounts vary by bank, but a
5-digit or 33-digit 'account' is always a slip of the keyboard."""

_MASK_MIN_LENGTH = 12
"""Below this, showing first 4 + last 4 would reveal most of the text."""


class IdNumberError(ValueError):
    """An ID number is not a valid 18-character resident ID number."""


class BankAccountError(ValueError):
    """A bank account number cannot be paid to."""


def _is_digits(text: str) -> bool:
    """ASCII digits only (str.isdigit would also accept e.g. superscripts)."""
    return bool(text) and all(c in _DIGITS for c in text)


def _compact(text: str) -> str:
    """Full-width characters to ASCII (Chinese input methods type １２Ｘ), no whitespace."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


def id_check_digit(body: str) -> str:
    """The GB 11643 check digit (0-9 or X) for the first 17 digits of an ID number."""
    if len(body) != 17 or not _is_digits(body):
        raise ValueError("the body of an ID number is 17 digits")
    # stdnum's calc_check_digit expects the full number and ignores its last character.
    return ric.calc_check_digit(body + "0")


def normalize_id_number(text: str, today: date) -> str:
    """Return the ID number in its one stored form (18 chars, upper-case X) or raise.

    Whitespace anywhere is dropped and full-width characters are folded to
    ASCII, because spreadsheets and Chinese input methods produce both.
    """
    number = _compact(text).upper()
    if len(number) != 18:
        hint = ""
        if len(number) == 15 and _is_digits(number):
            hint = " (an old 15-digit number must be replaced by the 18-digit one)"
        raise IdNumberError(f"must be 18 characters, not {len(number)}{hint}")
    if not _is_digits(number[:17]) or not (number[17] in _DIGITS or number[17] == "X"):
        raise IdNumberError("must be 17 digits followed by a digit or X")
    if number[17] != id_check_digit(number[:17]):
        raise IdNumberError("wrong check digit")
    birth = birth_date_of(number)
    if birth > today:
        raise IdNumberError("birth date in the future")
    return number


def birth_date_of(id_number: str) -> date:
    """The birth date written in digits 7-14 of an ID number (YYYYMMDD)."""
    digits = id_number[6:14]
    if len(digits) != 8 or not _is_digits(digits):
        raise IdNumberError("must be 17 digits followed by a digit or X")
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise IdNumberError(f"impossible birth date {digits}") from None
    if birth.year < _EARLIEST_BIRTH_YEAR:
        raise IdNumberError(f"impossible birth date {digits}")
    return birth


def age_in_month(birth: date, year: int, month: int) -> int:
    """The age that counts for benefits in a month.

    An age takes effect from the month *after* the birthday month (次月), so in
    the birthday month itself the person still has the previous age. Born
    1944-03-15: 79 in 2024-03, 80 from 2024-04. Negative before birth.
    """
    years = year - birth.year
    return years if month > birth.month else years - 1


def mask(text: str) -> str:
    """Hide the middle of a number for display: first 4 and last 4 characters kept.

    The length is kept (one '*' per hidden character) so a reader can still
    tell an ID number from a card number. Texts shorter than 12 characters are
    masked completely, because 4 + 4 shown would reveal most of them.
    """
    if len(text) < _MASK_MIN_LENGTH:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


_LONG_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{11,30}[\dXx](?![0-9A-Za-z])")
"""A run of 12 to 31 digits (an ID number may end in X) standing alone: an ID or account."""


def mask_numbers(text: str) -> str:
    """Mask every ID or account number in a free text with :func:`mask` (first 4, last 4 kept).

    The ledger's one rule for numbers inside messages, problem texts and search echoes: runs
    of 12 to 31 digits standing alone are masked; a payment id (32 hex digits) is never
    touched, even when all its digits are decimal.
    """
    return _LONG_NUMBER.sub(lambda m: mask(m.group()), text)


def normalize_bank_account(text: str) -> str:
    """Return the account number as digits only, or raise.

    A UnionPay card (16-19 digits starting with 62) carries a Luhn check digit
    and is checked; passbook and social-security card accounts have no public
    check-digit rule and are taken as given.
    """
    number = _compact(text)
    if not _is_digits(number):
        raise BankAccountError("must contain only digits")
    if not _ACCOUNT_MIN <= len(number) <= _ACCOUNT_MAX:
        raise BankAccountError(
            f"must be {_ACCOUNT_MIN} to {_ACCOUNT_MAX} digits, not {len(number)}"
        )
    if number.startswith("62") and 16 <= len(number) <= 19 and not luhn.is_valid(number):
        raise BankAccountError("UnionPay card number (16-19 digits from 62) fails the Luhn check")
    return number


def generate_id_number(region: str, birth: date, seq: int) -> str:
    """A valid ID number for tests and the demo (the inverse of the validation).

    ``seq`` is the 3-digit order code (odd for men, even for women).
    """
    if len(region) != 6 or not _is_digits(region):
        raise ValueError("region must be 6 digits")
    if not 0 <= seq <= 999:
        raise ValueError("seq must be 0..999")
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + id_check_digit(body)


def generate_card_number(prefix: str, seq: int, length: int = 19) -> str:
    """A UnionPay-style card number with a valid Luhn digit, for tests and the demo.

    The digits between ``prefix`` and the check digit hold ``seq``, zero-padded,
    so distinct ``seq`` values give distinct cards.
    """
    if not _is_digits(prefix):
        raise ValueError("prefix must be digits")
    width = length - 1 - len(prefix)
    if seq < 0 or width < 1 or len(str(seq)) > width:
        raise ValueError(f"seq {seq} does not fit a {length}-digit card after {prefix}")
    body = f"{prefix}{seq:0{width}d}"
    return body + luhn.calc_check_digit(body)
