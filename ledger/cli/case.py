"""`ledger case show|update|exit|correct-name`: one case by case id or any member's ID number."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import click

from ledger.cli.accounts import Claim, actor_options
from ledger.cli.support import BadInput, emit, handled, json_option, runtime, uuid_arg
from ledger.cli.text import TEXT
from ledger.domain.calendar import Month
from ledger.domain.errors import NotFoundError
from ledger.domain.identity import IdNumberError, mask_numbers, normalize_id_number
from ledger.domain.money import parse_yuan
from ledger.services.runtime import Runtime


@click.group()
def case() -> None:
    """Cases: show, update, exit."""


def _find_cases(rt: Runtime, ref: str) -> Sequence[Any]:
    from sqlalchemy import select

    from projections import schema

    rt.read_model.catch_up()
    c = schema.cases.c
    text = ref.strip()
    if len(text.replace("-", "")) == 32:
        where = c.case_id == uuid_arg(text, "case").hex
    else:
        try:
            id_number = normalize_id_number(text, date.today())
        except IdNumberError as e:
            raise BadInput(f"not a case id or ID number: {e}") from None
        key = rt.app.person_key(id_number)
        m = schema.members.c  # any member's ID number finds the household too
        where = (c.person_key == key) | c.case_id.in_(select(m.case_id).where(m.person_key == key))
    with rt.engine.connect() as conn:
        return conn.execute(select(schema.cases).where(where).order_by(c.programme)).mappings().all()


@case.command("show")
@click.argument("ref")
@click.option("--month", default=None, help="month for status and amount (default this month)")
@json_option
@handled
def case_show(ref: str, month: str | None, as_json: bool) -> None:
    from ledger.domain.case_record import CaseRecord
    from ledger.services.case_view import case_summary

    with runtime() as rt:
        rows = _find_cases(rt, ref)
        if not rows:
            raise NotFoundError(f"no case for {mask_numbers(ref)}")
        when = Month.parse(month) if month else Month.of(date.today())
        standards, policy_book = rt.app.standard_book(), rt.app.policy_book()
        cases = []
        for row in rows:
            cases.append(case_summary(CaseRecord.from_json(row["record"]), standards,
                                      policy_book, when))

    def text() -> None:
        for c in cases:
            click.echo(f"{c['case_id']}  {c['programme']}  {c['status']}")
            for key in ("name", "id_number", "town", "village", "area", "household_size",
                        "income_per_capita", "disability_grade", "care_level", "bank_name",
                        "bank_account", "start_month", "exit_month", "exit_reason"):
                if c[key] is not None:
                    click.echo(f"  {key:<18} {c[key]}")
            for m in c["members"]:
                click.echo(f"  member {m['name']} {m['id_number']} {m['relation']} from "
                           f"{m['from']}" + (f" to {m['to']} ({m['reason']})" if m["to"] else ""))
            click.echo(f"  {c['month']} due {c['amount']}: {c['formula']}")

    emit({"cases": cases}, as_json, text)


@case.command("update")
@click.argument("case_id")
@click.option("--from", "from_", required=True, help="effective month YYYY-MM")
@click.option("--income", default=None, help="per-capita monthly income, yuan")
@click.option("--household-size", type=int, default=None)
@click.option("--care-level", type=click.Choice(["self", "partial", "full"]), default=None)
@click.option("--disability-grade", type=click.IntRange(1, 4), default=None)
@click.option("--area", type=click.Choice(["urban", "rural"]), default=None)
@click.option("--bank-account", default=None)
@click.option("--bank-name", type=TEXT, default=None)
@actor_options
@handled
def case_update(case_id: str, from_: str, income: str | None, household_size: int | None,
                care_level: str | None, disability_grade: int | None, area: str | None,
                bank_account: str | None, bank_name: str | None, claim: Claim) -> None:
    from ledger.domain.identity import normalize_bank_account
    from ledger.services.case_changes import update_case

    with runtime() as rt:
        said = update_case(
            rt.app, uuid_arg(case_id, "case"), Month.parse(from_), claim.proven(rt, "case.change"),
            income_per_capita=parse_yuan(income) if income is not None else None,
            household_size=household_size, care_level=care_level,
            disability_grade=disability_grade, area=area,
            bank_account=normalize_bank_account(bank_account) if bank_account else None,
            bank_name=bank_name,
        )
        rt.read_model.catch_up()
    for line in said:
        click.echo(line)


@case.command("exit")
@click.argument("case_id")
@click.option("--from", "from_", required=True, help="first month not paid, YYYY-MM")
@click.option("--reason", type=TEXT, required=True)
@actor_options
@handled
def case_exit(case_id: str, from_: str, reason: str, claim: Claim) -> None:
    from ledger.services.case_changes import exit_case

    with runtime() as rt:
        exit_case(rt.app, uuid_arg(case_id, "case"), Month.parse(from_), reason, claim.proven(rt, "case.change"))
        rt.read_model.catch_up()
    click.echo(f"case {case_id} exits from {from_}: {reason}")


@case.command("correct-name")
@click.argument("id_number")
@click.option("--name", type=TEXT, required=True, help="the name as it should read (户名)")
@click.option("--reason", type=TEXT, required=True, help="why (e.g. 银行退回：户名不符)")
@actor_options
@handled
def case_correct_name(id_number: str, name: str, reason: str, claim: Claim) -> None:
    """Correct a payee's mistyped name (更正) on every case and relief of theirs.

    The name is the account holder's (户名) in the bank file: a payment the bank returned
    before the correction is paid again in the next payroll, as after an account change.
    """
    from ledger.services.case_changes import correct_payee_name

    try:
        person = normalize_id_number(id_number, date.today())
    except IdNumberError as e:
        raise BadInput(f"ID number: {e}") from None
    with runtime() as rt:
        changed = correct_payee_name(rt, person, name, reason, claim.proven(rt, "case.change"))
    if changed:
        click.echo(f"name corrected on {len(changed)} case(s) or relief(s): "
                   + ", ".join(payee_id.hex for payee_id in changed))
    else:
        click.echo("the name already reads so; nothing recorded")
