"""Institutions as payees (幸福院、敬老院): adding one, granting it money, listing them.

Load, one command, save — every front end (CLI, console) calls these. The code is
checked (GB 32100) before anything is recorded; an institution is found by its code.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import IntegrityError
from sqlalchemy import select

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.domain.case_record import ROSTER_PROGRAMMES
from ledger.domain.errors import NotFoundError
from ledger.domain.identity import mask, normalize_bank_account
from ledger.domain.institution import (
    PERIODS,
    Grant,
    Institution,
    InstitutionError,
    add_institution,
    check_grant_months,
)
from ledger.domain.money import format_yuan, parse_yuan
from ledger.domain.payee_account import checked_account
from ledger.domain.text_fields import check_text
from ledger.domain.uscc import parse_uscc
from ledger.services.runtime import Runtime
from projections import schema

GRANT_PROGRAMMES = ROSTER_PROGRAMMES
"""Whose fund a grant comes from: the roster programmes (集中供养 is usually ``tekun``)."""
APPROVED = ("approved", "exported", "reconciled")


def add(rt: Runtime, code: str, name: str, town: str, bank_account: str, bank_name: str,
        by: str) -> Institution:
    """Record a new institution; refused (exit 1) when its code is already on the ledger."""
    code = parse_uscc(code)
    for what, value in (("--name", name), ("--town", town), ("--bank-name", bank_name)):
        check_text(value, what)
        if not value.strip():
            raise ValueError(f"{what} is required")
    try:
        account = normalize_bank_account(bank_account)
    except ValueError as e:
        raise ValueError(f"--bank-account: {e}") from None
    institution = add_institution(ids.institution_id(code), code, name.strip(), town.strip(),
                                  account, bank_name.strip(), by)
    try:
        rt.app.save(institution)
    except IntegrityError:
        raise InstitutionError(f"institution {code} is already on the ledger") from None
    rt.read_model.catch_up()
    return institution


def find(rt: Runtime, code: str) -> Institution:
    """The institution with this code; :class:`NotFoundError` (exit 2) when there is none."""
    code = parse_uscc(code)
    found = rt.app.maybe(ids.institution_id(code))
    if not isinstance(found, Institution):
        raise NotFoundError(f"no institution with unified social credit code {code}: "
                            "add it first (`ledger institution add`)")
    return found


def grant(rt: Runtime, code: str, programme: str, amount: str, per: str, from_month: str,
          to_month: str | None, ref: str, by: str) -> Grant:
    """Record a grant. It cannot start in a month whose regular payroll is already approved:
    institutions get no arrears, so such a grant would silently never be paid."""
    if programme not in GRANT_PROGRAMMES:
        raise ValueError(f"--programme must be one of {', '.join(GRANT_PROGRAMMES)}, "
                         f"not {programme!r}")
    if per not in PERIODS:
        raise ValueError(f"--per must be one of {', '.join(PERIODS)}, not {per!r}")
    start = Month.parse(from_month)
    end = Month.parse(to_month) if to_month else None
    check_grant_months(per, start, end)
    check_text(ref, "--ref")
    fen = parse_yuan(amount)
    institution = find(rt, code)
    rt.read_model.catch_up()
    b = schema.batches.c
    with rt.engine.connect() as conn:
        paid = conn.execute(select(b.month).where(
            b.kind == "regular", b.status.in_(APPROVED), b.month >= str(start)
        ).order_by(b.month).limit(1)).scalar()
    if paid is not None:
        raise InstitutionError(f"the {paid} payroll is already approved: a grant from "
                               f"{start} would not be paid for it; start it from a later month")
    made = institution.grant(programme, fen, per, start, end, ref, by)
    rt.app.save(institution)
    rt.read_model.catch_up()
    return made


def change_account(rt: Runtime, code: str, bank_account: str, bank_name: str, reason: str,
                   by: str) -> Institution:
    """Correct an institution's account. Transfers to it the bank has returned are paid
    again to the new account by the next regular payroll (held until then)."""
    account, bank, why = checked_account(bank_account, bank_name, reason)
    institution = find(rt, code)
    institution.change_account(account, bank, why, by)
    rt.app.save(institution)
    rt.read_model.catch_up()
    return institution


def rename(rt: Runtime, code: str, name: str, reason: str, by: str) -> Institution:
    """Record an institution's new name (as its bank account is now held). Transfers to it
    the bank returned (户名不符) are paid again under the new name by the next regular
    payroll, and a draft not yet approved is brought to it when it is run again."""
    check_text(name, "--name")
    check_text(reason, "--reason")
    institution = find(rt, code)
    institution.rename(name, reason, by)
    rt.app.save(institution)
    rt.read_model.catch_up()
    return institution


def listing(rt: Runtime) -> list[dict[str, Any]]:
    """Every institution with its grants, by code (money as yuan text, account masked)."""
    rt.read_model.catch_up()
    i, g = schema.institutions.c, schema.institution_grants.c
    with rt.engine.connect() as conn:
        grants: dict[str, list[dict[str, Any]]] = {}
        for row in conn.execute(select(schema.institution_grants)
                                .order_by(g.institution_id, g.number)).mappings():
            grants.setdefault(row["institution_id"], []).append({
                "number": row["number"], "programme": row["programme"],
                "amount": format_yuan(int(row["amount"])), "per": row["per"],
                "from": row["from_month"], "to": row["to_month"], "ref": row["ref"],
                "granted_by": row["granted_by"], "granted_at": row["granted_at"],
            })
        return [{
            "institution_id": row["institution_id"], "code": row["code"], "name": row["name"],
            "town": row["town"], "bank_name": row["bank_name"],
            "bank_account": mask(row["bank_account"]), "added_by": row["added_by"],
            "added_at": row["added_at"], "grants": grants.get(row["institution_id"], []),
        } for row in conn.execute(select(schema.institutions).order_by(i.code)).mappings()]
