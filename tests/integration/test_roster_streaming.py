"""The two-pass roster import, on both backends: validated in one streamed pass, enrolled in
chunks in a second, and still all-or-nothing (SPEC "Roster import").

Chunks of 3 rows make a 7-row file span three chunks, so a problem in the last chunk
must stop the rows of the first two from being recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from ledger.services import enrolment
from ledger.services.enrolment import import_roster
from ledger.services.runtime import Runtime
from projections import schema
from tests import county

PROGRAMMES = ["dibao", "tekun", "elderly", "dibao", "disability_living", "dibao", "tekun"]


def _rows() -> list[dict[str, Any]]:
    from datetime import date
    return [county.row(i + 1, p, **({"birth": date(1950, 1, 1)} if p == "elderly" else {}))
            for i, p in enumerate(PROGRAMMES)]


def _recorded(rt: Runtime) -> tuple[int, int]:
    """(events in the log, cases in the read model)."""
    rt.read_model.catch_up()
    with rt.engine.connect() as conn:
        cases = conn.execute(select(func.count()).select_from(schema.cases)).scalar_one()
    return rt.app.recorder.max_notification_id() or 0, cases


def test_a_roster_spanning_several_chunks_is_enrolled_once(rt: Runtime, tmp_path: Path) -> None:
    county.set_standards(rt.app)
    path = county.write(tmp_path / "r.csv", _rows())
    result = import_roster(rt, path, county.TODAY, "clerk", chunk=3)
    assert (result.rows, result.enrolled, result.already, result.problems) == (7, 7, 0, [])
    events, cases = _recorded(rt)
    assert cases == 7
    again = import_roster(rt, path, county.TODAY, "clerk", chunk=3)
    assert (again.rows, again.enrolled, again.already) == (7, 0, 7)
    assert _recorded(rt) == (events, 7)


def test_a_bad_row_in_the_last_chunk_records_nothing(rt: Runtime, tmp_path: Path) -> None:
    county.set_standards(rt.app)
    rows = _rows()
    rows[6]["start_month"] = "2024-13"  # file row 8: header is row 1
    before = _recorded(rt)
    result = import_roster(rt, county.write(tmp_path / "r.csv", rows), county.TODAY, "clerk",
                           chunk=3)
    assert [(p.row, p.column) for p in result.problems] == [(8, "起始月份")]
    assert "2024-13" in result.problems[0].problem
    assert result.enrolled == 0 and _recorded(rt) == before


def test_a_duplicate_across_chunks_is_named_with_its_first_row(rt: Runtime,
                                                                tmp_path: Path) -> None:
    county.set_standards(rt.app)
    rows = _rows()
    rows[5] = county.row(1, "dibao")  # file row 7 repeats file row 2 (person 1 in dibao)
    before = _recorded(rt)
    result = import_roster(rt, county.write(tmp_path / "r.csv", rows), county.TODAY, "clerk",
                           chunk=3)
    assert [(p.row, p.column, p.problem) for p in result.problems] == [
        (7, "身份证号", "duplicate: same person and programme as row 2")]
    assert _recorded(rt) == before


def test_dibao_and_tekun_in_one_file_is_refused_across_chunks(rt: Runtime,
                                                              tmp_path: Path) -> None:
    county.set_standards(rt.app)
    rows = _rows()
    rows[6] = county.row(1, "tekun")  # person 1 is in dibao on file row 2
    before = _recorded(rt)
    result = import_roster(rt, county.write(tmp_path / "r.csv", rows), county.TODAY, "clerk",
                           chunk=3)
    assert result.problems == []
    assert [(p.row, p.refused) for p in result.refusals] == [(8, True)]
    assert "dibao on row 2" in result.refusals[0].problem
    assert _recorded(rt) == before


def test_a_refusal_by_the_ledger_in_a_later_chunk_records_nothing(rt: Runtime,
                                                                  tmp_path: Path) -> None:
    county.set_standards(rt.app)
    assert import_roster(rt, county.write(tmp_path / "t.csv", [county.row(7, "dibao")]),
                         county.TODAY, "clerk").enrolled == 1
    before = _recorded(rt)
    # person 7 is tekun on file row 8 of the second file, already in dibao in the ledger
    result = import_roster(rt, county.write(tmp_path / "r.csv", _rows()), county.TODAY,
                           "clerk", chunk=3)
    assert [p.row for p in result.refusals] == [8]
    assert county.person(7) not in result.refusals[0].problem  # masked
    assert result.enrolled == 0 and _recorded(rt) == before


def test_a_file_changed_between_the_passes_records_nothing(rt: Runtime, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    county.set_standards(rt.app)
    path = county.write(tmp_path / "r.csv", _rows())
    digests = iter(["before", "after"])
    monkeypatch.setattr(enrolment, "file_digest", lambda _: next(digests))
    before = _recorded(rt)
    result = import_roster(rt, path, county.TODAY, "clerk", chunk=3)
    assert [(p.row, p.column) for p in result.problems] == [(1, "file")]
    assert "changed while it was being imported" in result.problems[0].problem
    assert _recorded(rt) == before
