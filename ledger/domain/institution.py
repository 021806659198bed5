"""An institution as a payee (幸福院、敬老院): its bank details and the grants it is paid.

An institution is found by its unified social credit code (``ledger.domain.uscc``):
its id is derived from the code, so adding the same institution twice collides in
the event store. Each grant pays from its ``from_month`` on:

- ``month``: the amount every month up to ``to_month`` (or open-ended);
- ``year``: the yearly amount paid monthly, rounded to the fen exactly as a yearly
  standard becomes monthly (``money.monthly_from_yearly``);
- ``once``: the amount in its ``from_month`` only.

The regular payroll pays an institution one line a month (programme ``institution``),
the sum of its grants due that month, each named in the line's formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger.domain import payee_account
from ledger.domain.calendar import Month
from ledger.domain.errors import LedgerRefusal
from ledger.domain.event_fields import copy_fields
from ledger.domain.money import Fen, format_yuan, monthly_from_yearly
from ledger.domain.payee_account import CorrectableAccount

PROGRAMME = "institution"
"""The programme key of every institution payment line."""
PERIODS = ("month", "year", "once")
PERIOD_NAMES = {"month": "每月", "year": "每年", "once": "一次性"}


class InstitutionError(LedgerRefusal):
    """Raised when an institution or a grant breaks a rule (already added, months reversed)."""


@dataclass(frozen=True, slots=True)
class Grant:
    """One grant to an institution, as recorded."""

    number: int
    """1, 2, … in the order granted: names the grant in formulas and on the console."""
    programme: str
    """The programme whose fund pays it (e.g. ``tekun`` for 集中供养), for the reader."""
    amount: Fen
    """As decided, in fen, per ``per``."""
    per: str
    from_month: Month
    to_month: Month | None
    ref: str
    """The decision (文号) that made the grant."""

    def monthly(self) -> Fen:
        """What one month of the grant pays (a ``once`` grant: its whole amount)."""
        return monthly_from_yearly(self.amount) if self.per == "year" else self.amount

    def due(self, month: Month) -> Fen:
        """What the grant pays for ``month``: 0 outside its months."""
        if self.per == "once":
            return self.amount if month == self.from_month else 0
        if month < self.from_month or (self.to_month is not None and month > self.to_month):
            return 0
        return self.monthly()

    def formula(self) -> str:
        """How the month's amount came about, e.g. ``#1 tekun 10000.00/year ÷ 12 = 833.33 [ref]``."""
        if self.per == "year":
            how = f"{format_yuan(self.amount)}/year ÷ 12 = {format_yuan(self.monthly())}"
        elif self.per == "once":
            how = f"{format_yuan(self.amount)} once"
        else:
            how = f"{format_yuan(self.amount)}/month"
        return f"#{self.number} {self.programme} {how} [{self.ref}]"


def check_grant_months(per: str, from_month: Month, to_month: Month | None) -> None:
    """A grant's months must make sense: ``to`` not before ``from``; a ``once`` grant has none."""
    if per not in PERIODS:
        raise ValueError(f"--per must be one of {', '.join(PERIODS)}, not {per!r}")
    if per == "once" and to_month is not None:
        raise ValueError("a once grant is paid in its --from month only: give no --to")
    if to_month is not None and to_month < from_month:
        raise ValueError(f"--to {to_month} is before --from {from_month}")


def month_line(grants: list[Grant], month: Month) -> tuple[Fen, str] | None:
    """The institution's line for ``month``: (amount, formula), or None when nothing is due."""
    due = [(g, g.due(month)) for g in grants]
    due = [(g, amount) for g, amount in due if amount]
    if not due:
        return None
    total = sum(amount for _, amount in due)
    return total, "; ".join(g.formula() for g, _ in due) + f" = {format_yuan(total)}"


class Institution(CorrectableAccount, Aggregate):
    """An institution paid by the ledger, and its grants."""

    code: str
    name: str
    town: str
    bank_account: str
    bank_name: str

    class Added(Aggregate.Created):
        code: str
        name: str
        town: str
        bank_account: str
        bank_name: str
        by: str

        def apply(self, aggregate: Any) -> None:
            copy_fields(self, aggregate)

    class Granted(Aggregate.Event):
        number: int
        programme: str
        amount: int
        per: str
        from_month: Month
        to_month: Month | None
        ref: str
        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.grants.append(Grant(self.number, self.programme, self.amount, self.per,
                                          self.from_month, self.to_month, self.ref))

    class AccountChanged(payee_account.AccountChanged):
        """The institution's account corrected (ledger.domain.payee_account)."""

    class Renamed(Aggregate.Event):
        """The institution's name corrected or changed (更名): the account holder's name the
        bank checks, so a transfer it returned for 户名不符 is paid again under this one."""

        name: str
        reason: str
        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.name = self.name

    def __init__(self, **fields: Any) -> None:
        """Fields are copied from the creation event by its apply(), see copy_fields."""
        self.grants: list[Grant] = []

    def grant(self, programme: str, amount: Fen, per: str, from_month: Month,
              to_month: Month | None, ref: str, by: str) -> Grant:
        check_grant_months(per, from_month, to_month)
        if amount <= 0:
            raise ValueError(f"--amount must be more than 0, not {format_yuan(amount)}")
        if not ref.strip():
            raise ValueError("--ref (the decision's reference) is required")
        self.trigger_event(self.Granted, number=len(self.grants) + 1, programme=programme,
                           amount=amount, per=per, from_month=from_month, to_month=to_month,
                           ref=ref.strip(), by=by)
        return self.grants[-1]

    def rename(self, name: str, reason: str, by: str) -> None:
        """Record the institution's new name (as on its bank account); the same name again
        is refused, as an unchanged account is: it would make a held transfer look fixed."""
        if not name.strip():
            raise ValueError("--name is required")
        if not reason.strip():
            raise ValueError("--reason is required")
        if name.strip() == self.name:
            raise InstitutionError(f"the institution is already named {self.name}")
        self.trigger_event(self.Renamed, name=name.strip(), reason=reason.strip(), by=by)


def add_institution(institution_id: UUID, code: str, name: str, town: str,
                    bank_account: str, bank_name: str, by: str) -> Institution:
    """A new institution (the code already checked by ``uscc.parse_uscc``)."""
    return Institution._create(Institution.Added, id=institution_id, code=code, name=name,
                               town=town, bank_account=bank_account, bank_name=bank_name,
                               by=by)
