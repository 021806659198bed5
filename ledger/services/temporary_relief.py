"""Granting and approving temporary relief (临时救助).

The amount is ``multiple × monthly dibao standard[area]`` in force in the month
of the grant, fixed at grant time and recorded with its formula. A person on the
roster is found by their ID number (via the person key); a person not on the
roster needs name, area, town, village and bank details given explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from sqlalchemy import select

from ledger.domain.calendar import Month
from ledger.domain.errors import ReliefError
from ledger.domain.identity import normalize_bank_account
from ledger.domain.money import format_yuan
from ledger.domain.payee_account import checked_account
from ledger.domain.relief import Relief, check_multiple, grant, relief_amount
from ledger.domain.statuses import PAID
from ledger.domain.text_fields import check_text
from ledger.services.runtime import Runtime
from projections import schema
from projections.payment_lines import LINES


@dataclass(frozen=True)
class NewPerson:
    """Details for someone not on the roster."""

    name: str | None = None
    area: str | None = None
    town: str | None = None
    village: str | None = None
    bank_account: str | None = None
    bank_name: str | None = None


def grant_relief(rt: Runtime, id_number: str, multiple: int, reason: str, on: date, by: str,
                 person: NewPerson = NewPerson(), advance: bool = False) -> Relief:
    """A grant; ``advance`` (先行救助) makes it payable by a relief batch before its approvals."""
    app = rt.app
    month = Month.of(on)
    policy = app.policy_book()
    check_multiple(multiple, policy.value("temporary.max_multiple", month))
    if not reason.strip():
        raise ValueError("a reason is required")
    # The text rule holds here, not only at the command line: every front end calls this.
    for what, value in (("reason", reason), ("name", person.name), ("town", person.town),
                        ("village", person.village), ("bank name", person.bank_name)):
        if value is not None:
            check_text(value, what)
    if person.bank_account is not None:
        normalize_bank_account(person.bank_account)
    key = app.person_key(id_number)
    rt.read_model.catch_up()
    c = schema.cases.c
    with rt.engine.connect() as conn:
        rows = conn.execute(
            select(c.case_id, c.programme, c.record).where(c.person_key == key)
            .order_by(c.programme != "dibao", c.case_id)
        ).all()
    from ledger.domain.case_record import CaseRecord

    if rows:
        record = CaseRecord.from_json(rows[0].record)
        facts = record.facts_for(month)
        details = NewPerson(record.name, person.area or facts.area or "rural", record.town,
                            record.village, record.bank_account, record.bank_name)
        case_id: UUID | None = UUID(rows[0].case_id)
    else:
        missing = [f for f in ("name", "area", "town", "village", "bank_account", "bank_name")
                   if not getattr(person, f)]
        if missing:
            raise ValueError(
                "this person is not on the roster: also give "
                + " ".join("--" + m.replace("_", "-") for m in missing)
            )
        details, case_id = person, None
    assert details.area is not None
    standard = app.standard_book().entry("dibao", details.area, month)
    if standard is None:
        raise ReliefError(f"no dibao standard for {details.area} in {month}: set one first")
    amount = relief_amount(multiple, standard.monthly)
    needed = 1 if multiple <= policy.value("temporary.town_approval_multiple", month) else 2
    relief = grant(
        uuid4(), case_id=case_id, person_key=key, name=details.name or "", id_number=id_number,
        area=details.area, town=details.town or "", village=details.village or "",
        bank_name=details.bank_name or "", bank_account=details.bank_account or "",
        multiple=multiple, amount=amount,
        formula=f"{multiple} × dibao {details.area} {format_yuan(standard.monthly)} = "
                f"{format_yuan(amount)} [{standard.ref}]",
        approvals_needed=needed, reason=reason, month=month, by=by,
    )
    if advance:
        relief.grant_in_advance(on, by)
    app.save(relief)
    rt.read_model.catch_up()
    return relief


def refuse_relief(rt: Runtime, relief_id: UUID, reason: str, by: str) -> Relief:
    """The approvers' final no. A payment already made stands; its amount is recorded as the
    recovery decided (nothing is reversed)."""
    check_text(reason, "reason")
    if not reason.strip():
        raise ValueError("a reason is required")
    relief: Relief = rt.app.load(relief_id, Relief, "relief")
    rt.read_model.catch_up()
    p = LINES.c
    with rt.engine.connect() as conn:
        paid = conn.execute(select(p.amount).where(
            p.case_id == relief_id.hex, p.kind == "relief", p.status.in_(PAID)
        )).scalars().all()
    relief.refuse(reason.strip(), sum(int(a) for a in paid), by)
    rt.app.save(relief)
    rt.read_model.catch_up()
    return relief


def change_relief_account(rt: Runtime, relief_id: UUID, bank_account: str, bank_name: str,
                          reason: str, by: str) -> Relief:
    """Correct the account a relief is paid to. A transfer of it the bank returned is paid
    again to the new account by the next regular payroll (held until then)."""
    account, bank, why = checked_account(bank_account, bank_name, reason)
    relief: Relief = rt.app.load(relief_id, Relief, "relief")
    relief.change_account(account, bank, why, by)
    rt.app.save(relief)
    rt.read_model.catch_up()
    return relief


def approve_relief(rt: Runtime, relief_id: UUID, by: str) -> Relief:
    relief: Relief = rt.app.load(relief_id, Relief, "relief")
    relief.approve(by)
    rt.app.save(relief)
    rt.read_model.catch_up()
    return relief
