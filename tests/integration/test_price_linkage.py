"""Price linkage: the pure rule, the job on both backends, and the scheduler itself.

Expected amounts are worked out by hand from tests/county.py: rural dibao
5316 yuan/year = 443.00 a month, urban dibao 600.00 a month.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from jobs.runner import run_job
from jobs.scheduler import add_ledger_jobs, make_scheduler
from ledger.cli.main import main
from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.domain.price_linkage import Decision, decide, subsidy_per_person
from ledger.services.case_changes import exit_case, update_case
from ledger.services.enrolment import import_roster
from ledger.services.price_subsidy_run import run_price_linkage
from ledger.services.runtime import Runtime
from projections import schema
from tests import county

D = Decimal
CPI_T, FOOD_T = D("3.5"), D("6.0")


# --- the pure rule -------------------------------------------------------------------------
def test_cpi_at_its_threshold_triggers_with_the_cpi_rise() -> None:
    assert decide(D("3.5"), D("2.0"), CPI_T, FOOD_T) == Decision(True, D("3.5"), "cpi")


def test_food_triggers_alone_with_the_food_rise() -> None:
    assert decide(D("3.4"), D("6.5"), CPI_T, FOOD_T) == Decision(True, D("6.5"), "food")


def test_a_higher_but_non_triggering_rise_is_not_used() -> None:
    # food threshold 2.0: food 2.5 triggers, CPI 3.4 is below 3.5 so its higher rise does not count
    assert decide(D("3.4"), D("2.5"), CPI_T, D("2.0")) == Decision(True, D("2.5"), "food")


def test_both_trigger_and_the_higher_rise_is_used() -> None:
    assert decide(D("4.2"), D("7.1"), CPI_T, FOOD_T) == Decision(True, D("7.1"), "both")
    assert decide(D("4.5"), D("3.0"), CPI_T, D("2.0")) == Decision(True, D("4.5"), "both")


def test_below_both_thresholds_is_suspended() -> None:
    assert decide(D("3.4"), D("5.9"), CPI_T, FOOD_T) == Decision(False, None, None)


def test_rural_subsidy_rounds_half_up_to_whole_yuan() -> None:
    assert subsidy_per_person(44300, D("4.0"), 0) == 1800   # 443 × 4.0% = 17.72 → 18
    assert subsidy_per_person(44300, D("3.5"), 0) == 1600   # 443 × 3.5% = 15.505 → 16
    assert subsidy_per_person(44300, D("3.3"), 0) == 1500   # 443 × 3.3% = 14.619 → 15
    assert subsidy_per_person(44300, D("3.1"), 0) == 1400   # 443 × 3.1% = 13.733 → 14


def test_urban_subsidy_and_an_exact_half_rounds_up() -> None:
    assert subsidy_per_person(60000, D("4.0"), 0) == 2400   # 600 × 4.0% = 24.00
    assert subsidy_per_person(60000, D("6.1"), 0) == 3700   # 600 × 6.1% = 36.6 → 37
    assert subsidy_per_person(50000, D("4.5"), 0) == 2300   # 500 × 4.5% = 22.5 → 23, not 22


def test_floor_applies_only_when_above_the_computed_subsidy() -> None:
    assert subsidy_per_person(44300, D("0.1"), 500) == 500  # 0.443 → 0 yuan, floor 5.00
    assert subsidy_per_person(44300, D("4.0"), 1000) == 1800  # 18 yuan is above the floor 10


# --- the job on both backends ---------------------------------------------------------------
JUNE = Month(2024, 6)
ORPHAN_BIRTH = date(2015, 3, 1)


def _county(rt: Runtime, tmp_path: Path) -> dict[str, str]:
    county.set_standards(rt.app)
    rows = [
        county.row(1, "dibao"),                                          # rural, 3 people
        county.row(2, "dibao", area="urban", household_size=2),          # urban, 2 people
        county.row(3, "tekun"),                                          # rural, 1
        county.row(4, "orphan", birth=ORPHAN_BIRTH),                     # rural, 1
        county.row(5, "elderly", birth=date(1940, 1, 1)),                # not covered
        county.row(6, "dibao", start_month="2024-07"),                   # not yet in payment
    ]
    result = import_roster(rt, county.write(tmp_path / "roster.csv", rows), county.TODAY, "clerk")
    assert not result.problems, result.problems
    assert result.enrolled == 6
    return {
        "dibao_rural": ids.case_id(county.person(1), "dibao").hex,
        "dibao_urban": ids.case_id(county.person(2), "dibao").hex,
        "tekun": ids.case_id(county.person(3), "tekun").hex,
        "orphan": ids.case_id(county.person(4, ORPHAN_BIRTH), "orphan").hex,
    }


def _lines(rt: Runtime, batch_id: str) -> dict[str, tuple[str, str, str, int]]:
    p = schema.payments.c
    with rt.engine.connect() as conn:
        rows = conn.execute(select(p.case_id, p.programme, p.kind, p.for_month, p.amount)
                            .where(p.batch_id == batch_id, p.own_status != "withdrawn"))
        return {r[0]: (r[1], r[2], r[3], int(r[4])) for r in rows}


def test_triggered_month_pays_each_covered_person_once(rt: Runtime, tmp_path: Path) -> None:
    cases = _county(rt, tmp_path)
    rt.app.record_cpi(JUNE, D("4.0"), D("3.0"), "stats")  # CPI 4.0 ≥ 3.5 triggers; food does not

    result = CliRunner().invoke(main, ["scheduler", "run-job", "price_linkage", "--date", "2024-07-15"])
    assert result.exit_code == 0, result.output
    assert "price_linkage for 2024-07-15: batch" in result.output

    bid = ids.batch_id(JUNE, "price_subsidy").hex
    rt.read_model.catch_up()
    lines = _lines(rt, bid)
    # rural 443.00 × 4.0% = 17.72 → 18 yuan a person; urban 600.00 × 4.0% = 24 yuan a person
    assert lines == {
        cases["dibao_rural"]: ("price_subsidy", "price_subsidy", "2024-06", 5400),  # 3 × 18
        cases["dibao_urban"]: ("price_subsidy", "price_subsidy", "2024-06", 4800),  # 2 × 24
        cases["tekun"]: ("price_subsidy", "price_subsidy", "2024-06", 1800),
        cases["orphan"]: ("price_subsidy", "price_subsidy", "2024-06", 1800),
    }
    b = schema.batches.c
    with rt.engine.connect() as conn:
        row = conn.execute(select(b.month, b.kind, b.status, b.payments, b.total)
                           .where(b.batch_id == bid)).one()
    assert tuple(row) == ("2024-06", "price_subsidy", "draft", 4, 13800)
    record = rt.app.cpi(JUNE)
    assert record.decided
    assert record.decision == (True, D("4.0"), "cpi", {"cpi": "3.5", "food": "6.0"})

    # running again, by the job or directly, records nothing at all
    events = rt.app.recorder.max_notification_id()
    assert run_job("price_linkage", date(2024, 7, 16), rt.settings.url) is None
    batch = run_price_linkage(rt, JUNE, "clerk")
    assert batch is not None and batch.id.hex == bid and batch.payments == 4
    assert rt.app.recorder.max_notification_id() == events


def test_suspended_month_records_the_decision_and_raises_no_batch(rt: Runtime, tmp_path: Path) -> None:
    _county(rt, tmp_path)
    august = Month(2024, 8)
    rt.app.record_cpi(august, D("3.4"), D("5.9"), "stats")
    assert run_price_linkage(rt, august, "clerk") is None
    assert rt.app.maybe(ids.batch_id(august, "price_subsidy")) is None
    assert rt.app.cpi(august).decision == (False, None, None, {"cpi": "3.5", "food": "6.0"})
    events = rt.app.recorder.max_notification_id()
    assert run_price_linkage(rt, august, "clerk") is None
    assert rt.app.recorder.max_notification_id() == events


def test_a_graduating_household_is_covered_and_an_exited_one_is_not(
        rt: Runtime, tmp_path: Path) -> None:
    cases = _county(rt, tmp_path)
    # income 500.00 ≥ 443.00 from May: graduation (渐退), still paid in June
    said = update_case(rt.app, UUID(cases["dibao_rural"]), Month(2024, 5), "clerk",
                       income_per_capita=50000)
    assert any("graduation" in s for s in said)
    exit_case(rt.app, UUID(cases["dibao_urban"]), JUNE, "moved away", "clerk")
    rt.app.record_cpi(JUNE, D("3.0"), D("6.2"), "stats")  # food 6.2 ≥ 6.0 triggers
    batch = run_price_linkage(rt, JUNE, "clerk")
    assert batch is not None
    lines = _lines(rt, batch.id.hex)
    # rural 443.00 × 6.2% = 27.466 → 27 yuan a person
    assert {case: line[3] for case, line in lines.items()} == {
        cases["dibao_rural"]: 8100,  # 3 × 27, in graduation
        cases["tekun"]: 2700,
        cases["orphan"]: 2700,
    }


def test_a_person_counted_by_two_cases_is_paid_the_subsidy_once(rt: Runtime,
                                                                tmp_path: Path) -> None:
    """SPEC: every covered person "gets, once". Person 7, an orphan, lives in person 1's dibao
    household (a member in force); person 8 has an orphan case and a tekun case. By hand, rural
    443.00 × 4.0% = 17.72 → 18 yuan a person: the household of two 2 × 18 = 36.00, person 8
    18.00 once (by the tekun case); no line for either orphan case: 54.00 in all, not 90.00."""
    from ledger.services.batches import approve_batch
    from ledger.services.members import add_member
    from ledger.services.payroll_run import run_payroll

    county.set_standards(rt.app)
    rows = [county.row(1, "dibao", household_size=1), county.row(7, "orphan", birth=ORPHAN_BIRTH),
            county.row(8, "orphan", birth=ORPHAN_BIRTH), county.row(8, "tekun", birth=ORPHAN_BIRTH)]
    result = import_roster(rt, county.write(tmp_path / "roster.csv", rows), county.TODAY, "clerk")
    assert not result.problems and result.enrolled == 4, result
    applicant, orphan = county.person(1), county.person(7, ORPHAN_BIRTH)
    for person, name, relation in ((applicant, "测试1", "self"), (orphan, "孙子", "other")):
        add_member(rt, applicant, person, name, relation, Month(2024, 1), "clerk")
    household = ids.case_id(applicant, "dibao").hex
    tekun = ids.case_id(county.person(8, ORPHAN_BIRTH), "tekun").hex
    for month in range(1, 7):
        approve_batch(rt, run_payroll(rt, Month(2024, month), "clerk").id, "checker")
    rt.app.record_cpi(JUNE, D("4.0"), D("3.0"), "stats")
    batch = run_price_linkage(rt, JUNE, "clerk")
    assert batch is not None
    lines = _lines(rt, batch.id.hex)
    assert {case: line[3] for case, line in lines.items()} == {household: 2 * 1800, tekun: 1800}
    assert sum(line[3] for line in lines.values()) == 5400
    approve_batch(rt, batch.id, "checker")

    # The July payroll rechecks June's subsidy for the cases whose facts changed since: the
    # orphan case's change (moved to town, urban from July) does not make it due what its
    # person got through the household, so no price-subsidy line is added for it.
    orphan_case = ids.case_id(orphan, "orphan")
    update_case(rt.app, orphan_case, Month(2024, 7), "clerk", area="urban")
    july = run_payroll(rt, Month(2024, 7), "clerk")
    p = schema.payments.c
    with rt.engine.connect() as conn:
        subsidies = conn.execute(select(p.case_id, p.amount).where(
            p.batch_id == july.id.hex, p.programme == "price_subsidy",
            p.own_status != "withdrawn")).all()
    assert subsidies == []


# --- the scheduler ---------------------------------------------------------------------------
def touch(path: str) -> None:
    """A job stored by reference (tests.integration.test_price_linkage:touch)."""
    Path(path).write_text("fired")


def test_apscheduler_fires_a_job_from_the_sqlalchemy_job_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    marker = tmp_path / "fired"
    sched = make_scheduler(url, background=True)
    sched.start()
    try:
        sched.add_job("tests.integration.test_price_linkage:touch", "date",
                      run_date=datetime.now(UTC) + timedelta(seconds=1), args=[str(marker)])
        deadline = time.monotonic() + 15
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        sched.shutdown()
    assert marker.read_text() == "fired"


def test_the_schedule_survives_a_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    first = make_scheduler(url, background=True, timezone="Asia/Shanghai")
    first.start(paused=True)
    add_ledger_jobs(first)
    first.shutdown()

    second = make_scheduler(url, background=True, timezone="Asia/Shanghai")
    second.start(paused=True)
    try:
        jobs = {job.id: job for job in second.get_jobs()}
        assert set(jobs) == {"payroll", "price_linkage", "lifecycle", "watch"}
        assert {job.func_ref for job in jobs.values()} == {"jobs.runner:fire"}
        assert jobs["payroll"].args == ("payroll", None)
        nxt = jobs["payroll"].next_run_time
        assert (nxt.day, nxt.hour, nxt.minute) == (1, 6, 0)
        assert (jobs["price_linkage"].next_run_time.hour, jobs["lifecycle"].next_run_time.hour,
                jobs["watch"].next_run_time.hour) == (7, 2, 8)
        assert jobs["payroll"].coalesce is True and jobs["payroll"].max_instances == 1
        assert jobs["payroll"].misfire_grace_time == 3600
    finally:
        second.shutdown()


@pytest.mark.parametrize("job", ["lifecycle"])
def test_run_job_refuses_an_unknown_job_and_runs_a_known_one(job: str, rt: Runtime) -> None:
    with pytest.raises(ValueError, match="unknown job"):
        run_job("nonsense", date(2024, 7, 1), rt.settings.url)
    result = run_job(job, date(2024, 7, 1), rt.settings.url)
    # an empty ledger: no batch drafted or raised, nothing for the sweep to record
    if job == "lifecycle":
        assert result.recorded == 0
    else:
        assert result is None
