"""One user, however it is spelled: maker–checker compares normalised user names.

``CLERK``, ``clerk `` and the full-width ``ｃｌｅｒｋ`` are the clerk; ``chief`` and
``chief `` are one approver. Names enter normalised (``--by``, ``LEDGER_USER``),
and the domain compares normalised too, so events recorded before the fix with
raw names cannot approve a batch or make a relief payable either.
"""

from __future__ import annotations

import json
from uuid import UUID

import pytest

from ledger.bootstrap import open_runtime
from ledger.domain.batch import Batch
from ledger.domain.calendar import Month
from ledger.domain.errors import MakerCheckerError
from ledger.domain.relief import Relief
from ledger.domain.user_names import UserNameError, normalise_user, same_user, user_key
from ledger.services.payroll_run import run_payroll
from tests import county
from tests.integration.test_maker_checker import cli, events_recorded, ledger, run_month, show

__all__ = ["ledger"]  # the fixture, imported for its side effect on pytest


@pytest.mark.parametrize("spelling", ["clerk", "CLERK", "clerk ", " Clerk\n", "ｃｌｅｒｋ", "ＣＬＥＲＫ"])
def test_every_spelling_of_a_name_normalises_to_one_user(spelling: str) -> None:
    assert normalise_user(spelling) == "clerk"
    assert same_user(spelling, "clerk")


def test_inner_white_space_is_one_space_and_non_latin_names_survive() -> None:
    assert normalise_user("Chief   Li") == "chief li"
    assert normalise_user("王 会计") == "王 会计"
    assert normalise_user("Straße") == normalise_user("STRASSE")


@pytest.mark.parametrize("bad", ["", "   ", "\u3000", "chief\u200b", "chi\x00ef", "chi\tef",
                                 "a\u202eb", "x" * 65])
def test_empty_invisible_and_control_character_names_are_refused(bad: str) -> None:
    with pytest.raises(UserNameError):
        normalise_user(bad)


def test_the_lenient_key_of_a_recorded_name_never_raises() -> None:
    assert user_key("chief\u200b ") == "chief"
    assert user_key("") == ""


@pytest.mark.parametrize("spelling", ["CLERK", "clerk ", "ｃｌｅｒｋ", " Clerk"])
def test_the_maker_cannot_approve_under_another_spelling(ledger: str, spelling: str) -> None:
    batch = run_month(by="clerk")
    before = events_recorded(ledger)
    refused = cli("payroll", "approve", batch["batch_id"], "--by", spelling)
    assert refused.exit_code == 1, refused.output
    assert "clerk ran this draft and cannot approve it" in refused.stderr
    assert events_recorded(ledger) == before
    assert show(batch["batch_id"])["status"] == "draft"


def test_ledger_user_is_normalised_like_by(ledger: str) -> None:
    made = cli("payroll", "run", "--month", "2024-01", "--json", env={"LEDGER_USER": "ＣＬＥＲＫ "})
    assert made.exit_code == 0, made.output
    batch_id = json.loads(made.stdout)["batch_id"]
    assert show(batch_id)["made_by"] == ["clerk"]
    refused = cli("payroll", "approve", batch_id, env={"LEDGER_USER": "clerk"})
    assert refused.exit_code == 1
    approved = cli("payroll", "approve", batch_id, "--by", " Checker ")
    assert approved.exit_code == 0, approved.output
    assert show(batch_id)["approved_by"] == "checker"


@pytest.mark.parametrize("bad", ["", "  ", "chief\u200b", "chi\x07ef"])
def test_a_bad_user_name_is_bad_input_and_changes_nothing(ledger: str, bad: str) -> None:
    before = events_recorded(ledger)
    refused = cli("payroll", "run", "--month", "2024-01", "--by", bad)
    assert refused.exit_code == 2, refused.output
    assert "user name" in refused.stderr
    assert events_recorded(ledger) == before
    empty_env = cli("payroll", "run", "--month", "2024-01", env={"LEDGER_USER": bad or " "})
    assert empty_env.exit_code == 2
    assert events_recorded(ledger) == before


def _grant(by: str = "clerk") -> str:
    granted = cli("relief", "grant", county.person(1), "--multiple", "4", "--reason", "火灾",
                  "--on", "2024-01-10", "--by", by)
    assert granted.exit_code == 0, granted.output
    return granted.stdout.split()[1]


def test_a_two_approver_relief_needs_two_different_users_however_spelled(ledger: str) -> None:
    relief_id = _grant()
    assert cli("relief", "approve", relief_id, "--by", "ｃｌｅｒｋ").exit_code == 1
    assert cli("relief", "approve", relief_id, "--by", "chief").exit_code == 0
    before = events_recorded(ledger)
    for again in ("chief ", "CHIEF", "ｃｈｉｅｆ"):
        refused = cli("relief", "approve", relief_id, "--by", again)
        assert refused.exit_code == 1 and "another user" in refused.stderr
    assert events_recorded(ledger) == before
    assert "temporary" not in run_month()["by_programme"]


def test_approvals_recorded_before_the_fix_compare_normalised(ledger: str) -> None:
    """Raw names straight into the store, as the ledger wrote them before normalising."""
    relief_id = _grant()
    rt = open_runtime(ledger)
    try:
        relief: Relief = rt.app.load(UUID(relief_id), Relief, "relief")
        relief.trigger_event(Relief.Approved, by="chief")
        relief.trigger_event(Relief.Approved, by="chief ")
        relief.trigger_event(Relief.Approved, by="CLERK")
        rt.app.save(relief)
        rt.read_model.catch_up()
        again: Relief = rt.app.load(UUID(relief_id), Relief, "relief")
        assert not again.payable
        batch = run_payroll(rt, Month(2024, 1), "Maker ")  # a raw maker name, as before
    finally:
        rt.close()
    # Neither the domain nor the read model (which the payroll reads) counts them twice.
    assert "temporary" not in show(batch.id.hex)["by_programme"]
    assert cli("relief", "approve", relief_id, "--by", "Chief").exit_code == 1
    refused = cli("payroll", "approve", batch.id.hex, "--by", "maker")
    assert refused.exit_code == 1 and "cannot approve" in refused.stderr
    assert cli("relief", "approve", relief_id, "--by", "director").exit_code == 0
    assert "temporary" in run_month(by="clerk")["by_programme"]


def test_the_batch_aggregate_compares_recorded_makers_normalised() -> None:
    batch = Batch._create(Batch.Drafted, id=UUID(int=1), month=Month(2024, 1), kind="regular",
                          by="Clerk ")
    batch.start_run("r1", 0, "ｓｕｐｅｒｖｉｓｏｒ")
    batch.complete_run("r1", 0, 0, 0, {}, {}, "clerk")
    for maker in ("clerk", "supervisor"):
        with pytest.raises(MakerCheckerError):
            batch.approve(maker, "", 0)
    batch.approve("checker", "", 0)
    assert batch.status == "approved"


def test_audit_finds_a_users_changes_however_the_filter_is_spelled(ledger: str) -> None:
    run_month(by="clerk")
    found = cli("audit", "--since", "2000-01-01", "--user", "ＣＬＥＲＫ ", "--json")
    assert found.exit_code == 0, found.output
    entries = json.loads(found.stdout)
    rows = entries["entries"] if isinstance(entries, dict) else entries
    assert rows and all(e["user"] == "clerk" for e in rows)
