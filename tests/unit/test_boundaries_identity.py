"""Boundaries of the ID and account checks (ledger/domain/identity.py): pure.

Check digits are computed by hand in the comments (Luhn: from the right, double every
second digit of the body starting with its last, add the digits; the check digit brings
the sum to a multiple of 10).
"""

from __future__ import annotations

from datetime import date

import pytest

from ledger.domain.identity import (
    BankAccountError,
    IdNumberError,
    birth_date_of,
    generate_card_number,
    generate_id_number,
    id_check_digit,
    normalize_bank_account,
    normalize_id_number,
)

# 16 digits: body 620000000000000 (15 digits). Doubled from the right: positions 15, 13, …, 1,
# so the 6 (position 1) is doubled → 12 → 1 + 2 = 3; the 2 (position 2) stays 2. Sum 5 → check 5.
CARD_16 = "6200000000000005"
# 19 digits: body 620000000000000000 (18 digits). Doubled: positions 18, 16, …, 2, so the 2 is
# doubled → 4 and the 6 stays 6. Sum 10 → check 0.
CARD_19 = "6200000000000000000"
LUHN_MESSAGE = "UnionPay card number (16-19 digits from 62) fails the Luhn check"


# --- UnionPay cards: 16 to 19 digits from 62 carry a Luhn digit ---------------------------------


def test_a_16_digit_unionpay_card_with_its_luhn_digit_is_accepted() -> None:
    assert normalize_bank_account(CARD_16) == CARD_16


def test_a_16_digit_unionpay_card_with_a_wrong_luhn_digit_is_refused() -> None:
    with pytest.raises(BankAccountError, match=r"^UnionPay card number \(16-19 digits from 62\) "
                                               r"fails the Luhn check$"):
        normalize_bank_account("6200000000000004")


def test_a_19_digit_unionpay_card_with_its_luhn_digit_is_accepted() -> None:
    assert normalize_bank_account(CARD_19) == CARD_19


def test_a_19_digit_unionpay_card_with_a_wrong_luhn_digit_is_refused() -> None:
    with pytest.raises(BankAccountError) as refused:
        normalize_bank_account("6200000000000000001")
    assert str(refused.value) == LUHN_MESSAGE


def test_15_and_20_digit_numbers_from_62_are_not_cards_and_are_taken_as_given() -> None:
    # neither length is a UnionPay card, so no Luhn check (both fail it: sums 5+1 and 10+1)
    assert normalize_bank_account("620000000000001") == "620000000000001"
    assert normalize_bank_account("62000000000000000001") == "62000000000000000001"


# --- account length: 6 to 32 digits --------------------------------------------------------------


def test_a_6_digit_account_is_the_shortest_accepted() -> None:
    assert normalize_bank_account("123456") == "123456"
    with pytest.raises(BankAccountError, match=r"^must be 6 to 32 digits, not 5$"):
        normalize_bank_account("12345")


def test_a_32_digit_account_is_the_longest_accepted() -> None:
    assert normalize_bank_account("1" * 32) == "1" * 32
    with pytest.raises(BankAccountError, match=r"^must be 6 to 32 digits, not 33$"):
        normalize_bank_account("1" * 33)


def test_an_account_with_a_letter_is_refused_with_a_clear_message() -> None:
    with pytest.raises(BankAccountError, match=r"^must contain only digits$"):
        normalize_bank_account("12345A")


# --- ID numbers ------------------------------------------------------------------------------------


def test_an_old_15_digit_id_number_is_refused_with_the_hint() -> None:
    with pytest.raises(IdNumberError) as refused:
        normalize_id_number("431023700517001", date(2024, 1, 1))
    assert str(refused.value) == ("must be 18 characters, not 15 (an old 15-digit number must be "
                                  "replaced by the 18-digit one)")


def test_a_15_character_text_with_a_letter_gets_no_hint() -> None:
    with pytest.raises(IdNumberError) as refused:
        normalize_id_number("43102370051700X", date(2024, 1, 1))
    assert str(refused.value) == "must be 18 characters, not 15"


def test_the_birth_date_must_be_eight_digits() -> None:
    for text in ("4310231970", "43102319700X170015"):  # too short; a letter inside the date
        with pytest.raises(IdNumberError) as refused:
            birth_date_of(text)
        assert str(refused.value) == "must be 17 digits followed by a digit or X"


def test_1890_is_the_earliest_birth_year_accepted() -> None:
    assert birth_date_of("431023189001010015") == date(1890, 1, 1)
    with pytest.raises(IdNumberError, match=r"^impossible birth date 18891231$"):
        birth_date_of("431023188912310015")


def test_the_check_digit_needs_exactly_17_digits() -> None:
    # digits 4 3 1 0 2 3 1 7 0 0 5 1 7 0 0 0 7, weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2:
    # 28+27+10+0+16+12+2+7+0+0+35+9+70+0+0+0+14 = 230; 230 mod 11 = 10 → "10X98765432"[10] = "2"
    assert id_check_digit("43102317005170007") == "2"
    for body in ("4310231700517000", "4310231700517000A"):
        with pytest.raises(ValueError, match=r"^the body of an ID number is 17 digits$"):
            id_check_digit(body)


# --- the generators used by the tests and the demo -------------------------------------------------


def test_generated_id_numbers_accept_order_codes_0_to_999_only() -> None:
    assert generate_id_number("431023", date(1970, 5, 17), 0)[14:17] == "000"
    assert generate_id_number("431023", date(1970, 5, 17), 999)[14:17] == "999"
    for seq in (-1, 1000):
        with pytest.raises(ValueError, match=r"^seq must be 0\.\.999$"):
            generate_id_number("431023", date(1970, 5, 17), seq)


def test_generated_id_numbers_need_a_6_digit_region() -> None:
    for region in ("43102", "43102A"):
        with pytest.raises(ValueError, match=r"^region must be 6 digits$"):
            generate_id_number(region, date(1970, 5, 17), 7)


def test_generated_cards_fit_seq_exactly_into_the_digits_left() -> None:
    # 4 digits from "62": one digit for seq, then the Luhn digit. Doubled from the right:
    # body "620": 0 → 0, 2 stays, 6 → 12 → 3: sum 5 → check 5;
    # body "629": 9 → 18 → 9, 2 stays, 6 → 12 → 3: sum 14 → check 6.
    assert generate_card_number("62", 0, length=4) == "6205"
    assert generate_card_number("62", 9, length=4) == "6296"
    for seq in (-1, 10):
        with pytest.raises(ValueError, match=r"^seq .* does not fit a 4-digit card after 62$"):
            generate_card_number("62", seq, length=4)
    with pytest.raises(ValueError, match=r"^seq 0 does not fit a 3-digit card after 62$"):
        generate_card_number("62", 0, length=3)
    with pytest.raises(ValueError, match=r"^seq -1 does not fit a 19-digit card after 62$"):
        generate_card_number("62", -1)


def test_generated_cards_need_a_digit_prefix() -> None:
    with pytest.raises(ValueError, match=r"^prefix must be digits$"):
        generate_card_number("6A", 1)
