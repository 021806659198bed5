"""Recording household members (户内成员), with the person rules.

A person is a member of at most one dibao household at a time, and not a dibao member
while in tekun (SPEC: Households and people). People are found by the keyed person
hash (``app.person_key``), never by the raw number, so the rules hold with encryption.

:class:`Households` is one unit of work: the households a command (or a whole file)
touches are loaded once and changed in memory, so rows of one file see each other
(a person moving between two households in the same month), and everything is saved
together — or nothing, when any rule refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.domain.case import Case
from ledger.domain.errors import CaseStateError, LedgerRefusal
from ledger.domain.household import (
    RELATIONS,
    Spell,
    before_birth,
    members_in_force,
    recorded_details,
    spells,
)
from ledger.domain.identity import birth_date_of, mask
from ledger.domain.text_fields import check_text
from ledger.services.runtime import Runtime
from projections import schema


class MemberRefusal(LedgerRefusal):
    """Raised when a person rule refuses a member change (another household, tekun)."""


@dataclass(frozen=True)
class Membership:
    """A person's period in one household; ``implicit`` for a payee of a household without members."""

    case: Case
    spell: Spell
    implicit: bool = False

    @property
    def end(self) -> Month | None:
        """The spell's end, or the household's exit when that comes first."""
        ends = [m for m in (self.spell.end, self.case.record.exit_month) if m is not None]
        return min(ends) if ends else None


class Households:
    """The households one command or file changes, loaded once, saved together."""

    def __init__(self, rt: Runtime, towns: frozenset[str] | None = None) -> None:
        self.rt = rt
        self.towns = towns
        """The acting account's towns, if limited: a refusal names no household outside them."""
        self.cases: dict[UUID, Case | None] = {}
        self.changed: dict[UUID, Case] = {}
        self.joined: dict[str, set[UUID]] = {}
        """person key -> households this unit of work added them to (not yet in rm_members)."""
        rt.read_model.catch_up()

    def case(self, case_id: UUID) -> Case | None:
        if case_id not in self.cases:
            found = self.rt.app.maybe(case_id)
            self.cases[case_id] = found if isinstance(found, Case) else None
        return self.cases[case_id]

    def household_of(self, applicant_id_number: str) -> Case:
        """The applicant's dibao case, or a refusal (the applicant is not a dibao payee)."""
        case = self.case(ids.case_id(self.rt.app.person_key(applicant_id_number), "dibao"))
        if self.towns is not None and (case is None or case.record.town not in self.towns):
            # The same words whether it is elsewhere or no household at all: a town's clerk
            # learns nothing of other towns from the refusal.
            raise MemberRefusal(f"{mask(applicant_id_number)} is not the applicant of a dibao "
                                "household in your towns")
        if case is None:
            raise MemberRefusal(f"{mask(applicant_id_number)} is not the applicant (payee) of a "
                                "dibao household")
        return case

    def memberships(self, person_key: str) -> list[Membership]:
        """Every household period of the person: recorded members, and payees of households
        with no members recorded (the applicant alone stands for the household then)."""
        m = schema.members.c
        with self.rt.engine.connect() as conn:
            listed = {UUID(cid) for cid in conn.execute(
                select(m.case_id).where(m.person_key == person_key)).scalars()}
        candidates = listed | self.joined.get(person_key, set())
        candidates.add(ids.case_id(person_key, "dibao"))
        found: list[Membership] = []
        for cid in sorted(candidates):
            case = self.case(cid)
            if case is None or case.record.programme != "dibao":
                continue
            record = case.record
            found += [Membership(case, s) for s in spells(record.members)
                      if s.person_key == person_key]
            if not record.members and cid == ids.case_id(person_key, "dibao"):
                found.append(Membership(case, Spell(person_key, record.id_number, record.name,
                                                    "self", record.start_month, None, ""), True))
        return found

    # --- commands --------------------------------------------------------------------
    def add(self, household: Case, id_number: str, name: str, relation: str,
            from_month: Month, by: str) -> bool:
        """Record a member from ``from_month``; False when that very fact is already recorded."""
        check_text(name, "name")
        if relation not in RELATIONS:
            raise ValueError(f"relation must be one of {', '.join(RELATIONS)}, not {relation!r}")
        if problem := before_birth(id_number, from_month):
            raise ValueError(problem)
        key = self.rt.app.person_key(id_number)
        applicant_key = self.rt.app.person_key(household.record.id_number)
        if (relation == "self") != (key == applicant_key):
            raise ValueError("relation self (本人) is the applicant, and only the applicant")
        for ms in self.memberships(key):
            same = ms.case.id == household.id
            if same and not ms.implicit and ms.spell.start == from_month and ms.spell.end is None:
                return False
            if ms.implicit and same:
                continue
            if ms.end is None or ms.end > from_month:
                where = ("this household" if same else f"household {ms.case.id.hex}"
                         if self.towns is None or ms.case.record.town in self.towns
                         else "a household outside your towns")
                raise MemberRefusal(
                    f"{mask(id_number)} is already a member of {where} from {ms.spell.start}"
                    + (f" to {ms.end}" if ms.end else "")
                    + f"; a person is a member of one dibao household at a time "
                    f"(this one from {from_month})")
        self._check_not_in_tekun(key, id_number, from_month)
        household.add_member(id_number, key, name, relation, from_month,
                             birth_date_of(id_number), by)
        self.changed[household.id] = household
        self.joined.setdefault(key, set()).add(household.id)
        return True

    def _check_not_in_tekun(self, key: str, id_number: str, from_month: Month) -> None:
        tekun = self.case(ids.case_id(key, "tekun"))
        if tekun is None:
            return
        exit_month = tekun.record.exit_month
        if exit_month is None or exit_month > from_month:
            raise MemberRefusal(
                f"{mask(id_number)} is in tekun from {tekun.record.start_month}"
                + (f" to {exit_month}" if exit_month else "")
                + f": a person in tekun cannot be a dibao member at the same time "
                f"(from {from_month})")

    def household_in_force(self, id_number: str, month: Month) -> Case | None:
        """The household the person is a recorded member of in ``month``, if any."""
        key = self.rt.app.person_key(id_number)
        for ms in self.memberships(key):
            if not ms.implicit and key in {c.person_key for c in
                                           members_in_force(ms.case.record.members, month)}:
                return ms.case
        return None

    def remove(self, id_number: str, from_month: Month, reason: str, by: str) -> Case:
        """The person leaves their household from ``from_month``; returns the household."""
        household = self.household_in_force(id_number, from_month)
        if household is None:
            raise CaseStateError(f"{mask(id_number)} is not a household member in {from_month}")
        household.remove_member(self.rt.app.person_key(id_number), from_month, reason, by)
        self.changed[household.id] = household
        return household

    def save(self) -> None:
        if self.changed:
            self.rt.app.save(*self.changed.values())
            self.changed.clear()
            self.rt.read_model.catch_up()


def add_member(rt: Runtime, applicant_id_number: str, id_number: str, name: str,
               relation: str, from_month: Month, by: str, classes: tuple[str, ...] = (),
               towns: frozenset[str] | None = None) -> bool:
    """One member added (``ledger member add``), with any classes from the same month;
    False when already recorded. All of it or, refused, nothing. ``towns``: the acting
    account's, if limited (a refusal then names no household outside them)."""
    households = Households(rt, towns)
    household = households.household_of(applicant_id_number)
    added = households.add(household, id_number, name, relation, from_month, by)
    for c in classes:
        added = household.classify_member(rt.app.person_key(id_number), c, from_month, None,
                                          by) or added
    households.changed[household.id] = household
    households.save()
    return added


def classify_member(rt: Runtime, id_number: str, classification: str, from_month: Month,
                    until_month: Month | None, by: str) -> tuple[Case, bool]:
    """A member's classification (``ledger member classify``); refused unless a member then."""
    households = Households(rt)
    household = households.household_in_force(id_number, from_month)
    if household is None:
        raise MemberRefusal(f"{mask(id_number)} is not a dibao household member in {from_month}")
    done = household.classify_member(rt.app.person_key(id_number), classification, from_month,
                                     until_month, by)
    households.changed[household.id] = household
    households.save()
    return household, done


def remove_member(rt: Runtime, id_number: str, from_month: Month, reason: str,
                  by: str) -> Case:
    """One member removed (``ledger member remove``); returns their household."""
    if reason not in ("death", "moved", "married", "other"):
        raise ValueError(f"reason must be death, moved, married or other, not {reason!r}")
    households = Households(rt)
    household = households.remove(id_number, from_month, reason, by)
    households.save()
    return household


def correct_member(rt: Runtime, applicant_id_number: str, id_number: str, name: str | None,
                   relation: str | None, reason: str, by: str) -> bool:
    """A recorded member's name or relation corrected (``ledger member correct``); False when
    they already read so. A wrong ID number is not corrected here: it names another person,
    who is removed and the right one added (the person rules must hold for them)."""
    if name is None and relation is None:
        raise ValueError("nothing to correct: give a name, a relation or both")
    households = Households(rt)
    household = households.household_of(applicant_id_number)
    key = rt.app.person_key(id_number)
    details = recorded_details(household.record.members, key)
    if details is None:
        raise MemberRefusal(f"{mask(id_number)} is not a recorded member of the household of "
                            f"{mask(applicant_id_number)}")
    name = details[0] if name is None else name
    relation = details[1] if relation is None else relation
    if not name.strip():
        raise ValueError("name: empty")
    check_text(name, "name")
    check_text(reason, "reason")
    if relation not in RELATIONS:
        raise ValueError(f"relation must be one of {', '.join(RELATIONS)}, not {relation!r}")
    if (relation == "self") != (key == rt.app.person_key(household.record.id_number)):
        raise ValueError("relation self (本人) is the applicant, and only the applicant")
    done = household.correct_member(key, name, relation, reason, by)
    households.changed[household.id] = household
    households.save()
    return done


def dibao_memberships(rt: Runtime, keys: list[str]) -> dict[str, list[tuple[Month, Month | None]]]:
    """person key -> their periods in dibao households (ended by the household's exit too),
    for the roster's rule that a dibao member is not enrolled in tekun at the same time."""
    m, c = schema.members.c, schema.cases.c
    found: dict[str, list[tuple[Month, Month | None]]] = {}
    with rt.engine.connect() as conn:
        for i in range(0, len(keys), 500):
            for key, start, to, exit_month in conn.execute(
                    select(m.person_key, m.from_month, m.to_month, c.exit_month)
                    .join(schema.cases, c.case_id == m.case_id)
                    .where(m.person_key.in_(keys[i:i + 500]))):
                ends = [Month.parse(x) for x in (to, exit_month) if x]
                found.setdefault(key, []).append((Month.parse(start), min(ends) if ends else None))
    return found
