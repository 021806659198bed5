"""The read model's changed position, on both backends: events that change no row (a sign-in)
move the position but not the changed position, so the console's views computed from the
tables are kept across them; a change of a row moves both.

Console county (tests/console_county.py): five dibao households, January approved, February
drafted; person 1 a rural household in 城关镇.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services.case_changes import update_case
from ledger.services.runtime import Runtime
from projections.rebuild import rebuild
from projections.tracking import changed_position, read_position
from tests import console_county as cc
from tests import county


def _positions(rt: Runtime) -> tuple[int, int]:
    with rt.engine.connect() as conn:
        return read_position(conn, rt.read_model.NAME), changed_position(conn, rt.read_model.NAME)


def _counts_keys(web: Any) -> set[Any]:
    views = web.app.state.console.views
    return {key for key in views if key[0] == "counts"}


def test_a_sign_in_keeps_the_dashboards_counts_and_a_change_of_a_case_renews_them(
        rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    web = cc.client(c)
    cc.sign_in(web, "clerk")
    rt.read_model.catch_up()
    position, changed = _positions(rt)
    assert changed <= position
    assert web.get("/").status_code == 200
    assert len(_counts_keys(web)) == 1

    other = cc.client(c)
    cc.sign_in(other, "auditor")  # recorded (Account.SignedIn), projected into no table
    rt.read_model.catch_up()
    after_sign_in = _positions(rt)
    assert after_sign_in[0] > position and after_sign_in[1] == changed
    web.get("/")
    assert len(_counts_keys(web)) == 1  # the same view, not computed again

    update_case(rt.app, ids.case_id(county.person(1), "dibao"), Month(2024, 2), "clerk",
                income_per_capita=10000)
    rt.read_model.catch_up()
    position, changed = _positions(rt)
    assert changed == position > after_sign_in[0]
    web.get("/")
    assert len(_counts_keys(web)) == 2  # computed again for the changed rows


def test_a_rebuild_ends_at_the_same_changed_position_as_the_incremental_read_model(
        rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    cc.sign_in(cc.client(c), "auditor")  # the log ends with events that change no row
    rt.read_model.catch_up()
    before = _positions(rt)
    assert before[1] < before[0]
    rebuild(rt.read_model, workers=2, page_size=3)
    assert _positions(rt) == before
