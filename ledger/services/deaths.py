"""`ledger deaths import FILE`: the civil-registration death list (死亡名单).

For each person on the list the ledger knows: every case they are the payee of ends
from the month after the death month (an applicant's death ends the household's case,
through the ordinary ``exit_case``), and a member leaves their household from that
month. What was already paid for later months is recovered by the next payroll by the
ordinary retroactive rules: nothing here touches money. Unknown people are listed
(masked) and skipped; a second import of the same list finds everything done and
records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import select

from ledger.adapters.people_file import PeopleTable, read_people
from ledger.adapters.problems import Problem
from ledger.domain.calendar import Month
from ledger.domain.household import members_in_force
from ledger.domain.identity import birth_date_of, mask
from ledger.services.case_changes import exit_case
from ledger.services.members import Households
from ledger.services.runtime import Runtime
from projections import schema

COLUMNS: dict[str, str] = {"id_number": "身份证号", "name": "姓名", "death_date": "死亡日期"}
_ALIASES = {**{k: k for k in COLUMNS}, **{zh: k for k, zh in COLUMNS.items()},
            "身份证号码": "id_number", "公民身份号码": "id_number"}


@dataclass(frozen=True)
class Death:
    row: int
    id_number: str
    name: str
    died: date

    @property
    def from_month(self) -> Month:
        """The first month no longer paid: the month after the death month."""
        return Month.of(self.died) + 1


@dataclass
class DeathsImport:
    rows: int = 0
    matched: list[dict[str, Any]] = field(default_factory=list)
    cases_ended: list[dict[str, Any]] = field(default_factory=list)
    members_removed: list[dict[str, Any]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    """Masked ID numbers the ledger does not know (skipped, not an error)."""
    problems: list[Problem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "matched": self.matched, "cases_ended": self.cases_ended,
                "members_removed": self.members_removed, "unknown": self.unknown}


def read_deaths(path: Path, today: date) -> tuple[list[Death], list[Problem]]:
    table = PeopleTable(str(path))
    deaths: list[Death] = []
    seen: dict[str, Death] = {}
    for number, cells in read_people(str(path), _ALIASES, ("id_number", "death_date"), table):
        before = len(table.problems) + table.unlisted
        person = table.id_number(number, cells, "id_number", today)
        name = table.free_text(number, cells, "name") if "name" in table.columns else ""
        died = table.day(number, cells, "death_date", today)
        if person is not None and died is not None and died < birth_date_of(person):
            table.report(number, "death_date", f"{died} is before the birth date the ID "
                                               "number gives")
        elif person is not None and died is not None:
            earlier = seen.get(person)
            if earlier is not None and earlier.died != died:
                table.report(number, "death_date", f"row {earlier.row} gives another date "
                                                   f"({earlier.died}) for the same person")
        if len(table.problems) + table.unlisted == before:
            assert person and died
            death = Death(number, person, name or "", died)
            if person not in seen:
                seen[person] = death
                deaths.append(death)
    return deaths, table.finish()


def import_deaths(rt: Runtime, path: Path, today: date, by: str) -> DeathsImport:
    deaths, problems = read_deaths(path, today)
    result = DeathsImport(rows=len(deaths), problems=problems)
    if problems:
        return result
    households = Households(rt)
    exits: list[tuple[UUID, Month, str]] = []
    c = schema.cases.c
    for death in deaths:
        key = rt.app.person_key(death.id_number)
        with rt.engine.connect() as conn:
            payee_of = [UUID(cid) for cid in conn.execute(
                select(c.case_id).where(c.person_key == key).order_by(c.case_id)).scalars()]
        memberships = [ms for ms in households.memberships(key) if not ms.implicit]
        if not payee_of and not memberships:
            result.unknown.append(mask(death.id_number))
            continue
        target = death.from_month
        result.matched.append({"id_number": mask(death.id_number), "name": death.name,
                               "death_date": death.died.isoformat(), "from": str(target)})
        reason = f"death (死亡) on {death.died}"
        for cid in payee_of:
            case = households.case(cid)
            assert case is not None
            record = case.record
            if record.exit_month is not None and record.exit_month <= max(target,
                                                                          record.start_month):
                continue
            exits.append((cid, target, reason))
            result.cases_ended.append({"case_id": cid.hex, "programme": record.programme,
                                       "from": str(max(target, record.start_month))})
        for ms in {ms.case.id: ms for ms in memberships}.values():
            record = ms.case.record
            if ms.case.id in payee_of or (record.exit_month is not None
                                          and record.exit_month <= target):
                continue  # the household ends with its applicant, or has ended already
            # Recorded as a member only from after the death (a list entered late): they
            # leave from that start, as a payee's case ends at its start, so never counted.
            when = max(target, ms.spell.start)
            if key not in {m.person_key for m in members_in_force(record.members, when)}:
                continue
            households.remove(death.id_number, when, "death", by)
            result.members_removed.append({"case_id": ms.case.id.hex,
                                           "id_number": mask(death.id_number),
                                           "from": str(when)})
    households.save()
    for cid, target, reason in exits:
        exit_case(rt.app, cid, target, reason, by)
    if exits:
        rt.read_model.catch_up()
    return result
