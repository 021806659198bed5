"""`ledger members import FILE`: a household members list, all or nothing.

Same rules as the roster (SPEC): every bad row reported as ``FILE:ROW: column: problem``
(exit 2); good rows the person rules refuse are reported too (exit 1); nothing is
recorded unless there is nothing to report; importing the same file twice records
nothing new (a member already recorded from the same month is counted, not added).

An account limited to towns imports a list of its towns' households: a row whose applicant's
household is registered elsewhere is refused (exit 1), and so, all or nothing, is the file.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ledger.adapters.people_file import PeopleTable, read_people
from ledger.adapters.problems import Problem
from ledger.domain.calendar import Month
from ledger.domain.errors import LedgerRefusal
from ledger.domain.household import RELATIONS, before_birth
from ledger.services.members import Households
from ledger.services.runtime import Runtime

COLUMNS: dict[str, str] = {
    "applicant_id_number": "申请人身份证号",
    "id_number": "身份证号",
    "name": "姓名",
    "relation": "与申请人关系",
    "from_month": "纳入月份",
}
"""English key -> Chinese header."""
_ALIASES = {**{k: k for k in COLUMNS}, **{zh: k for k, zh in COLUMNS.items()},
            "身份证号码": "id_number", "关系": "relation"}
_RELATIONS = {**{k: k for k in RELATIONS}, **{zh: k for k, zh in RELATIONS.items()}}


@dataclass(frozen=True)
class MemberRow:
    row: int
    applicant: str
    id_number: str
    name: str
    relation: str
    from_month: Month


@dataclass
class MembersImport:
    rows: int = 0
    added: int = 0
    already: int = 0
    problems: list[Problem] = field(default_factory=list)
    """Bad input (exit 2)."""
    refusals: list[Problem] = field(default_factory=list)
    """Good rows a person rule refuses (exit 1)."""


def read_members(path: Path, today: date) -> tuple[list[MemberRow], list[Problem]]:
    """Every valid row, and every problem; a person listed twice is a problem."""
    table = PeopleTable(str(path))
    rows: list[MemberRow] = []
    seen: dict[str, int] = {}
    for number, cells in read_people(str(path), _ALIASES, tuple(COLUMNS), table):
        before = len(table.problems) + table.unlisted
        applicant = table.id_number(number, cells, "applicant_id_number", today)
        person = table.id_number(number, cells, "id_number", today)
        name = table.free_text(number, cells, "name")
        relation_text = table.text(number, cells, "relation")
        relation = None
        if relation_text is not None:
            relation = _RELATIONS.get(unicodedata.normalize("NFKC", relation_text).lower())
            if relation is None:
                table.report(number, "relation", "one of " + ", ".join(_RELATIONS))
        from_month = table.month(number, cells, "from_month")
        if person is not None:
            if person in seen:
                table.report(number, "id_number", f"duplicate: the same person as row "
                                                  f"{seen[person]}")
            seen.setdefault(person, number)
        if applicant and person and relation and (relation == "self") != (applicant == person):
            table.report(number, "relation", "self (本人) is the applicant, and only the applicant")
        if person and from_month and (problem := before_birth(person, from_month)):
            table.report(number, "from_month", problem)
        if len(table.problems) + table.unlisted == before:
            assert applicant and person and name and relation and from_month
            rows.append(MemberRow(number, applicant, person, name, relation, from_month))
    return rows, table.finish()


def import_members(rt: Runtime, path: Path, today: date, by: str,
                   dry_run: bool = False, towns: frozenset[str] | None = None) -> MembersImport:
    """Record the list's members, or nothing; ``towns``: the importing account's, if limited."""
    rows, problems = read_members(path, today)
    result = MembersImport(rows=len(rows), problems=problems)
    households = Households(rt, towns)
    for row in rows:
        key = "applicant_id_number"
        try:
            household = households.household_of(row.applicant)
            key = "id_number"
            if households.add(household, row.id_number, row.name, row.relation,
                              row.from_month, by):
                result.added += 1
            else:
                result.already += 1
        except LedgerRefusal as e:
            result.refusals.append(Problem(str(path), row.row, key, str(e), True))
        except ValueError as e:
            result.problems.append(Problem(str(path), row.row, key, str(e)))
    if result.problems or result.refusals or dry_run:
        return result
    households.save()
    return result

