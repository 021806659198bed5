"""A dibao household's members (户内成员) as facts with effective months, folded purely.

Each member change is a fact of one person: added from a month, or removed from a
month. Whether a person is a member in a month is decided by that person's latest
change effective at or before the month (among equal months, the one recorded last),
so the same facts give the same household whatever order they were recorded in
(SPEC: order never matters). The household's size for a month is the number of
members in force; months before any member was added keep the roster's size.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from ledger.domain.calendar import Month
from ledger.domain.identity import birth_date_of

RELATIONS: dict[str, str] = {"self": "本人", "spouse": "配偶", "child": "子女",
                             "parent": "父母", "other": "其他"}
"""Relation to the applicant -> its Chinese name (both accepted in files)."""
REASONS = ("death", "moved", "married", "other")
"""Why a member left the household."""


@dataclass(frozen=True, slots=True)
class MemberChange:
    """One recorded member fact: ``added`` True for 纳入, False for 减员."""

    person_key: str
    effective: Month
    seq: int
    """Recording order within the case (the record's seq when applied)."""
    added: bool
    id_number: str = ""
    name: str = ""
    relation: str = ""
    birth_date: date | None = None
    reason: str = ""

    def to_list(self) -> list[object]:
        return [self.person_key, str(self.effective), self.seq, self.added, self.id_number,
                self.name, self.relation,
                self.birth_date.isoformat() if self.birth_date else None, self.reason]

    @classmethod
    def from_list(cls, data: Sequence[object]) -> MemberChange:
        key, effective, seq, added, id_number, name, relation, birth, reason = data
        return cls(str(key), Month.parse(str(effective)), int(str(seq)), bool(added),
                   str(id_number), str(name), str(relation),
                   date.fromisoformat(str(birth)) if birth else None, str(reason))


@dataclass(frozen=True, slots=True)
class Spell:
    """A period of membership: from ``start`` up to (not including) ``end``."""

    person_key: str
    id_number: str
    name: str
    relation: str
    start: Month
    end: Month | None
    reason: str
    """Why the spell ended ('' while open)."""

    def covers(self, month: Month) -> bool:
        return self.start <= month and (self.end is None or month < self.end)


def _ordered(changes: Iterable[MemberChange]) -> list[MemberChange]:
    return sorted(changes, key=lambda c: (c.effective.index, c.seq))


def members_in_force(changes: Sequence[MemberChange], month: Month) -> list[MemberChange]:
    """The add facts of the people who are members in ``month``."""
    latest: dict[str, MemberChange] = {}
    for change in _ordered(changes):
        if change.effective > month:
            break
        latest[change.person_key] = change
    return [c for c in latest.values() if c.added]


def household_size(changes: Sequence[MemberChange], month: Month) -> int | None:
    """Members in force in ``month``; None before any member was added (the roster's size stands)."""
    if not any(c.added and c.effective <= month for c in changes):
        return None
    return len(members_in_force(changes, month))


def spells(changes: Sequence[MemberChange]) -> list[Spell]:
    """Every period of membership, per person in order of start; empty periods left out."""
    found: list[Spell] = []
    open_: dict[str, Spell] = {}
    for change in _ordered(changes):
        current = open_.get(change.person_key)
        if change.added and current is None:
            open_[change.person_key] = Spell(change.person_key, change.id_number, change.name,
                                             change.relation, change.effective, None, "")
        elif not change.added and current is not None:
            del open_[change.person_key]
            if current.start != change.effective:
                found.append(Spell(current.person_key, current.id_number, current.name,
                                   current.relation, current.start, change.effective,
                                   change.reason))
    found.extend(open_.values())
    return sorted(found, key=lambda s: (s.start.index, s.person_key))


def recorded_details(changes: Sequence[MemberChange], person_key: str) -> tuple[str, str] | None:
    """The name and relation recorded for the person in this household (None: never added)."""
    added = [c for c in _ordered(changes) if c.person_key == person_key and c.added]
    return (added[-1].name, added[-1].relation) if added else None


def reads(changes: Sequence[MemberChange], person_key: str, name: str, relation: str) -> bool:
    """Whether every add fact of the person already carries this name and relation."""
    return all((c.name, c.relation) == (name, relation)
               for c in changes if c.person_key == person_key and c.added)


def corrected(changes: Sequence[MemberChange], person_key: str, name: str,
              relation: str) -> list[MemberChange]:
    """The changes with every add fact of the person carrying the corrected name and relation.

    A correction (更正) says what was mistyped, not what changed on a date: the member was
    the same person all along, so every period of theirs shows the corrected details. What
    was recorded before stays in the log, in the facts the correction follows.
    """
    return [replace(c, name=name, relation=relation)
            if c.person_key == person_key and c.added else c for c in changes]


def before_birth(id_number: str, month: Month) -> str | None:
    """Why a person cannot be a member from ``month`` (before the birth month their ID number
    gives: the household would be paid for a child not yet born), or None. The message names
    no birth date: a masked ID number hides it on purpose."""
    if month < Month.of(birth_date_of(id_number)):
        return f"from {month} is before the birth date in the ID number"
    return None
