"""The classified top-up rule and member classes, pure: texts and edges by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.domain.calendar import Month
from ledger.domain.member_classes import ClassFact, check_classification, recorded
from ledger.domain.programmes.classified import TopUp, member_percent, top_up

PERCENTS = {"serious_illness": Decimal("30"), "severe_disability": Decimal("20"),
            "elderly70": Decimal("10"), "minor": Decimal("10")}


def test_a_member_without_classes_adds_nothing() -> None:
    assert member_percent((), PERCENTS, "max") == Decimal(0)
    assert member_percent((), PERCENTS, "sum") == Decimal(0)
    assert top_up(900_00, [(), ()], PERCENTS, "max") == TopUp(0, "")


def test_a_member_without_classes_does_not_stop_the_next_ones_top_up() -> None:
    # the first member has no class, the second is a minor: 10% of 900.00 = 90.00
    assert top_up(900_00, [(), ("minor",)], PERCENTS, "max").amount == 90_00


def test_the_description_names_each_members_classes_and_the_combine_rule() -> None:
    # Member A: seriously ill and a minor; member B: a minor. Standard 900.00.
    # sum: A 30 + 10 = 40% → 360.00, B 10% → 90.00: 450.00
    # max: A max(30, 10) = 30% → 270.00, B 90.00: 360.00
    members = [("serious_illness", "minor"), ("minor",)]
    assert top_up(900_00, members, PERCENTS, "sum") == TopUp(
        450_00, "classified (sum) serious_illness+minor 40% + minor 10% of 900.00 = 450.00")
    assert top_up(900_00, members, PERCENTS, "max") == TopUp(
        360_00, "classified (max) serious_illness|minor 30% + minor 10% of 900.00 = 360.00")


def test_a_class_fact_survives_its_stored_form() -> None:
    open_ended = ClassFact("k1", "minor", Month(2024, 1), None, 3)
    ending = ClassFact("k2", "serious_illness", Month(2024, 2), Month(2024, 6), 4)
    assert open_ended.to_list() == ["k1", "minor", "2024-01", None, 3]
    assert ending.to_list() == ["k2", "serious_illness", "2024-02", "2024-06", 4]
    assert [ClassFact.from_list(f.to_list()) for f in (open_ended, ending)] == [open_ended, ending]


def test_an_unknown_class_or_an_end_before_the_start_is_bad_input() -> None:
    check_classification("minor", Month(2024, 1), Month(2024, 1))  # one month: fine
    with pytest.raises(ValueError) as unknown:
        check_classification("ill", Month(2024, 1), None)
    assert str(unknown.value) == (
        "class must be one of serious_illness, severe_disability, elderly70, minor, not 'ill'")
    with pytest.raises(ValueError) as backwards:
        check_classification("minor", Month(2024, 3), Month(2024, 2))
    assert str(backwards.value) == "the class ends in 2024-02, before it starts in 2024-03"


def test_a_classification_is_recorded_once_for_its_month_and_end() -> None:
    facts = [ClassFact("k1", "minor", Month(2024, 1), None, 1),
             ClassFact("k1", "minor", Month(2024, 1), Month(2024, 5), 2)]
    assert recorded(facts, "k1", "minor", Month(2024, 1), Month(2024, 5))  # the last one
    assert not recorded(facts, "k1", "minor", Month(2024, 1), None)  # superseded since
    assert not recorded(facts, "k2", "minor", Month(2024, 1), Month(2024, 5))
    assert not recorded(facts, "k1", "elderly70", Month(2024, 1), Month(2024, 5))
    assert not recorded(facts, "k1", "minor", Month(2024, 2), Month(2024, 5))
    assert not recorded([], "k1", "minor", Month(2024, 1), None)
    third = [*facts, ClassFact("k1", "minor", Month(2024, 1), Month(2024, 7), 3)]
    assert recorded(third, "k1", "minor", Month(2024, 1), Month(2024, 7))  # the last of three
    assert not recorded(third, "k1", "minor", Month(2024, 1), Month(2024, 5))
