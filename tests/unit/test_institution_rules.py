"""Institutions' rules, pure: the unified social credit code's check character (GB 32100,
worked out by hand for two published codes) and which months a grant pays, how much.

The same codes and grants are paid end to end in tests/integration/test_institutions.py.
"""

from __future__ import annotations

from ledger.domain.calendar import Month
from ledger.domain.institution import Grant, month_line
from ledger.domain.uscc import check_character, parse_uscc

HOME = "91330100716105852F"
CARE = "9144030071526726XG"
JAN, FEB, MAR = Month(2024, 1), Month(2024, 2), Month(2024, 3)


# --- the code ---------------------------------------------------------------------
def test_check_character_of_published_codes_worked_out_by_hand() -> None:
    # 9 1 3 3 0 1 0 0 7 1 6 1 0 5 8 5 2 × weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
    # = 9+3+27+81+0+26+0+0+140+29+150+13+0+120+80+150+56 = 884; 884 mod 31 = 16; 31−16 = 15 = F
    assert check_character(HOME[:17]) == "F"
    # 9 1 4 4 0 3 0 0 7 1 5 2 6 7 2 6 X(=29): 9+3+36+108+0+78+0+0+140+29+125+26+48+168+20+180
    # +812 = 1782; 1782 mod 31 = 15; 31−15 = 16 = G (A=10 … H=17, no I)
    assert check_character(CARE[:17]) == "G"
    assert parse_uscc(" 9144030071526726xg ") == CARE


def test_a_wrong_check_character_or_a_forbidden_letter_is_refused_saying_why() -> None:
    for text, says in ((HOME[:17] + "E", "wrong check character 'E' (GB 32100 gives 'F')"),
                       (HOME[:17], "must be 18 characters"),
                       ("91330100716105852I", "character 'I' is not allowed"),
                       ("91A30100716105852F", "region code")):
        try:
            parse_uscc(text)
        except ValueError as e:
            assert says in str(e)
        else:
            raise AssertionError(f"{text} accepted")


def test_grants_pay_in_their_months_only_and_a_year_rounds_half_up_to_the_fen() -> None:
    year = Grant(1, "tekun", 1_000_006, "year", JAN, MAR, "r")  # 83,333.83… fen → 83,334
    month = Grant(2, "tekun", 150_000, "month", FEB, None, "r")
    once = Grant(3, "tekun", 200_000, "once", FEB, None, "r")
    assert [year.due(m) for m in (Month(2023, 12), JAN, MAR, Month(2024, 4))] == [
        0, 83_334, 83_334, 0]
    assert [month.due(m) for m in (JAN, FEB, Month(2030, 1))] == [0, 150_000, 150_000]
    assert [once.due(m) for m in (JAN, FEB, MAR)] == [0, 200_000, 0]
    # 10,000.00 a year: 1,000,000 ÷ 12 = 83,333.33… → 833.33 (rounded down)
    assert Grant(4, "tekun", 1_000_000, "year", JAN, None, "r").monthly() == 83_333
    assert month_line([year, month, once], FEB) == (
        433_334, "#1 tekun 10000.06/year ÷ 12 = 833.34 [r]; #2 tekun 1500.00/month [r]; "
                 "#3 tekun 2000.00 once [r] = 4333.34")
    assert month_line([once], MAR) is None
