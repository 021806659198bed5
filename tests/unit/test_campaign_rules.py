"""The pure campaign rules (ledger/domain/campaign.py): who is in a campaign, what each gets,
and which terms are refused. Amounts worked out by hand in the comments."""

from __future__ import annotations

from ledger.domain.calendar import Month
from ledger.domain.campaign import (
    Candidate,
    Terms,
    check_terms,
    persons_of,
    share_of,
    shares,
)


def _terms(per: str, amount: int = 100_00, programmes: tuple[str, ...] = (),
           towns: tuple[str, ...] = ()) -> Terms:
    return Terms("冬春救助", Month(2025, 1), per, amount, "", programmes, towns)


# A dibao household of three (A applicant, members A, B, C); B also has a disability case;
# D is tekun in another town; E is in disability_living and elderly.
CANDIDATES = [
    Candidate("c1", "dibao", "A", "城关镇", 3, ("A", "B", "C")),
    Candidate("c2", "disability_living", "B", "城关镇", 1),
    Candidate("c3", "tekun", "D", "河口镇", 1),
    Candidate("c4", "disability_living", "E", "城关镇", 1),
    Candidate("c5", "elderly", "E", "城关镇", 1),
]


def test_per_household_pays_each_household_or_person_once() -> None:
    found = shares(_terms("household"), CANDIDATES)
    # A's household (B counted in it), D, E once: 3 × 100.00
    assert [(s.person_key, s.case_id, s.persons, s.amount) for s in found] == [
        ("A", "c1", 3, 100_00), ("D", "c3", 1, 100_00), ("E", "c4", 1, 100_00)]


def test_per_person_pays_the_household_for_each_member_counted() -> None:
    found = shares(_terms("person", 50_00), CANDIDATES)
    # 3 × 50.00 = 150.00 for A's household; 50.00 each for D and E
    assert [(s.person_key, s.amount) for s in found] == [("A", 150_00), ("D", 50_00),
                                                         ("E", 50_00)]
    assert share_of(found, "B") is found[0] and share_of(found, "Z") is None


def test_programmes_and_towns_narrow_the_campaign() -> None:
    found = shares(_terms("household", programmes=("disability_living", "tekun"),
                          towns=("城关镇",)), CANDIDATES)
    # the dibao household is not targeted, so B is counted on their own; D is elsewhere
    assert [(s.person_key, s.case_id) for s in found] == [("B", "c2"), ("E", "c4")]


def test_a_household_of_nobody_is_not_in_the_campaign() -> None:
    assert shares(_terms("person"), [Candidate("c9", "dibao", "Q", "城关镇", 0)]) == []


def test_terms_need_exactly_one_of_amount_and_items() -> None:
    assert check_terms("冬春救助", "household", None, None, ()) == [
        "a campaign needs --amount YUAN (cash) or --items TEXT (in kind)"]
    assert check_terms("冬春救助", "person", 100_00, "棉被 1床", ()) == [
        "a campaign is cash (--amount) or in kind (--items), not both"]
    assert check_terms("冬春救助", "person", 0, None, ()) == ["--amount must be more than 0, not 0.00"]
    assert check_terms("冬春救助", "household", None, "棉被 1床", ("dibao", "temporary")) == [
        "unknown programme(s) temporary; use dibao, tekun, disability_living, disability_care, "
        "elderly, orphan, child_in_difficulty"]
    assert check_terms(" ", "family", 100_00, None, ()) == [
        "a campaign needs a name", "--per must be household or person, not 'family'"]
    assert check_terms("冬春救助", "person", 100_00, None, ("dibao",)) == []


def test_a_lines_people_are_read_back_from_its_formula_whatever_the_name() -> None:
    household, person = _terms("household"), _terms("person", 50_00)
    share = shares(household, CANDIDATES)[0]
    assert share.formula(household) == "冬春救助: 1 household (3 person(s)) × 100.00 = 100.00"
    assert persons_of(share.formula(household)) == 3
    assert persons_of(shares(person, CANDIDATES)[0].formula(person)) == 3
    tricky = Terms("慰问: 9 person(s)", Month(2025, 1), "person", 50_00, "", (), ())
    assert persons_of(shares(tricky, CANDIDATES)[1].formula(tricky)) == 1
    assert persons_of("whatever") == 1
