"""`ledger member add|remove|classify|correct`, `ledger members import` and `ledger deaths import`.

Households and people (SPEC): a dibao household's members with effective months, and
the civil-registration death list. Refusals exit 1, bad input exit 2, nothing recorded.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from ledger.cli.accounts import Claim, actor_options
from ledger.cli.support import BadInput, emit, handled, json_option, runtime
from ledger.cli.text import TEXT
from ledger.domain.calendar import Month
from ledger.domain.household import REASONS, RELATIONS
from ledger.domain.identity import IdNumberError, mask, normalize_id_number
from ledger.domain.member_classes import CLASSES

_RELATION_CHOICES = {**{k: k for k in RELATIONS}, **{zh: k for k, zh in RELATIONS.items()}}


def _id_number(text: str, what: str) -> str:
    try:
        return normalize_id_number(text, date.today())
    except IdNumberError as e:
        raise BadInput(f"{what}: {e}") from None


@click.group()
def member() -> None:
    """Members of a dibao household (户内成员), one at a time."""


@member.command("add")
@click.argument("applicant_id_number")
@click.option("--id-number", "id_number", required=True, help="the member's ID number")
@click.option("--name", type=TEXT, required=True)
@click.option("--relation", type=click.Choice(list(_RELATION_CHOICES)), required=True,
              help="to the applicant; self (本人) is the applicant")
@click.option("--from", "from_", required=True, help="first month counted, YYYY-MM")
@click.option("--class", "classes", type=click.Choice(list(CLASSES)), multiple=True,
              help="a classification (分类施保) from the same month; repeatable")
@actor_options
@handled
def member_add(applicant_id_number: str, id_number: str, name: str, relation: str,
               from_: str, classes: tuple[str, ...], claim: Claim) -> None:
    """Count a person in the applicant's household from a month."""
    from ledger.services.members import add_member

    applicant = _id_number(applicant_id_number, "applicant ID number")
    person = _id_number(id_number, "--id-number")
    month = Month.parse(from_)
    with runtime() as rt:
        added = add_member(rt, applicant, person, name, _RELATION_CHOICES[relation], month,
                           claim.proven(rt, "case.change"), classes)
    said = "added to" if added else "already recorded in"
    click.echo(f"{mask(person)} {said} the household of {mask(applicant)} from {month}")


@member.command("classify")
@click.argument("id_number")
@click.option("--class", "classification", type=click.Choice(list(CLASSES)), required=True,
              help="serious_illness 重病, severe_disability 重残, elderly70, minor 未成年")
@click.option("--from", "from_", required=True, help="first month the class holds, YYYY-MM")
@click.option("--until", "until", default=None, help="last month it holds, YYYY-MM")
@actor_options
@handled
def member_classify(id_number: str, classification: str, from_: str, until: str | None,
                    claim: Claim) -> None:
    """A household member's classification (分类施保), which adds a dibao top-up."""
    from ledger.services.members import classify_member

    person = _id_number(id_number, "ID number")
    start, end = Month.parse(from_), Month.parse(until) if until else None
    with runtime() as rt:
        household, done = classify_member(rt, person, classification, start, end,
                                          claim.proven(rt, "case.change"))
    said = "classified" if done else "already classified"
    click.echo(f"{mask(person)} of household {household.id.hex} {said} {classification} "
               f"({CLASSES[classification]}) from {start}" + (f" to {end}" if end else ""))


@member.command("remove")
@click.argument("id_number")
@click.option("--from", "from_", required=True, help="first month no longer counted, YYYY-MM")
@click.option("--reason", type=click.Choice(REASONS), required=True)
@actor_options
@handled
def member_remove(id_number: str, from_: str, reason: str, claim: Claim) -> None:
    """A member leaves their household from a month (death, moved, married, other)."""
    from ledger.services.members import remove_member

    person = _id_number(id_number, "ID number")
    month = Month.parse(from_)
    with runtime() as rt:
        household = remove_member(rt, person, month, reason, claim.proven(rt, "case.change"))
    click.echo(f"{mask(person)} leaves household {household.id.hex} from {month}: {reason}")


@member.command("correct")
@click.argument("applicant_id_number")
@click.option("--id-number", "id_number", required=True, help="the member's ID number")
@click.option("--name", type=TEXT, default=None, help="the name as it should read")
@click.option("--relation", type=click.Choice(list(_RELATION_CHOICES)), default=None,
              help="the relation to the applicant as it should read")
@click.option("--reason", type=TEXT, required=True, help="why (e.g. 户口本核对：姓名录入错误)")
@actor_options
@handled
def member_correct(applicant_id_number: str, id_number: str, name: str | None,
                   relation: str | None, reason: str, claim: Claim) -> None:
    """Correct a recorded member's name or relation (更正): a typing error, for every month.

    A wrong ID number is another person: remove them and add the right one instead.
    """
    from ledger.services.members import correct_member

    applicant = _id_number(applicant_id_number, "applicant ID number")
    person = _id_number(id_number, "--id-number")
    if name is None and relation is None:
        raise BadInput("nothing to correct: give --name, --relation or both")
    with runtime() as rt:
        done = correct_member(rt, applicant, person, name,
                              None if relation is None else _RELATION_CHOICES[relation],
                              reason, claim.proven(rt, "case.change"))
    said = "corrected" if done else "already reads so; nothing recorded"
    click.echo(f"{mask(person)} of the household of {mask(applicant)}: {said}")


@click.group()
def members() -> None:
    """Household members lists (户内成员名单)."""


@members.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="validate only")
@actor_options
@handled
def members_import(file: Path, dry_run: bool, claim: Claim) -> None:
    """Record a members list: all or nothing, every problem listed; twice records nothing new."""
    from ledger.services.members_file import import_members

    with runtime() as rt:
        who = claim.named() if dry_run else claim.proven(rt, "roster.import")
        result = import_members(rt, file, date.today(), who, dry_run)
    if result.problems or result.refusals:
        for problem in sorted(result.problems + result.refusals,
                              key=lambda p: (p.more > 0, p.row, p.column)):
            click.echo(str(problem), err=True)
        problems = sum(p.more or 1 for p in result.problems)
        click.echo(f"{problems} problem(s), {len(result.refusals)} refused by the rules; "
                   "nothing recorded", err=True)
        sys.exit(2 if result.problems else 1)
    verb = "would add" if dry_run else "added"
    click.echo(f"{file}: {result.rows} rows valid; {verb} {result.added} member(s); "
               f"{result.already} already recorded")


@click.group()
def deaths() -> None:
    """The civil-registration death list (死亡名单)."""


@deaths.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@json_option
@actor_options
@handled
def deaths_import(file: Path, as_json: bool, claim: Claim) -> None:
    """End the cases and memberships of the people on the list from the month after death."""
    from ledger.services.deaths import import_deaths

    with runtime() as rt:
        result = import_deaths(rt, file, date.today(), claim.proven(rt, "deaths.import"))
    if result.problems:
        summary = f"{sum(p.more or 1 for p in result.problems)} problem(s) in {file}; " \
                  "nothing recorded"
        if as_json:  # one JSON error on stdout, nothing on stderr
            raise BadInput("; ".join(map(str, result.problems)) + f" ({summary})")
        for problem in result.problems:
            click.echo(str(problem), err=True)
        raise BadInput(summary)

    def text() -> None:
        click.echo(f"{file}: {result.rows} people; {len(result.matched)} matched, "
                   f"{len(result.cases_ended)} case(s) ended, "
                   f"{len(result.members_removed)} member(s) removed, "
                   f"{len(result.unknown)} unknown")
        for m in result.matched:
            click.echo(f"  died {m['death_date']}: {m['name']} {m['id_number']} "
                       f"(from {m['from']})")
        for e in result.cases_ended:
            click.echo(f"  case {e['case_id']} {e['programme']} ends from {e['from']}")
        for r in result.members_removed:
            click.echo(f"  member {r['id_number']} leaves household {r['case_id']} "
                       f"from {r['from']}")
        for u in result.unknown:
            click.echo(f"  unknown, skipped: {u}")

    emit(result.to_json(), as_json, text)


COMMANDS = (member, members, deaths)
"""The command groups `ledger/cli/main.py` registers."""
