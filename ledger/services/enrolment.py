"""Roster import: validate a whole file, then enrol every new case, in two streamed passes.

All-or-nothing: the file is checked first (every bad row reported with file,
row and column); only when nothing is wrong are the cases recorded. Pass 1 streams
the file once, validating each row (keeping only digests for duplicate detection,
``ledger.adapters.roster_duplicates``) and checking each chunk of valid rows against
the ledger for refusals (already in the other of dibao/tekun); pass 2, only when
pass 1 found nothing wrong, reads the file again and enrols it chunk by chunk. So
memory holds one chunk of rows, not the file: a province roster of a million rows
imports in flat memory. The file's SHA-256 is compared before pass 2, so a file
changed in between is refused rather than half-imported.

Each chunk of :data:`CHUNK` cases is saved in one transaction: one save of a whole
province's roster would hold the event table's lock for minutes, and on PostgreSQL a
single pipeline of 100,000 inserts stalled (client and server each waiting for the
other). Case ids are derived from the person and programme, so importing the same
file again finds every case already there and records nothing; an import killed
half-way is finished by importing the file again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path

from sqlalchemy import select

from ledger.adapters.problems import Problem
from ledger.adapters.roster import RosterRow, RosterScan, file_digest
from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.domain.case import Case
from ledger.domain.identity import birth_date_of, mask
from ledger.services.members import dibao_memberships
from ledger.services.runtime import Runtime
from projections import schema

EXCLUSIVE = {"dibao": "tekun", "tekun": "dibao"}
CHUNK = 2000


@dataclass
class ImportResult:
    rows: int = 0
    enrolled: int = 0
    already: int = 0
    problems: list[Problem] = field(default_factory=list)
    """Bad input in the file (exit 2)."""
    refusals: list[Problem] = field(default_factory=list)
    """Good rows the ledger's rules refuse, e.g. a person already in tekun (exit 1)."""


def _chunks(rows: Iterator[RosterRow], size: int) -> Iterator[list[RosterRow]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def import_roster(rt: Runtime, path: Path, today: date, by: str, dry_run: bool = False,
                  chunk: int = CHUNK) -> ImportResult:
    rt.read_model.catch_up()
    digest = file_digest(path) if path.is_file() else ""
    # Pass 1: validate, and check the rules against the ledger, a chunk at a time.
    scan = RosterScan(path, today)
    result = ImportResult()
    to_enrol = 0
    for rows in _chunks(iter(scan), chunk):
        to_enrol += len(_new_rows(rt, path, rows, result))
    result.rows = scan.rows
    # dibao and tekun for one person in one file is the same rule as across two imports.
    result.problems = [p for p in scan.problems if not p.refused]
    result.refusals = [p for p in scan.problems if p.refused] + (
        [] if scan.unreadable else result.refusals)
    if scan.unreadable:
        result.rows = 0
    if result.problems or result.refusals or dry_run or not to_enrol:
        return result
    # Pass 2: the same file again (unchanged), enrolled chunk by chunk. Cases are built a
    # chunk at a time: a province roster's aggregates, each with its pending event, would
    # otherwise all be in memory at once.
    if file_digest(path) != digest:
        result.problems = [Problem(str(path), 1, "file", "changed while it was being "
                                         "imported: nothing was recorded; import it again")]
        return result
    again = RosterScan(path, today)
    for rows in _chunks(iter(again), chunk):
        new = _new_rows(rt, path, rows, ImportResult())
        if new:
            rt.app.save(*(_case_from_row(rt, row, key, by) for row, key in new))
            result.enrolled += len(new)
    if result.enrolled:
        rt.read_model.catch_up()
    return result


def _new_rows(rt: Runtime, path: Path, rows: list[RosterRow],
              result: ImportResult) -> list[tuple[RosterRow, str]]:
    """The rows of one chunk to enrol, with their person keys; others counted or refused."""
    keys = {row.row: rt.app.person_key(row.id_number) for row in rows}
    existing = _existing_cases(rt, sorted(set(keys.values())))
    members = dibao_memberships(rt, sorted({keys[r.row] for r in rows if r.programme == "tekun"}))
    new_rows: list[tuple[RosterRow, str]] = []
    for row in rows:
        key = keys[row.row]
        if (key, row.programme) in existing:
            ended = existing[(key, row.programme)][1]
            if ended is not None and row.start_month >= ended:
                # Not the same row again: a re-admission after the case ended. Counting it as
                # "already on the ledger" would leave the person unpaid without a word.
                result.refusals.append(Problem(
                    str(path), row.row, "start_month",
                    f"{mask(row.id_number)}'s {row.programme} case ended from {ended}; this row "
                    f"re-admits them from {row.start_month}, which the ledger does not record "
                    "(one case per person and programme): nothing was recorded"))
                continue
            result.already += 1
            continue
        member_of = [(s, e) for s, e in members.get(key, []) if row.programme == "tekun"
                     and (e is None or e > row.start_month)]
        if member_of:
            result.refusals.append(Problem(
                str(path), row.row, "id_number",
                f"{mask(row.id_number)} is a dibao household member from {member_of[0][0]} "
                f"(this row starts {row.start_month}); a person cannot be in dibao and tekun "
                "at the same time"))
            continue
        other = EXCLUSIVE.get(row.programme)
        period = existing.get((key, other)) if other else None
        # The other case overlaps unless it exits by the month this one starts.
        if period is not None and (period[1] is None or row.start_month < period[1]):
            result.refusals.append(Problem(
                str(path), row.row, "id_number",
                f"{mask(row.id_number)} is already in {other}"
                + (f" until {period[1]}" if period[1] else "")
                + f" (this row starts {row.start_month}); a person cannot be in dibao and "
                "tekun at the same time",
            ))
            continue
        new_rows.append((row, key))
    return new_rows


def _existing_cases(rt: Runtime, keys: list[str]
                    ) -> dict[tuple[str, str], tuple[Month, Month | None]]:
    """(person key, programme) -> (start month, exit month or None), for these people."""
    found: dict[tuple[str, str], tuple[Month, Month | None]] = {}
    c = schema.cases.c
    with rt.engine.connect() as conn:
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            for key, programme, start, exit_month in conn.execute(
                select(c.person_key, c.programme, c.start_month, c.exit_month)
                .where(c.person_key.in_(chunk))
            ):
                found[(key, programme)] = (Month.parse(start),
                                           Month.parse(exit_month) if exit_month else None)
    return found


def _case_from_row(rt: Runtime, row: RosterRow, key: str, by: str) -> Case:
    return Case.enrol(
        ids.case_id(key, row.programme),
        by=by, programme=row.programme, name=row.name, id_number=row.id_number,
        person_key=key, birth_date=birth_date_of(row.id_number), town=row.town,
        village=row.village, area=row.area, household_size=row.household_size,
        income_per_capita=row.income_per_capita, disability_grade=row.disability_grade,
        care_level=row.care_level, registered_poor=row.registered_poor,
        bank_name=row.bank_name, bank_account=row.bank_account, start_month=row.start_month,
    )
