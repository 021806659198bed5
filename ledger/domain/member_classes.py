"""Classifications of dibao household members (分类施保) as facts with effective months.

A classification says a member is, say, seriously ill from a month (and, when known,
until a month, inclusive). Whether a member carries a class in a month is decided by
the latest fact for that person and class effective at or before the month (among
equal months the one recorded last) and its ``until``, so the same facts give the
same classes whatever order they were recorded in (SPEC: order never matters).
A class counts only while the person is a member in force (``ledger/domain/household.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ledger.domain.calendar import Month

CLASSES: dict[str, str] = {"serious_illness": "重病", "severe_disability": "重残",
                           "elderly70": "70岁以上", "minor": "未成年"}
"""Member classes -> their Chinese names, in the spec's order."""


@dataclass(frozen=True, slots=True)
class ClassFact:
    """One recorded classification of one member."""

    person_key: str
    classification: str
    start: Month
    until: Month | None
    """The last month the class holds (inclusive); None: open-ended."""
    seq: int
    """Recording order within the case."""

    def to_list(self) -> list[object]:
        return [self.person_key, self.classification, str(self.start),
                str(self.until) if self.until else None, self.seq]

    @classmethod
    def from_list(cls, data: Sequence[object]) -> ClassFact:
        key, classification, start, until, seq = data
        return cls(str(key), str(classification), Month.parse(str(start)),
                   Month.parse(str(until)) if until else None, int(str(seq)))


def classes_in_force(facts: Sequence[ClassFact], person_key: str, month: Month) -> tuple[str, ...]:
    """The person's classes in ``month``, in the order of ``CLASSES``."""
    latest: dict[str, ClassFact] = {}
    for fact in sorted(facts, key=lambda f: (f.start.index, f.seq)):
        if fact.person_key == person_key and fact.start <= month:
            latest[fact.classification] = fact
    held = {c for c, f in latest.items() if f.until is None or month <= f.until}
    return tuple(c for c in CLASSES if c in held)


def check_classification(classification: str, start: Month, until: Month | None) -> None:
    """Bad input: an unknown class, or an end before the start."""
    if classification not in CLASSES:
        raise ValueError(f"class must be one of {', '.join(CLASSES)}, not {classification!r}")
    if until is not None and until < start:
        raise ValueError(f"the class ends in {until}, before it starts in {start}")


def recorded(facts: Sequence[ClassFact], person_key: str, classification: str, start: Month,
             until: Month | None) -> bool:
    """Whether this very classification is already the last one recorded for its month."""
    same = [f for f in facts if (f.person_key, f.classification, f.start) ==
            (person_key, classification, start)]
    return bool(same) and same[-1].until == until
