"""The daily lifecycle sweep records what time alone changes, once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services.case_changes import update_case
from ledger.services.enrolment import import_roster
from ledger.services.lifecycle import sweep
from ledger.services.runtime import Runtime
from tests import county


def _events(rt: Runtime) -> int:
    return rt.app.recorder.max_notification_id() or 0


def test_sweep_exits_children_at_18_notes_age_bands_and_finished_graduations_once(
        rt: Runtime, tmp_path: Path) -> None:
    county.set_standards(rt.app)
    rt.app.set_policy("graduation.months", "2", date(2024, 1, 1), "clerk")
    rows = [
        county.row(1, "orphan", birth=date(2006, 5, 10)),      # 18 in 2024-05: exits from 2024-06
        county.row(2, "elderly", birth=date(1944, 3, 15)),     # 80 in 2024-03: band 80-89 from 2024-04
        county.row(3, "dibao"),
    ]
    assert not import_roster(rt, county.write(tmp_path / "r.csv", rows), county.TODAY,
                             "clerk").problems
    dibao = ids.case_id(county.person(3), "dibao")
    # income 500.00 ≥ 443.00 from 2024-02: graduation Feb–Mar, exits by itself from 2024-04
    update_case(rt.app, dibao, Month(2024, 2), "clerk", income_per_capita=50000)

    before = sweep(rt, date(2024, 3, 31), "scheduler")
    assert before.recorded == 0

    result = sweep(rt, date(2024, 6, 1), "scheduler")
    assert (result.age_limits, result.bands, result.graduations) == (1, 1, 1)
    orphan = rt.app.case(ids.case_id(county.person(1, date(2006, 5, 10)), "orphan")).record
    assert orphan.exit_month == Month(2024, 6)
    elderly = rt.app.case(ids.case_id(county.person(2, date(1944, 3, 15)), "elderly")).record
    assert elderly.bands == ["2024-04 80-89"]
    # A graduation that ran its course is noted, not recorded as an exit: it is derived from
    # the facts, and a fact recorded later that cancels it must still count.
    household = rt.app.case(dibao).record
    assert household.exit_month is None
    assert household.bands == ["2024-04 graduation (渐退) from 2024-02 completed: exited by itself"]

    count = _events(rt)
    again = sweep(rt, date(2024, 7, 1), "scheduler")
    assert again.recorded == 0
    assert _events(rt) == count
