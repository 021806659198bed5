"""ID numbers, bank accounts, masking and the 次月 age rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ledger.domain.identity import (
    BankAccountError,
    IdNumberError,
    age_in_month,
    birth_date_of,
    generate_card_number,
    generate_id_number,
    mask,
    normalize_bank_account,
    normalize_id_number,
)

TODAY = date(2024, 6, 15)


def hand_check_digit(body: str) -> str:
    """GB 11643-1999 written out independently of the code under test."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return "10X98765432"[total % 11]


def hand_luhn_digit(body: str) -> str:
    """Luhn check digit written out independently of the code under test."""
    total = 0
    for i, d in enumerate(reversed(body)):
        n = int(d)
        if i % 2 == 0:  # doubled: the digit next to the (future) check digit
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


def with_check(body: str) -> str:
    return body + hand_check_digit(body)


def test_id_with_hand_computed_check_digit_is_accepted() -> None:
    number = with_check("42010619700512003")
    assert normalize_id_number(number, TODAY) == number


def test_published_standard_example_with_x_check_digit_is_accepted() -> None:
    # The example from GB 11643-1999 itself, check digit X.
    assert hand_check_digit("11010519491231002") == "X"
    assert normalize_id_number("11010519491231002X", TODAY) == "11010519491231002X"


def test_lower_case_x_and_surrounding_spaces_are_normalized() -> None:
    assert normalize_id_number("  11010519491231002x \t", TODAY) == "11010519491231002X"


def test_full_width_digits_from_chinese_input_are_folded_to_ascii() -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "11010519491231002X")
    assert normalize_id_number(full_width, TODAY) == "11010519491231002X"


def test_unknown_region_code_is_not_rejected() -> None:
    # 990000 is not in any region list; people keep retired codes for life.
    number = with_check("99000019800101001")
    assert normalize_id_number(number, TODAY) == number


def test_wrong_check_digit_is_rejected_with_a_clear_message() -> None:
    good = with_check("42010619700512003")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(IdNumberError, match=r"^wrong check digit$"):
        normalize_id_number(bad, TODAY)


def test_length_other_than_18_is_rejected() -> None:
    with pytest.raises(IdNumberError, match=r"^must be 18 characters, not 17$"):
        normalize_id_number("42010619700512003", TODAY)


def test_old_15_digit_number_gets_a_hint() -> None:
    with pytest.raises(IdNumberError, match="old 15-digit number"):
        normalize_id_number("420106700512003", TODAY)


def test_letters_inside_the_number_are_rejected() -> None:
    with pytest.raises(IdNumberError, match=r"^must be 17 digits followed by a digit or X$"):
        normalize_id_number("4201061970O512003X", TODAY)


def test_february_30_birth_date_is_impossible() -> None:
    number = with_check("11010119900230123")
    with pytest.raises(IdNumberError, match=r"^impossible birth date 19900230$"):
        normalize_id_number(number, TODAY)


def test_birth_year_before_1890_is_impossible() -> None:
    number = with_check("11010118500101123")
    with pytest.raises(IdNumberError, match=r"^impossible birth date 18500101$"):
        normalize_id_number(number, TODAY)


def test_birth_date_after_today_is_in_the_future() -> None:
    tomorrow = TODAY + timedelta(days=1)
    number = with_check(f"110101{tomorrow:%Y%m%d}123")
    with pytest.raises(IdNumberError, match=r"^birth date in the future$"):
        normalize_id_number(number, TODAY)


def test_born_today_is_accepted() -> None:
    number = with_check(f"110101{TODAY:%Y%m%d}124")
    assert normalize_id_number(number, TODAY) == number


def test_id_error_messages_never_contain_the_number() -> None:
    bodies = ["42010619700512003", "11010119900230123", f"110101{TODAY + timedelta(1):%Y%m%d}123"]
    numbers = [with_check(b) for b in bodies]
    numbers[0] = numbers[0][:17] + ("0" if numbers[0][17] != "0" else "1")
    for number in numbers:
        with pytest.raises(IdNumberError) as caught:
            normalize_id_number(number, TODAY)
        assert number not in str(caught.value)


def test_birth_date_is_read_from_the_id_number() -> None:
    assert birth_date_of("11010519491231002X") == date(1949, 12, 31)


def test_age_in_the_birthday_month_is_still_the_previous_age() -> None:
    assert age_in_month(date(1944, 3, 15), 2024, 3) == 79


def test_age_takes_effect_from_the_month_after_the_birthday_month() -> None:
    assert age_in_month(date(1944, 3, 15), 2024, 4) == 80
    assert age_in_month(date(1944, 3, 15), 2024, 2) == 79


def test_december_birthday_takes_effect_in_january_of_the_next_year() -> None:
    assert age_in_month(date(2006, 12, 5), 2024, 12) == 17
    assert age_in_month(date(2006, 12, 5), 2025, 1) == 18


def test_mask_keeps_first_and_last_four_and_the_length() -> None:
    assert mask("11010519491231002X") == "1101**********002X"
    assert mask("6222021234567890128") == "6222***********0128"


def test_short_texts_are_masked_completely() -> None:
    assert mask("12345678") == "********"
    assert mask("12345678901") == "***********"
    assert mask("") == ""


def test_twelve_characters_is_the_shortest_text_shown_partly() -> None:
    assert mask("123456789012") == "1234****9012"


def test_unionpay_card_with_hand_computed_luhn_digit_is_accepted() -> None:
    body = "622202123456789012"
    card = body + hand_luhn_digit(body)
    assert normalize_bank_account(card) == card


def test_spaces_in_a_card_number_are_removed() -> None:
    body = "622848001234567"
    card = body + hand_luhn_digit(body)
    spaced = " ".join(card[i : i + 4] for i in range(0, len(card), 4))
    assert normalize_bank_account(spaced) == card


def test_unionpay_card_with_bad_luhn_digit_is_rejected_without_echo() -> None:
    body = "622202123456789012"
    good = body + hand_luhn_digit(body)
    bad = body + str((int(good[-1]) + 1) % 10)
    with pytest.raises(BankAccountError, match="fails the Luhn check") as caught:
        normalize_bank_account(bad)
    assert bad not in str(caught.value)


def test_passbook_account_without_check_digit_is_taken_as_given() -> None:
    assert normalize_bank_account("4301020800012345678") == "4301020800012345678"
    # starts with 62 but is not a card length: no Luhn rule applies
    assert normalize_bank_account("620102080001") == "620102080001"


def test_account_with_letters_is_rejected() -> None:
    with pytest.raises(BankAccountError, match=r"^must contain only digits$"):
        normalize_bank_account("6222-0212-3456")


def test_account_length_is_bounded() -> None:
    with pytest.raises(BankAccountError, match=r"^must be 6 to 32 digits, not 5$"):
        normalize_bank_account("12345")
    with pytest.raises(BankAccountError, match=r"^must be 6 to 32 digits, not 33$"):
        normalize_bank_account("1" * 33)


def test_empty_account_is_rejected() -> None:
    with pytest.raises(BankAccountError):
        normalize_bank_account("   ")


def test_generated_id_numbers_are_valid_and_carry_the_birth_date() -> None:
    number = generate_id_number("420106", date(1952, 7, 1), 37)
    assert number[:17] == "42010619520701037"
    assert number[17] == hand_check_digit(number[:17])
    assert normalize_id_number(number, TODAY) == number
    assert birth_date_of(number) == date(1952, 7, 1)


def test_generated_card_numbers_pass_luhn_and_differ_by_seq() -> None:
    first = generate_card_number("622848", 1)
    second = generate_card_number("622848", 2)
    assert len(first) == 19 and first != second
    assert first[-1] == hand_luhn_digit(first[:-1])
    assert normalize_bank_account(first) == first
    assert len(generate_card_number("621700", 5, length=16)) == 16


def test_generators_refuse_impossible_arguments() -> None:
    with pytest.raises(ValueError):
        generate_id_number("4201", date(1952, 7, 1), 1)
    with pytest.raises(ValueError):
        generate_id_number("420106", date(1952, 7, 1), 1000)
    with pytest.raises(ValueError):
        generate_card_number("622848", 10**13)


def test_payment_ids_are_uuid5_of_the_documented_name() -> None:
    """Stored ids must never change derivation: a new formula would let a line be paid twice."""
    from uuid import uuid4, uuid5

    from ledger.domain import ids
    from ledger.domain.calendar import Month

    for _ in range(50):
        case = uuid4()
        name = f"payment:2024-03:regular:{case.hex}:dibao:arrears:2023-11"
        assert ids.payment_id(Month(2024, 3), "regular", case, "dibao", "arrears",
                              Month(2023, 11)) == uuid5(ids.NAMESPACE, name)


def test_a_relief_line_has_the_reliefs_one_payment_id_whichever_batch_takes_it() -> None:
    """One derivation for every line: a relief paid by a regular or a relief batch is one payment."""
    from uuid import uuid4, uuid5

    from ledger.domain import ids
    from ledger.domain.calendar import Month

    relief = uuid4()
    expected = uuid5(ids.NAMESPACE, f"payment:relief:{relief.hex}")
    assert ids.payment_id(Month(2024, 3), "regular", relief, "temporary", "relief",
                          Month(2024, 3)) == expected
    assert ids.payment_id(Month(2024, 4), "relief", relief, "temporary", "relief",
                          Month(2024, 4)) == expected
