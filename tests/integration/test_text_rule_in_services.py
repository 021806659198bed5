"""The text-field rule holds in the services every front end calls (the command line and
the console), not only in the command line's option types: refused, nothing recorded."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services.case_changes import exit_case, update_case
from ledger.services.enrolment import import_roster
from ledger.services.runtime import Runtime
from ledger.services.temporary_relief import NewPerson, grant_relief
from tests import county


def _events(rt: Runtime) -> int:
    return rt.app.recorder.max_notification_id() or 0


@pytest.fixture
def one_case(rt: Runtime, tmp_path: Path) -> Runtime:
    county.set_standards(rt.app)
    assert not import_roster(rt, county.write(tmp_path / "r.csv", [county.row(1, "dibao")]),
                             county.TODAY, "clerk").problems
    return rt


CASE = ids.case_id(county.person(1), "dibao")


def test_an_exit_reason_with_a_newline_is_refused(one_case: Runtime) -> None:
    before = _events(one_case)
    with pytest.raises(ValueError, match="^reason: "):
        exit_case(one_case.app, CASE, Month(2024, 3), "迁出\n=1+1", "clerk")
    assert _events(one_case) == before


def test_a_bank_name_starting_like_a_formula_is_refused(one_case: Runtime) -> None:
    before = _events(one_case)
    with pytest.raises(ValueError, match="^bank name: "):
        update_case(one_case.app, CASE, Month(2024, 3), "clerk",
                    bank_account=county.card(9), bank_name="=HYPERLINK(\"x\")")
    assert _events(one_case) == before


def test_a_relief_for_someone_new_with_a_nul_in_the_name_is_refused(one_case: Runtime) -> None:
    before = _events(one_case)
    person = NewPerson("张\x00三", "rural", "城关镇", "东村", county.card(7), "农村信用社")
    with pytest.raises(ValueError, match="^name: "):
        grant_relief(one_case, county.person(7), 2, "火灾", date(2024, 3, 1), "clerk", person)
    assert _events(one_case) == before


def test_a_standard_reference_with_a_control_character_is_refused(one_case: Runtime) -> None:
    before = _events(one_case)
    with pytest.raises(ValueError, match="^reference: "):
        one_case.app.set_standard("dibao", "rural", 500_00, "month", date(2024, 6, 1),
                                  "县民政发\r〔2024〕9号", False, "admin")
    assert _events(one_case) == before
