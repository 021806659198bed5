"""A rebuild read ahead by worker processes gives exactly the rows a plain rebuild gives.

Both backends, with and without a key. Small pages, so the log is read in many ranges by
two workers and applied out of the order they finish in. With a key, a forged event in
the log stops the rebuild at its range: nothing of that range is applied, and the
forgery is named, as the plain catch-up names it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from ledger.adapters.event_authentication import EventAuthenticationError
from ledger.cli.main import main
from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services.batches import approve_batch
from ledger.services.case_changes import correct_payee_name, update_case
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from projections import schema
from projections.rebuild import rebuild
from tests import county
from tests.databases import dump_read_model
from tests.integration.test_event_authentication import projected, replay_a_payment


@pytest.fixture(params=["rt", "keyed"], ids=["plain", "keyed"])
def ledger(request: pytest.FixtureRequest, ledger_url: str) -> Runtime:
    """A fresh ledger without and with a key (events encrypted and authenticated), on each
    backend (``ledger_url`` is named here so that its backends parametrize this fixture)."""
    runtime: Runtime = request.getfixturevalue(request.param)
    return runtime


def _county(rt: Runtime, tmp_path: Path) -> None:
    """Enrolments, two months' payrolls (one approved) and a change of facts between them."""
    county.set_standards(rt.app)
    rows = [county.row(i, programme) for i, programme in
            enumerate(["dibao", "tekun", "dibao", "disability_living", "dibao"], start=1)]
    rows.append(county.row(6, "orphan", birth=date(2012, 5, 5)))
    assert not import_roster(rt, county.write(tmp_path / "r.csv", rows), county.TODAY,
                             "clerk").problems
    jan = run_payroll(rt, Month(2024, 1), "clerk", workers=1)
    approve_batch(rt, jan.id, "chief")
    dibao = ids.case_id(rt.app.person_key(county.person(1)), "dibao")
    update_case(rt.app, dibao, Month(2024, 2), "clerk", income_per_capita=50000)
    rt.read_model.catch_up()
    run_payroll(rt, Month(2024, 2), "clerk", workers=1)


def test_a_rebuild_read_ahead_by_two_workers_equals_the_incremental_read_model(
        ledger: Runtime, tmp_path: Path) -> None:
    _county(ledger, tmp_path)
    before = dump_read_model(ledger)
    assert before["rm_payments"] and before["rm_cases"] and before["rm_journal"]
    last = ledger.app.recorder.max_notification_id()
    assert last is not None and last > 12  # more ranges than workers, of 3 events each
    assert rebuild(ledger.read_model, workers=2, page_size=3) == last
    assert dump_read_model(ledger) == before


def test_the_rebuild_command_reads_ahead_with_the_workers_it_is_given(
        ledger: Runtime, tmp_path: Path) -> None:
    _county(ledger, tmp_path)
    before = dump_read_model(ledger)
    result = CliRunner().invoke(main, ["projections", "rebuild", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert f"rebuilt up to event {ledger.app.recorder.max_notification_id()}" in result.output
    assert dump_read_model(ledger) == before
    refused = CliRunner().invoke(main, ["projections", "rebuild", "--workers", "0"])
    assert refused.exit_code == 2 and "--workers" in refused.output


def test_a_forged_event_stops_a_read_ahead_rebuild_at_its_range(
        keyed: Runtime, tmp_path: Path) -> None:
    _county(keyed, tmp_path)
    forged = replay_a_payment(keyed)
    with pytest.raises(EventAuthenticationError, match=f"aggregate {forged.hex}"):
        rebuild(keyed.read_model, workers=2, page_size=3)
    assert not projected(keyed, forged)
    # Every range before the forged event's was applied, none from its range on: ranges
    # are (0, 3], (3, 6], … and the position is the last event applied.
    positions = [n.id for n in keyed.app.recorder.select_notifications(0, 10**6)]
    range_start = (positions[-1] - 1) // 3 * 3
    assert keyed.read_model.position() == max(p for p in positions if p <= range_start)


def test_a_postgresql_rebuild_leaves_a_snapshot_its_rows_and_vacuums_what_it_deleted(
        rt: Runtime, tmp_path: Path) -> None:
    """A payroll reads its cases in a REPEATABLE READ snapshot that starts with the read
    model's position: a rebuild meanwhile must not show it that position over empty tables
    (which a TRUNCATE would: it is not MVCC-safe). The deleted rows are then vacuumed."""
    if rt.settings.backend != "postgresql":
        pytest.skip("snapshots that outlive a rebuild and VACUUM are PostgreSQL's")
    _county(rt, tmp_path)
    before = dump_read_model(rt)
    with rt.engine.connect() as reader:
        reader = reader.execution_options(isolation_level="REPEATABLE READ")
        position = reader.exec_driver_sql(
            "SELECT position FROM rm_tracking WHERE name = 'read_model'").scalar_one()
        rebuild(rt.read_model, workers=2, page_size=3)
        assert reader.exec_driver_sql("SELECT count(*) FROM rm_cases").scalar_one() == len(
            before["rm_cases"])  # still the state at that position, not empty tables
        assert position == rt.read_model.position()
        reader.rollback()
    assert dump_read_model(rt) == before
    with rt.engine.connect() as conn:
        vacuumed = conn.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_user_tables WHERE last_vacuum IS NOT NULL "
            "AND relname IN ('rm_payments', 'rm_cases', 'rm_journal')").scalar_one()
    assert vacuumed == 3
    # With no snapshot open, a rebuild's vacuum frees the rows it deleted before it writes
    # the same rows again: rebuild after rebuild, the tables keep their size.
    pages = []
    for _ in range(4):
        rebuild(rt.read_model, workers=2, page_size=3)
        with rt.engine.connect() as conn:
            pages.append(conn.exec_driver_sql(
                "SELECT pg_relation_size('rm_payments') + pg_relation_size('rm_cases')"
            ).scalar_one())
    assert pages[1] == pages[2] == pages[3], pages


def test_a_corrected_payee_name_is_sealed_in_the_read_model_and_rebuilt_the_same(
        keyed: Runtime, tmp_path: Path) -> None:
    """With a key, the corrected name (rm_cases.name, a sealed column) is stored sealed, read
    back as written, and a rebuild read ahead makes the same rows."""
    _county(keyed, tmp_path)
    person = county.person(3)
    [case_id] = correct_payee_name(keyed, person, "王五", "户名不符", "clerk")
    c = schema.cases.c
    with keyed.engine.connect() as conn:
        assert conn.execute(select(c.name).where(c.case_id == case_id.hex)).scalar_one() == "王五"
        raw = conn.exec_driver_sql(
            f"SELECT name FROM rm_cases WHERE case_id = '{case_id.hex}'").scalar_one()
    assert "王五" not in str(raw)  # sealed on disk
    before = dump_read_model(keyed)
    rebuild(keyed.read_model, workers=2, page_size=3)
    assert dump_read_model(keyed) == before
