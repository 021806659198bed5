"""The `ledger` command line: parse, call the application, print, exit.

Exit codes: 0 done; 1 refused by a business rule; 2 bad input or usage.
Errors go to stderr; a refused or failed command changes nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click

from ledger.adapters.settings import acting_user
from ledger.cli.accounts import password_stdin_option, proven_user
from ledger.cli.batch_text import print_batch
from ledger.cli.errors import LedgerGroup
from ledger.cli.support import BadInput, by_option, emit, handled, json_option, runtime, uuid_arg
from ledger.cli.text import TEXT
from ledger.domain.calendar import Month, parse_date
from ledger.domain.errors import NotFoundError
from ledger.domain.identity import IdNumberError, mask, normalize_id_number
from ledger.domain.money import format_yuan, parse_yuan
from ledger.domain.safe_text import safe_url
from ledger.services.batch_people import payees, people, report_case_ids
from ledger.services.runtime import Runtime


@click.group(cls=LedgerGroup)
def main() -> None:
    """Benefits payment ledger for a county civil-affairs bureau (民政局)."""


@main.command()
@handled
def init() -> None:
    """Create or upgrade the event store and the read-model tables (safe to run twice)."""
    with runtime(init=True) as rt:
        rt.read_model.catch_up()
        click.echo(f"ledger ready in {safe_url(rt.settings.url)}")


# --- standards & policy ------------------------------------------------------------------
@main.group()
def standard() -> None:
    """Benefit standards per programme and category."""


@standard.command("set")
@click.argument("programme")
@click.option("--category", required=True)
@click.option("--amount", required=True, help="yuan")
@click.option("--per", type=click.Choice(["month", "year"]), required=True)
@click.option("--from", "from_", required=True, help="effective date YYYY-MM-DD")
@click.option("--ref", type=TEXT, default="", help="reference text (the policy document)")
@click.option("--force", is_flag=True, help="record a tekun basic below 1.3 × dibao with a warning")
@by_option
@handled
def standard_set(programme: str, category: str, amount: str, per: str, from_: str, ref: str,
                 force: bool, by: str | None) -> None:
    with runtime() as rt:
        warnings = rt.app.set_standard(programme, category, parse_yuan(amount), per,
                                       parse_date(from_), ref, force, acting_user(by))
        for warning in warnings:
            click.echo(warning, err=True)
        click.echo(f"standard {programme}/{category} {amount} per {per} from {from_} recorded")


@standard.command("list")
@click.option("--on", "on", default=None, help="date YYYY-MM-DD (default: all history)")
@json_option
@handled
def standard_list(on: str | None, as_json: bool) -> None:
    with runtime() as rt:
        book = rt.app.standard_book()
        entries = book.on(parse_date(on)) if on else sorted(
            book.entries(), key=lambda e: (e.programme, e.category, e.effective))
        data = {"standards": [
            {"programme": e.programme, "category": e.category, "amount": format_yuan(e.amount),
             "per": e.per, "monthly": format_yuan(e.monthly), "from": e.effective.isoformat(),
             "ref": e.ref, "forced": e.forced, "recorded_at": e.recorded_at.isoformat()}
            for e in entries
        ]}

        def text() -> None:
            for s in data["standards"]:
                click.echo(f"{s['programme']:<20} {s['category']:<14} {s['amount']:>10}/{s['per']:<5} "
                           f"monthly {s['monthly']:>9} from {s['from']}  {s['ref']}")

        emit(data, as_json, text)


@main.group()
def policy() -> None:
    """Policy settings with effective dates."""


@policy.command("set")
@click.argument("key")
@click.argument("value")
@click.option("--from", "from_", default=None, help="effective date (default today)")
@by_option
@handled
def policy_set(key: str, value: str, from_: str | None, by: str | None) -> None:
    with runtime() as rt:
        effective = parse_date(from_) if from_ else date.today()
        rt.app.set_policy(key, value, effective, acting_user(by))
        click.echo(f"policy {key} = {value} from {effective}")


@main.group()
def cpi() -> None:
    """Monthly CPI records for the price linkage."""


def _percent(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise BadInput(f"not a percentage: {text!r}") from None


@cpi.command("record")
@click.argument("month")
@click.option("--cpi-yoy", required=True)
@click.option("--food-yoy", required=True)
@by_option
@handled
def cpi_record(month: str, cpi_yoy: str, food_yoy: str, by: str | None) -> None:
    with runtime() as rt:
        rt.app.record_cpi(Month.parse(month), _percent(cpi_yoy), _percent(food_yoy), acting_user(by))
        click.echo(f"CPI {month}: cpi {cpi_yoy}% food {food_yoy}% recorded")


# --- roster & cases -------------------------------------------------------------------------
@main.group()
def roster() -> None:
    """Roster (花名册) import."""


@roster.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="validate only")
@click.option("--today", default=None, help="date for validation (default today)")
@by_option
@handled
def roster_import(file: Path, dry_run: bool, today: str | None, by: str | None) -> None:
    from ledger.services.enrolment import import_roster

    with runtime() as rt:
        result = import_roster(rt, file, parse_date(today) if today else date.today(),
                               acting_user(by), dry_run)
    if result.problems or result.refusals:
        for problem in sorted(result.problems + result.refusals, key=lambda p: (p.more > 0, p.row, p.column)):
            click.echo(str(problem), err=True)
        problems = sum(p.more or 1 for p in result.problems)  # the last may stand for many
        click.echo(f"{problems} problem(s), {len(result.refusals)} refused by the "
                   "rules; nothing recorded", err=True)
        sys.exit(2 if result.problems else 1)
    verb = "would enrol" if dry_run else "enrolled"
    click.echo(f"{file}: {result.rows} rows valid; {verb} {result.enrolled if not dry_run else result.rows - result.already}; "
               f"{result.already} already on the ledger")


@main.group()
def case() -> None:
    """Cases: show, update, exit."""


def _find_cases(rt: Runtime, ref: str) -> list[Any]:
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
            raise NotFoundError(f"no case for {mask(ref) if len(ref) == 18 else ref}")
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
@by_option
@handled
def case_update(case_id: str, from_: str, income: str | None, household_size: int | None,
                care_level: str | None, disability_grade: int | None, area: str | None,
                bank_account: str | None, bank_name: str | None, by: str | None) -> None:
    from ledger.domain.identity import normalize_bank_account
    from ledger.services.case_changes import update_case

    with runtime() as rt:
        said = update_case(
            rt.app, uuid_arg(case_id, "case"), Month.parse(from_), acting_user(by),
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
@by_option
@handled
def case_exit(case_id: str, from_: str, reason: str, by: str | None) -> None:
    from ledger.services.case_changes import exit_case

    with runtime() as rt:
        exit_case(rt.app, uuid_arg(case_id, "case"), Month.parse(from_), reason, acting_user(by))
        rt.read_model.catch_up()
    click.echo(f"case {case_id} exits from {from_}: {reason}")


# --- temporary relief -------------------------------------------------------------------------
@main.group()
def relief() -> None:
    """Temporary relief (临时救助)."""


@relief.command("grant")
@click.argument("id_number")
@click.option("--multiple", type=int, required=True)
@click.option("--reason", type=TEXT, required=True)
@click.option("--name", type=TEXT, default=None)
@click.option("--area", type=click.Choice(["urban", "rural"]), default=None)
@click.option("--town", type=TEXT, default=None)
@click.option("--village", type=TEXT, default=None)
@click.option("--bank-account", default=None)
@click.option("--bank-name", type=TEXT, default=None)
@click.option("--on", "on", default=None, help="grant date (default today)")
@click.option("--advance", is_flag=True, help="先行救助: payable by a relief batch before approval")
@by_option
@handled
def relief_grant(id_number: str, multiple: int, reason: str, name: str | None, area: str | None,
                 town: str | None, village: str | None, bank_account: str | None,
                 bank_name: str | None, on: str | None, advance: bool, by: str | None) -> None:
    from ledger.domain.identity import normalize_bank_account
    from ledger.services.temporary_relief import NewPerson, grant_relief

    today = parse_date(on) if on else date.today()
    number = normalize_id_number(id_number, today)
    person = NewPerson(name, area, town, village,
                       normalize_bank_account(bank_account) if bank_account else None, bank_name)
    with runtime() as rt:
        granted = grant_relief(rt, number, multiple, reason, today, acting_user(by), person,
                               advance)
    click.echo(f"relief {granted.id.hex} granted{' in advance' if advance else ''}: "
               f"{granted.formula}; needs {granted.approvals_needed} approval(s)")


@relief.command("approve")
@click.argument("relief_id")
@password_stdin_option
@by_option
@handled
def relief_approve(relief_id: str, password_stdin: bool, by: str | None) -> None:
    from ledger.services.temporary_relief import approve_relief

    with runtime() as rt:
        approver = proven_user(rt, by, password_stdin, "relief.approve")
        approved = approve_relief(rt, uuid_arg(relief_id, "relief"), approver)
    state = "payable" if approved.payable else f"needs {approved.approvals_needed - len(approved.approvers)} more approval(s)"
    click.echo(f"relief {approved.id.hex} approved by {approved.approvers[-1]}: {state}")


# --- payroll ---------------------------------------------------------------------------------------
@main.group()
def payroll() -> None:
    """Monthly payroll batches."""


def _progress(label: str) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    if not sys.stderr.isatty():
        return None, lambda: None
    from rich.progress import Progress

    bar = Progress(transient=True)
    bar.start()
    task = bar.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return update, bar.stop


@payroll.command("run")
@click.option("--month", required=True)
@click.option("--on", "on", default=None, hidden=True,
              help="the date the run is made on (default today): no month after the next")
@click.option("--kind", type=click.Choice(["regular", "relief"]), default="regular",
              help="relief: the out-of-cycle batch of advance and approved relief")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="processes computing the payroll's parts (default: LEDGER_PAYROLL_WORKERS, "
                   "else one per core)")
@click.option("--part-size", type=click.IntRange(1, 100000), default=None, hidden=True,
              help="cases per part (default 2000)")
@json_option
@by_option
@handled
def payroll_run(month: str, on: str | None, kind: str, workers: int | None,
                part_size: int | None, as_json: bool, by: str | None) -> None:
    from ledger.services.batches import batch_row, batch_summary, report_json
    from ledger.services.payroll_run import run_payroll
    from ledger.services.relief_run import run_relief_batch

    today = parse_date(on) if on else date.today()
    chunk = {"chunk": part_size} if part_size else {}
    update, stop = _progress(f"payroll {month}")
    with runtime() as rt:
        try:
            batch = (run_relief_batch(rt, Month.parse(month), acting_user(by), today)
                     if kind == "relief" else
                     run_payroll(rt, Month.parse(month), acting_user(by), progress=update,
                                 today=today, workers=workers, **chunk))
        finally:
            stop()
        row = batch_row(rt, batch.id)
        data = batch_summary(row) | {"report": report_json(row)}
        with rt.engine.connect() as conn:
            names = people(conn, report_case_ids(data))
    emit(data, as_json, lambda: print_batch(data, names))


@payroll.command("list")
@click.option("--month", default=None)
@json_option
@handled
def payroll_list(month: str | None, as_json: bool) -> None:
    from ledger.services.batches import list_batches

    with runtime() as rt:
        rt.read_model.catch_up()
        batches = list_batches(rt, str(Month.parse(month)) if month else None)

    def text() -> None:
        for b in batches:
            click.echo(f"{b['batch_id']}  {b['month']} {b['kind']:<13} {b['status']:<10} "
                       f"{b['payments']:>7} {b['total']:>14}")

    emit({"batches": batches}, as_json, text)


@payroll.command("show")
@click.argument("batch_id")
@json_option
@handled
def payroll_show(batch_id: str, as_json: bool) -> None:
    from ledger.services.batches import batch_lines, batch_row, batch_summary, report_json

    with runtime() as rt:
        rt.read_model.catch_up()
        bid = uuid_arg(batch_id, "batch")
        row = batch_row(rt, bid)
        data = batch_summary(row) | {"report": report_json(row), "lines": batch_lines(rt, bid)}
        with rt.engine.connect() as conn:
            names = people(conn, report_case_ids(data))
            names |= payees(conn, [line["payment_id"] for line in data["lines"][:50]])

    def text() -> None:
        print_batch(data, names)
        for line in data["lines"][:50]:
            click.echo(f"  {line['payment_id']} {names.get(line['payment_id'], '')} "
                       f"{line['programme']:<20} {line['kind']:<10} "
                       f"{line['for_month']} {line['amount']:>10} {line['status']}")
        if len(data["lines"]) > 50:
            click.echo(f"  … {len(data['lines']) - 50} more lines (use --json)")

    emit(data, as_json, text)


@payroll.command("approve")
@click.argument("batch_id")
@password_stdin_option
@by_option
@handled
def payroll_approve(batch_id: str, password_stdin: bool, by: str | None) -> None:
    from ledger.services.batches import approve_batch

    with runtime() as rt:
        approver = proven_user(rt, by, password_stdin, "payroll.approve")
        batch = approve_batch(rt, uuid_arg(batch_id, "batch"), approver)
    click.echo(f"batch {batch.id.hex} ({batch.month}) approved by {batch.approved_by}")


@main.command()
@click.option("--cases", type=click.IntRange(10, 2_000_000), default=1500, show_default=True)
@click.option("--seed", type=int, default=2024, show_default=True)
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("demo-out"),
              show_default=True)
@click.option("--months", type=click.IntRange(1, 12), default=12, show_default=True)
@handled
def demo(cases: int, seed: int, out: Path, months: int) -> None:
    """Build a synthetic county and run twelve months end to end."""
    from ledger.services.demo import programme_totals, run_demo

    with runtime(init=True) as rt:
        if rt.app.recorder.max_notification_id():
            raise click.ClickException(
                f"{safe_url(rt.settings.url)} already holds a ledger; the demo needs an empty one "
                "(remove the file or set LEDGER_DATABASE_URL)")
        summary = run_demo(rt, out, cases, seed, months, say=click.echo)
        totals = programme_totals(rt)
    click.echo(f"{'programme':<20} {'people':>7} {'payments':>9} {'yuan':>16}")
    for programme, t in totals.items():
        click.echo(f"{programme:<20} {t['people']:>7} {t['payments']:>9} {format_yuan(t['total']):>16}")
    returned = sum(summary.returns_by_month.values())
    click.echo(f"bank returns: {returned} payments; price subsidies: {summary.price_subsidies[0]} "
               f"payments, {format_yuan(summary.price_subsidies[1])} yuan")
    click.echo(f"demo finished: {summary.months} months, {summary.graduations} graduations, "
               f"{summary.exits} exits, {summary.reliefs} reliefs; files in {out}")



@main.command()
@click.argument("payment_id")
@json_option
@handled
def trace(payment_id: str, as_json: bool) -> None:
    """Every event that made a payment what it is."""
    from ledger.services.trace import trace_payment

    with runtime() as rt:
        rt.read_model.catch_up()
        data = trace_payment(rt, uuid_arg(payment_id, "payment"))

    def text() -> None:
        click.echo(f"payment {data['payment_id']}  {data['programme']} {data['kind']} "
                   f"{data['for_month']}  {data['amount']}  {data['status']}")
        click.echo(f"  {data['formula']}")
        for e in data["events"]:
            details = ", ".join(f"{k}={v}" for k, v in e.items()
                                if k not in ("type", "subject", "recorded_at", "effective"))
            click.echo(f"  {e['recorded_at'][:19]}  {e['subject']:<8} {e['type']:<24} "
                       f"{e['effective'] or '':<10} {details[:160]}")

    emit(data, as_json, text)


@main.group()
def projections() -> None:
    """Read models."""


@projections.command("rebuild")
@handled
def projections_rebuild() -> None:
    """Replay the whole event log into empty read-model tables."""
    from projections.rebuild import rebuild

    with runtime() as rt:
        position = rebuild(rt.read_model)
    click.echo(f"read model rebuilt up to event {position}")


# Command groups that live in their own modules (they import cli_support, not this module).
from ledger.cli import integrity as cli_integrity  # noqa: E402
from ledger.cli.accounts import user  # noqa: E402
from ledger.cli.bankfile import bankfile  # noqa: E402
from ledger.cli.payroll_status import payroll_discard, payroll_status  # noqa: E402
from ledger.cli.relief import relief_list, relief_refuse  # noqa: E402
from ledger.cli.report import report  # noqa: E402
from ledger.cli.review import review  # noqa: E402
from ledger.cli.scheduler import scheduler  # noqa: E402
from ledger.cli.serve import serve  # noqa: E402

for group in (bankfile, report, review, scheduler, cli_integrity.key, cli_integrity.verify,
              cli_integrity.audit, user, serve):
    main.add_command(group)
relief.add_command(relief_list)
relief.add_command(relief_refuse)
payroll.add_command(payroll_discard)
payroll.add_command(payroll_status)
from ledger.cli import members as cli_members  # noqa: E402

for group in cli_members.COMMANDS:
    main.add_command(group)

if __name__ == "__main__":
    main()
