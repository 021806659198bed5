"""Changes to a case: reassessment (with the dibao graduation decision), care level,
disability grade, area, bank account, and exit.

The graduation exit (渐退) is decided here, when income is reassessed: a dibao
household whose per-capita income reaches the standard keeps its last regular
amount × taper for ``graduation.months`` months from the reassessment month; if
income falls back below the standard during graduation, graduation is cancelled.
The decision is recorded as an event, so the history shows it and later
standard changes do not rewrite it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ledger.application import Ledger
from ledger.calendar import Month
from ledger.case import Case
from ledger.errors import CaseStateError
from ledger.programmes import entitlement
from ledger.programmes.dibao import graduated, in_graduation


def update_case(
    app: Ledger,
    case_id: UUID,
    effective: Month,
    by: str,
    *,
    income_per_capita: int | None = None,
    household_size: int | None = None,
    care_level: str | None = None,
    disability_grade: int | None = None,
    area: str | None = None,
    bank_account: str | None = None,
    bank_name: str | None = None,
) -> list[str]:
    """Record the given changes; returns what was recorded, in words."""
    case = app.case(case_id)
    record = case.record
    values: dict[str, Any] = {}
    said: list[str] = []
    if income_per_capita is not None or household_size is not None:
        if record.programme != "dibao":
            raise CaseStateError("income and household size are assessed for dibao cases only")
        if income_per_capita is not None:
            values["income_per_capita"] = income_per_capita
        if household_size is not None:
            if household_size < 1:
                raise ValueError("--household-size must be at least 1")
            values["household_size"] = household_size
    if care_level is not None:
        if record.programme != "tekun":
            raise CaseStateError("care level applies to tekun cases only")
        values["care_level"] = care_level
    if disability_grade is not None:
        if not record.programme.startswith("disability_"):
            raise CaseStateError("disability grade applies to disability cases only")
        if record.programme == "disability_care" and disability_grade > 2:
            said.append(f"grade {disability_grade} is not eligible for disability_care: "
                        "nothing is paid from " + str(effective))
        values["disability_grade"] = disability_grade
    if area is not None:
        values["area"] = area
    # A repeat of the very same reassessment (same month, same value, nothing recorded for
    # that month since) records nothing. A reassessment that merely equals the value in force
    # is still recorded: it is a fact of its own month, which a later correction of an
    # earlier month must not run over.
    latest_here: dict[str, Any] = {}
    for month_, _, change in sorted(record.changes, key=lambda c: c[1]):
        if month_ == effective:
            latest_here.update(change)
    unchanged = sorted(k for k, v in values.items() if k in latest_here and latest_here[k] == v)
    for key in unchanged:
        del values[key]
    if unchanged:
        said.append(f"unchanged (already recorded for {effective}): " + ", ".join(unchanged))
    if values:
        # The last regular amount is last month's. A change effective in the case's first month
        # corrects the enrolment itself: there is nothing to graduate from.
        before = record.facts_for(effective + -1) if effective > record.start_month else None
        case.change_facts(effective, values, "reassessment", by)
        said.append(f"changed from {effective}: " + ", ".join(sorted(values)))
        if record.programme == "dibao":
            said += _decide_graduation(app, case, effective, before, by)
    if bank_account is not None:
        if not bank_name:
            raise ValueError("--bank-account needs --bank-name")
        if (bank_account, bank_name) == (record.bank_account, record.bank_name):
            said.append("unchanged: bank account")
        else:
            case.change_bank_account(bank_name, bank_account, by)
            said.append("bank account changed")
    if not said:
        raise ValueError("nothing to change: give at least one of the change options")
    app.save(case)  # saves nothing when every value was already in force
    return said


def _decide_graduation(app: Ledger, case: Case, effective: Month, before: Any, by: str) -> list[str]:
    record = case.record
    standards, policy = app.standard_book(), app.policy_book()
    facts = record.facts_for(effective)
    standard = standards.monthly("dibao", facts.area or "", effective)
    if standard is None or facts.income_per_capita is None:
        return []
    graduating = in_graduation(facts.graduation, effective)
    if graduated(facts.graduation, effective) or before is None:
        return []  # graduation ran its course (exited by itself), or nothing to graduate from
    if facts.income_per_capita >= standard and not graduating:
        last = entitlement(before, standards, policy)
        base = last.amount if last.kind == "regular" else 0
        months = policy.value("graduation.months", effective)
        taper = policy.value("graduation.taper", effective)
        case.start_graduation(effective, base, months, taper, by)
        return [f"graduation (渐退) from {effective} for {months} months"]
    if facts.income_per_capita < standard and graduating:
        case.cancel_graduation(effective, by)
        return [f"graduation cancelled from {effective}: income below the standard again"]
    return []


def exit_case(app: Ledger, case_id: UUID, effective: Month, reason: str, by: str) -> None:
    """End payment from ``effective`` (death, moved away, ineligible): no graduation."""
    if not reason.strip():
        raise ValueError("--reason is required")
    case: Case = app.case(case_id)
    case.exit(effective, reason, by)
    app.save(case)
