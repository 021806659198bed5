"""Issue 13: a draft is never approved silently stale — facts recorded after it was run refuse it.

Both backends: a reassessment, a standard, an exit after the draft make approval exit 1
with the position the draft was run at; nothing is recorded; a re-run makes it approvable
and carries the new facts. Events the payroll writes itself (other batches, payments)
do not make a draft stale.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.cli.main import main
from ledger.domain import ids
from ledger.domain.batch import Batch
from ledger.domain.calendar import Month
from ledger.domain.money import parse_yuan
from ledger.services.batches import approve_batch, batch_row
from ledger.services.case_changes import exit_case, update_case
from ledger.services.draft_freshness import StaleDraftError
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from tests import county

JAN = Month(2024, 1)


@pytest.fixture
def household(rt: Runtime, tmp_path: Path) -> str:
    county.set_standards(rt.app)
    import_roster(rt, county.write(tmp_path / "r.csv", [county.row(1, "dibao"),
                                                        county.row(2, "tekun")]),
                  county.TODAY, "clerk")
    return ids.case_id(county.person(1), "dibao").hex


def test_a_reassessment_after_the_draft_refuses_its_approval_until_it_is_run_again(
        rt: Runtime, household: str) -> None:
    draft = run_payroll(rt, JAN, "clerk")
    assert batch_row(rt, draft.id)["total"] == draft.total
    update_case(rt.app, ids.case_id(county.person(1), "dibao"), JAN, "clerk",
                income_per_capita=20000)
    before = rt.app.recorder.max_notification_id()
    with pytest.raises(StaleDraftError,
                       match=f"facts changed since the 2024-01 draft was run at position "
                             f"{draft.position} .*Case.FactsChanged.*run it again"):
        approve_batch(rt, draft.id, "checker")
    assert rt.app.recorder.max_notification_id() == before
    assert rt.app.load(draft.id, Batch, "batch").status == "draft"
    again = run_payroll(rt, JAN, "clerk")
    assert again.position > draft.position
    assert again.total == draft.total - (20000 - 12000) * 3  # (443 − 200) × 3 instead of × 120
    assert approve_batch(rt, again.id, "checker").status == "approved"


def test_a_standard_or_an_exit_recorded_after_the_draft_makes_it_stale_too(
        rt: Runtime, household: str) -> None:
    draft = run_payroll(rt, JAN, "clerk")
    rt.app.set_standard("tekun", "care:self", parse_yuan("400"), "year", date(2024, 1, 1), "",
                        False, "clerk")
    with pytest.raises(StaleDraftError, match="Standard"):
        approve_batch(rt, draft.id, "checker")
    draft = run_payroll(rt, JAN, "clerk")
    exit_case(rt.app, ids.case_id(county.person(2), "tekun"), JAN, "迁出", "clerk")
    with pytest.raises(StaleDraftError, match="Case.Exited"):
        approve_batch(rt, draft.id, "checker")
    draft = run_payroll(rt, JAN, "clerk")
    assert draft.payments == 1
    approve_batch(rt, draft.id, "checker")


def test_the_payrolls_own_writes_do_not_make_a_draft_stale(rt: Runtime, household: str,
                                                          tmp_path: Path) -> None:
    january = approve_batch(rt, run_payroll(rt, JAN, "clerk").id, "checker")
    february = run_payroll(rt, Month(2024, 2), "clerk")
    # January's export (a Batch event) comes after February's draft: not a fact for it.
    from ledger.services.bank_export import export_batch

    export_batch(rt, january.id, "csv", tmp_path / "jan.csv", "checker")
    assert approve_batch(rt, february.id, "checker").status == "approved"


def test_cli_approve_of_a_stale_draft_exits_1_with_the_rule(rt: Runtime, household: str) -> None:
    draft = run_payroll(rt, JAN, "clerk")
    update_case(rt.app, ids.case_id(county.person(1), "dibao"), JAN, "clerk",
                income_per_capita=20000)
    result = CliRunner().invoke(main, ["payroll", "approve", draft.id.hex, "--by", "checker"])
    assert result.exit_code == 1
    assert "facts changed since the 2024-01 draft" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_price_subsidy_draft_left_unchanged_by_its_run_can_still_be_approved(
        rt: Runtime, household: str) -> None:
    """Its run keeps an unchanged draft (and its position) as it is, so refusing it as stale
    would block it for good; what a later fact changes is paid by the regular payroll."""
    from decimal import Decimal

    from ledger.services.price_subsidy_run import run_price_linkage

    june = Month(2024, 6)
    rt.app.record_cpi(june, Decimal("4.0"), Decimal("3.0"), "stats")
    subsidy = run_price_linkage(rt, june, "clerk")
    assert subsidy is not None and subsidy.payments == 2
    exit_case(rt.app, ids.case_id(county.person(2), "tekun"), Month(2024, 9), "迁出", "clerk")
    again = run_price_linkage(rt, june, "clerk")
    assert again is not None and again.position == subsidy.position  # unchanged: not re-run
    assert approve_batch(rt, again.id, "checker").status == "approved"


def test_notes_and_the_price_linkage_decision_are_not_facts_that_stale_a_draft() -> None:
    from ledger.services.draft_freshness import fact_topics

    topics = fact_topics()
    for note in ("ledger.domain.case:Case.Reviewed", "ledger.domain.case:Case.AgeBandReached",
                 "ledger.domain.case:Case.GraduationCompleted",
                 "ledger.domain.rulebook:CpiRecord.PriceLinkageDecided"):
        assert note not in topics
    for fact in ("ledger.domain.case:Case.FactsChanged", "ledger.domain.case:Case.Exited",
                 "ledger.domain.rulebook:Standard.Set", "ledger.domain.rulebook:CpiRecord.Recorded"):
        assert fact in topics
