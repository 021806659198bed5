"""Who is already counted for a month's price subsidy: read for a part of cases at a time.

The rule is the domain's (``price_linkage.counted_months``); this module finds, for the
tekun and orphan cases of one part, their person's dibao households (``rm_members``) and
tekun case, in three queries a part, from the connection the caller reads its cases from
(the payroll's snapshot), so the price batch and the payroll's corrections count a person
once by the same facts.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord
from ledger.domain.policy import PolicyBook
from ledger.domain.price_linkage import counted_months
from ledger.domain.programmes import CaseEntitlement
from ledger.domain.standards import StandardBook
from projections import schema


def counted_elsewhere(conn: Connection, case_ids: Iterable[str], months: list[Month],
                      standards: StandardBook, policy: PolicyBook) -> dict[str, frozenset[Month]]:
    """For each tekun or orphan case among ``case_ids``: the months of ``months`` its person is
    counted by another case (only cases with such months are listed)."""
    c, m = schema.cases.c, schema.members.c
    wanted = list(case_ids)
    if not wanted or not months:
        return {}
    single = conn.execute(select(c.case_id, c.person_key, c.programme).where(
        c.case_id.in_(wanted), c.programme.in_(("tekun", "orphan")))).all()
    if not single:
        return {}
    people = {person_key for _, person_key, _ in single}
    households: dict[str, set[str]] = {}
    for household_id, person_key in conn.execute(
            select(m.case_id, m.person_key).where(m.person_key.in_(people)).distinct()):
        households.setdefault(person_key, set()).add(household_id)
    records: dict[str, tuple[str, str]] = {}  # case id -> (programme, record JSON)
    tekun_by_person: dict[str, str] = {}
    household_ids = {h for found in households.values() for h in found}
    for case_id, programme, person_key, record in conn.execute(
            select(c.case_id, c.programme, c.person_key, c.record).where(
                c.case_id.in_(household_ids) | (c.person_key.in_(people)
                                               & (c.programme == "tekun")))):
        records[case_id] = (programme, record)
        if programme == "tekun":
            tekun_by_person[person_key] = case_id

    def entitled(case_id: str) -> CaseEntitlement:
        return CaseEntitlement(CaseRecord.from_json(records[case_id][1]), standards, policy)

    out: dict[str, frozenset[Month]] = {}
    for case_id, person_key, programme in single:
        homes = [entitled(h) for h in sorted(households.get(person_key, ()))
                 if h in records and records[h][0] == "dibao"]
        tekun_case = tekun_by_person.get(person_key) if programme == "orphan" else None
        found = counted_months(programme, person_key, months, homes,
                               entitled(tekun_case) if tekun_case else None)
        if found:
            out[case_id] = found
    return out
