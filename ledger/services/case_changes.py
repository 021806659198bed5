"""Changes to a case: reassessment (with the dibao graduation decision), care level,
disability grade, area, bank account, exit, and a mistyped payee name corrected.

A reassessment is recorded as a fact with its effective month, nothing more: the
graduation exit (渐退) it may bring is derived from the facts in force for each
month (``ledger/domain/programmes/graduation.py``), so the same facts give the same money
whatever order they were recorded in. What the reassessment means for the
household is reported back in words.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select

from ledger.adapters.application import Ledger
from ledger.domain.calendar import Month
from ledger.domain.case import Case
from ledger.domain.errors import CaseStateError, NotFoundError
from ledger.domain.identity import mask, normalize_bank_account
from ledger.domain.programmes import CaseEntitlement
from ledger.domain.relief import Relief
from ledger.domain.text_fields import check_text
from ledger.services.runtime import Runtime
from projections import schema


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
        case.change_facts(effective, values, "reassessment", by)
        said.append(f"changed from {effective}: " + ", ".join(sorted(values)))
        if record.programme == "dibao":
            said += _graduation_news(app, case, effective)
    if bank_account is not None:
        if not bank_name:
            raise ValueError("a new bank account needs its bank name")
        bank_account = normalize_bank_account(bank_account)
        check_text(bank_name, "bank name")
        if (bank_account, bank_name) == (record.bank_account, record.bank_name):
            said.append("unchanged: bank account")
        else:
            case.change_bank_account(bank_name, bank_account, by)
            said.append("bank account changed")
    if not said:
        raise ValueError("nothing to change: give at least one of the change options")
    app.save(case)  # saves nothing when every value was already in force
    return said


def _graduation_news(app: Ledger, case: Case, effective: Month) -> list[str]:
    """What the facts now say about the household's graduation around ``effective``."""
    entitled = CaseEntitlement(case.record, app.standard_book(), app.policy_book())
    g = entitled.facts(effective).graduation
    if g is None:
        return []
    if g.start == effective and (g.cancelled_from is None or g.cancelled_from > effective):
        return [f"graduation (渐退) from {effective} for {g.months} months"]
    if g.cancelled_from is not None and g.cancelled_from == effective:
        return [f"graduation cancelled from {effective}: income below the standard again"]
    return []


def exit_case(app: Ledger, case_id: UUID, effective: Month, reason: str, by: str) -> None:
    """End payment from ``effective`` (death, moved away, ineligible): no graduation."""
    if not reason.strip():
        raise ValueError("a reason is required")
    check_text(reason, "reason")
    case: Case = app.case(case_id)
    case.exit(effective, reason, by)
    app.save(case)


def correct_payee_name(rt: Runtime, id_number: str, name: str, reason: str, by: str,
                       towns: frozenset[str] | None = None) -> list[UUID]:
    """The person's name corrected on every case and relief of theirs (one person, one
    name), saved together; returns the cases and reliefs whose name changed (none: it
    already read so). A refused relief is never paid again: it keeps its name.

    ``towns``: the acting user's towns, when limited to some; a person with a case or relief
    outside them is refused as a whole rather than corrected in part.
    """
    name = name.strip()
    if not name:
        raise ValueError("name: empty")
    check_text(name, "name")
    if not reason.strip():
        raise ValueError("a reason is required")
    check_text(reason, "reason")
    rt.read_model.catch_up()
    key = rt.app.person_key(id_number)
    c, r = schema.cases.c, schema.reliefs.c
    with rt.engine.connect() as conn:
        cases = conn.execute(select(c.case_id, c.town).where(c.person_key == key)
                             .order_by(c.case_id)).all()
        reliefs = conn.execute(select(r.relief_id, r.town).where(r.person_key == key)
                               .order_by(r.relief_id)).all()
    if not cases and not reliefs:
        raise NotFoundError(f"no case of {mask(id_number)}")
    if towns is not None and any(town not in towns for _, town in [*cases, *reliefs]):
        raise CaseStateError(f"{mask(id_number)} has a case or relief outside your towns: the "
                             "name is corrected on all of a person's cases or none")
    payees: list[Case | Relief] = [rt.app.case(UUID(case_id)) for case_id, _ in cases]
    payees += [rt.app.load(UUID(relief_id), Relief, "relief") for relief_id, _ in reliefs]
    changed = [payee for payee in payees if payee.correct_name(name, reason, by)]
    if changed:
        rt.app.save(*changed)
        rt.read_model.catch_up()
    return [payee.id for payee in changed]
