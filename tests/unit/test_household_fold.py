"""The household fold (ledger/domain/household.py) by hand and by property: members in force decide
the size, and the order facts of different people or months were recorded in never matters."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord
from ledger.domain.household import (
    MemberChange,
    corrected,
    household_size,
    reads,
    recorded_details,
    spells,
)

JAN = Month(2024, 1)


def _add(key: str, month: int, seq: int) -> MemberChange:
    return MemberChange(key, Month(2024, month), seq, True, key, f"n{key}", "other")


def _remove(key: str, month: int, seq: int) -> MemberChange:
    return MemberChange(key, Month(2024, month), seq, False, reason="moved")


def test_size_counts_members_in_force_and_is_none_before_the_first_member() -> None:
    changes = [_add("a", 3, 1), _add("b", 3, 2), _add("c", 5, 3), _remove("b", 6, 4)]
    assert [household_size(changes, Month(2024, m)) for m in range(1, 8)] == \
        [None, None, 2, 2, 3, 2, 2]


def test_among_facts_of_one_month_the_one_recorded_last_counts() -> None:
    added_then_removed = [_add("a", 1, 1), _add("b", 2, 2), _remove("b", 2, 3)]
    removed_then_added = [_add("a", 1, 1), _remove("b", 2, 2), _add("b", 2, 3)]
    assert household_size(added_then_removed, Month(2024, 2)) == 1
    assert household_size(removed_then_added, Month(2024, 2)) == 2
    assert [(s.person_key, s.start, s.end) for s in spells(added_then_removed)] == \
        [("a", JAN, None)]


def test_a_case_record_with_members_round_trips_through_json_and_uses_them() -> None:
    record = CaseRecord("c", "dibao", "n", "1", date(1970, 1, 1), "t", "v", False, "b", "1",
                        JAN, {"household_size": 4})
    assert "members" not in record.to_json()  # read models built before members stay equal
    record.members = [_add("a", 2, 1), _remove("a", 4, 2)]
    again = CaseRecord.from_json(record.to_json())
    assert again.members == record.members
    assert [again.facts_for(Month(2024, m)).household_size for m in (1, 2, 3, 4)] == [4, 1, 1, 0]


_FACTS = st.lists(
    st.tuples(st.sampled_from("abcd"), st.integers(1, 8), st.booleans()),
    max_size=12, unique_by=lambda f: (f[0], f[1]))


@given(_FACTS, st.randoms())
def test_recording_order_of_different_people_or_months_never_changes_the_size(
        facts: list[tuple[str, int, bool]], rnd: object) -> None:
    def changes(order: list[tuple[str, int, bool]]) -> list[MemberChange]:
        return [(_add if added else _remove)(key, month, seq)
                for seq, (key, month, added) in enumerate(order, start=1)]

    shuffled = list(facts)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    for m in range(1, 10):
        assert household_size(changes(facts), Month(2024, m)) == \
            household_size(changes(shuffled), Month(2024, m))


def test_a_correction_rewrites_the_persons_add_facts_only_and_every_spell_reads_it() -> None:
    changes = [
        MemberChange("a", Month(2024, 1), 1, True, "ID-A", "甲", "self"),
        MemberChange("b", Month(2024, 1), 2, True, "ID-B", "乙乙", "child"),
        MemberChange("b", Month(2024, 4), 3, False, reason="moved"),
        MemberChange("b", Month(2024, 9), 4, True, "ID-B", "乙乙", "child"),
    ]
    assert recorded_details(changes, "b") == ("乙乙", "child")
    assert recorded_details(changes, "c") is None
    fixed = corrected(changes, "b", "乙", "spouse")
    assert fixed[0] == changes[0] and fixed[2] == changes[2]  # others, and the leaving, as they were
    assert [(s.name, s.relation, str(s.start)) for s in spells(fixed) if s.person_key == "b"] == [
        ("乙", "spouse", "2024-01"), ("乙", "spouse", "2024-09")]
    assert household_size(fixed, Month(2024, 5)) == household_size(changes, Month(2024, 5)) == 1


def test_a_correction_is_due_while_any_period_of_the_member_reads_otherwise() -> None:
    """Added twice, spelt differently: the later spelling is not yet right for the earlier
    period, so correcting to it is not "already so"."""
    changes = [
        MemberChange("b", Month(2024, 1), 1, True, "ID-B", "乙乙", "child"),
        MemberChange("b", Month(2024, 4), 2, False, reason="moved"),
        MemberChange("b", Month(2024, 9), 3, True, "ID-B", "乙", "child"),
    ]
    assert recorded_details(changes, "b") == ("乙", "child")  # the latest, for defaults
    assert not reads(changes, "b", "乙", "child")
    assert reads(corrected(changes, "b", "乙", "child"), "b", "乙", "child")
