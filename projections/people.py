"""How many people a payment line is for (保障人数), and the case records to tell it.

A dibao line (and a price subsidy paid to a dibao household) is for the household's
size in the month it pays for; every other line is for one person. One rule for the
roster and the monthly statistics, so their 人数 agree.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord
from projections import schema

CHUNK = 500


def chunks(items: Iterable[str], size: int = CHUNK) -> Iterable[list[str]]:
    ordered = sorted(items)
    for i in range(0, len(ordered), size):
        yield ordered[i:i + size]


def case_records(conn: Connection, case_ids: Iterable[str]) -> dict[str, CaseRecord]:
    """The read model's records of these cases (ids that are not cases, e.g. reliefs, skipped)."""
    c = schema.cases.c
    out: dict[str, CaseRecord] = {}
    for part in chunks(set(case_ids)):
        for case_id, record in conn.execute(select(c.case_id, c.record).where(c.case_id.in_(part))):
            out[case_id] = CaseRecord.from_json(record)
    return out


def people_for(record: CaseRecord | None, month: Month) -> int:
    """保障人数 of a line paying for ``month``: the dibao household's size then, else 1."""
    if record is not None and record.programme == "dibao":
        return record.facts_for(month).household_size or 0
    return 1
