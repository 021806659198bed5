"""One-off campaigns (冬春救助 and the like): who is in one, what each gets, who received it.

A campaign names a month, whether it counts households or people, and either an amount
(cash, paid by the month's ``campaign`` batch) or items (in kind, handed over and recorded
one hand-over at a time). Who is in it is decided purely from the cases in payment that
month (``shares``), so the payroll, the report and the hand-over form agree:

- a case is a candidate when its programme is one of the campaign's (all monthly
  programmes when none are named), its town one of the campaign's (all when none), and
  its own programme pays it for the month (the same answer as the payroll's);
- a ``dibao`` case is one household: one share, paid to its applicant, counting the
  household's size that month (its members in force, or the roster's size before any
  member is recorded); every other programme's case is one person;
- a person is in a campaign once: households come first, and a person already counted
  (as the payee of an earlier share or as a member of a household in it) is not counted
  again for another programme. A household whose members are not recorded is known only
  by its applicant;
- ``per household``: every share gets the amount once; ``per person``: the amount ×
  the people the share counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate

from ledger.domain.calendar import Month
from ledger.domain.errors import LedgerRefusal
from ledger.domain.event_fields import copy_fields
from ledger.domain.money import Fen, format_yuan

PER = ("household", "person")
MONTHLY_PROGRAMMES = ("dibao", "tekun", "disability_living", "disability_care", "elderly",
                      "orphan", "child_in_difficulty")
"""The programmes a campaign can target (cases paid month by month)."""
PROGRAMME_KEY = "campaign"
"""The programme key (and line kind) of a campaign's payment lines: one fund for campaigns."""


class CampaignError(LedgerRefusal):
    """Raised when a hand-over does not fit the campaign (not in it, already received, cash)."""


@dataclass(frozen=True, slots=True)
class Terms:
    """What a campaign gives, to whom: checked once, when it is created."""

    name: str
    month: Month
    per: str
    """``household`` or ``person``."""
    amount: Fen
    """Fen per household or person; 0 for an in-kind campaign."""
    items: str
    """What is handed over (in kind); '' for a cash campaign."""
    programmes: tuple[str, ...]
    """Target programmes; empty: every monthly programme."""
    towns: tuple[str, ...]
    """Target towns; empty: every town."""

    @property
    def in_kind(self) -> bool:
        return bool(self.items)


def check_terms(name: str, per: str, amount: Fen | None, items: str | None,
                programmes: Iterable[str]) -> list[str]:
    """Every problem with a campaign's terms (empty: fine): bad input, all reported at once."""
    problems = []
    if not name.strip():
        problems.append("a campaign needs a name")
    if per not in PER:
        problems.append(f"--per must be household or person, not {per!r}")
    has_items = items is not None and bool(items.strip())
    if amount is None and not has_items:
        problems.append("a campaign needs --amount YUAN (cash) or --items TEXT (in kind)")
    elif amount is not None and has_items:
        problems.append("a campaign is cash (--amount) or in kind (--items), not both")
    elif amount is not None and amount <= 0:
        problems.append(f"--amount must be more than 0, not {format_yuan(amount)}")
    unknown = sorted(set(programmes) - set(MONTHLY_PROGRAMMES))
    if unknown:
        problems.append(f"unknown programme(s) {', '.join(unknown)}; use "
                        f"{', '.join(MONTHLY_PROGRAMMES)}")
    return problems


@dataclass(frozen=True, slots=True)
class Candidate:
    """A case in payment in the campaign's month, as the targeting rule needs it."""

    case_id: str
    programme: str
    person_key: str
    """The payee (a household's applicant)."""
    town: str
    persons: int
    """People the case counts that month: a dibao household's size, else 1."""
    member_keys: tuple[str, ...] = ()
    """A dibao household's members in force that month (the applicant among them)."""


@dataclass(frozen=True, slots=True)
class Share:
    """One recipient's part of a campaign: one payment line, or one hand-over."""

    person_key: str
    case_id: str
    """The case it comes through."""
    programme: str
    persons: int
    amount: Fen
    """Fen (0 in kind)."""
    covers: frozenset[str]
    """Everyone counted in this share (the payee and a household's members)."""

    def formula(self, terms: Terms) -> str:
        """The payment's formula; ``persons_of`` reads the people counted back from it."""
        if terms.per == "household":
            return (f"{terms.name}: 1 household ({self.persons} person(s)) × "
                    f"{format_yuan(terms.amount)} = {format_yuan(self.amount)}")
        return (f"{terms.name}: {self.persons} person(s) × {format_yuan(terms.amount)} = "
                f"{format_yuan(self.amount)}")


_PERSONS = re.compile(r"^(?:1 household \()?(\d+) person\(s\)")


def persons_of(formula: str) -> int:
    """How many people a campaign line counts (保障人数), from the formula ``Share.formula``
    wrote: the part after the campaign's name, so a name cannot mislead it; 1 if unreadable."""
    found = _PERSONS.match(formula.rsplit(": ", 1)[-1])
    return int(found.group(1)) if found else 1


def targeted(terms: Terms, candidate: Candidate) -> bool:
    return ((not terms.programmes or candidate.programme in terms.programmes)
            and candidate.programme in MONTHLY_PROGRAMMES
            and (not terms.towns or candidate.town in terms.towns))


def shares(terms: Terms, candidates: Iterable[Candidate]) -> list[Share]:
    """Who is in the campaign and what each gets, in payee order: households first."""
    chosen = sorted((c for c in candidates if targeted(terms, c) and c.persons > 0),
                    key=lambda c: (c.programme != "dibao", c.case_id))
    counted: set[str] = set()
    out: list[Share] = []
    for c in chosen:
        covers = frozenset({c.person_key, *c.member_keys})
        if covers & counted:
            continue  # in the campaign already, through another programme or household
        counted |= covers
        persons = c.persons if c.programme == "dibao" else 1
        amount = terms.amount * (persons if terms.per == "person" else 1)
        out.append(Share(c.person_key, c.case_id, c.programme, persons, amount, covers))
    return sorted(out, key=lambda s: s.person_key)


def share_of(found: Iterable[Share], person_key: str) -> Share | None:
    """The share that counts a person (as its payee or as a member of its household)."""
    for share in found:
        if person_key in share.covers:
            return share
    return None


class Campaign(Aggregate):
    """A one-off campaign and, in kind, its hand-overs (one per share, by the payee's key)."""

    name: str
    month: Month
    per: str
    amount: int
    items: str
    programmes: list[str]
    towns: list[str]

    class Created(Aggregate.Created):
        name: str
        month: Month
        per: str
        amount: int
        items: str
        programmes: list[str]
        towns: list[str]
        ref: str
        by: str

        def apply(self, aggregate: Any) -> None:
            copy_fields(self, aggregate)

    class HandedOver(Aggregate.Event):
        """The items reached a recipient (a household's applicant, or a person)."""

        person_key: str
        on: date
        received_by: str
        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.handed_over[self.person_key] = (self.on, self.received_by, self.by)

    def __init__(self, **fields: Any) -> None:
        """Fields are copied from the creation event by its apply(), see copy_fields."""
        self.handed_over: dict[str, tuple[date, str, str]] = {}

    @property
    def terms(self) -> Terms:
        return Terms(self.name, self.month, self.per, self.amount, self.items,
                     tuple(self.programmes), tuple(self.towns))

    def hand_over(self, share: Share, on: date, received_by: str, by: str) -> None:
        if not self.items:
            raise CampaignError(f"campaign {self.name} is paid in cash through its batch; "
                                "nothing is handed over")
        if share.person_key in self.handed_over:
            when = self.handed_over[share.person_key][0]
            raise CampaignError(f"this recipient of {self.name} already received it on {when}")
        self.trigger_event(self.HandedOver, person_key=share.person_key, on=on,
                           received_by=received_by, by=by)


def create(campaign_id: Any, terms: Terms, ref: str, by: str) -> Campaign:
    """A new campaign (the Created event)."""
    return Campaign._create(Campaign.Created, id=campaign_id, name=terms.name,
                            month=terms.month, per=terms.per, amount=terms.amount,
                            items=terms.items, programmes=list(terms.programmes),
                            towns=list(terms.towns), ref=ref, by=by)
