"""`ledger review record` and `ledger review due` (periodic review, 动态管理)."""

from __future__ import annotations

from datetime import date

import click

from ledger.cli.accounts import Claim, actor_options
from ledger.cli.support import emit, handled, json_option, runtime, uuid_arg
from ledger.domain.calendar import Month
from ledger.domain.periodic_review import CLASSES, OUTCOMES


@click.group()
def review() -> None:
    """Periodic review of dibao households (动态管理)."""


@review.command("record")
@click.argument("case_id")
@click.option("--date", "on", required=True, help="review date YYYY-MM-DD")
@click.option("--outcome", type=click.Choice(OUTCOMES), required=True)
@click.option("--class", "household_class", type=click.Choice(CLASSES), default=None,
              help="household class from this review on (default: keep the previous one)")
@actor_options
@handled
def review_record(case_id: str, on: str, outcome: str, household_class: str | None,
                  claim: Claim) -> None:
    """Record a review; `exit` ends the case from the month after the review date."""
    from ledger.domain.periodic_review import exit_month
    from ledger.services.reviews import record_review

    day = date.fromisoformat(on)
    with runtime() as rt:
        case = record_review(rt, uuid_arg(case_id, "case"), day, outcome, household_class,
                             claim.proven(rt, "review.record"))
    tail = f"; exits from {exit_month(day)}" if outcome == "exit" else ""
    click.echo(f"case {case.id.hex} reviewed on {day}: {outcome}"
               f"{f' (class {household_class})' if household_class else ''}{tail}")


@review.command("due")
@click.option("--month", default=None, help="YYYY-MM (default this month)")
@json_option
@handled
def review_due(month: str | None, as_json: bool) -> None:
    """Dibao households whose periodic review is due or overdue in the month."""
    from ledger.services.reviews import due_reviews

    when = Month.parse(month) if month else Month.of(date.today())
    with runtime() as rt:
        rt.read_model.catch_up()
        due = due_reviews(rt, when)

    def text() -> None:
        click.echo(f"{len(due)} household(s) due for review in {when}")
        for d in due:
            click.echo(f"  {d['case_id']}  {d['name']} {d['id_number']}  {d['town']} "
                       f"{d['village']}  class {d['household_class'] or '-'}  since {d['since']}"
                       f"  due {d['due_month']}")

    emit({"month": str(when), "due": due}, as_json, text)
