"""Correcting the account of a payee that is not a case: an institution, a relief.

The bank returns a transfer (account closed, name mismatch); the clerk records the right
account; the next regular payroll pays the returned transfer again to it
(``ledger.services.payroll_history.reissues``). The rules, one place for both payees:

- the new account is checked like any other (digits only; a UnionPay card's Luhn check),
  the bank's name and the reason are required, single-line text;
- the same account and bank again is refused (:class:`AccountUnchanged`): recording it would
  make a held transfer look corrected when nothing changed.

Each aggregate declares its own ``AccountChanged`` event as a subclass of
:class:`AccountChanged` (so its topic names the aggregate) and mixes in
:class:`CorrectableAccount`.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate

from ledger.domain.errors import LedgerRefusal
from ledger.domain.identity import normalize_bank_account
from ledger.domain.text_fields import check_text


class AccountUnchanged(LedgerRefusal):
    """The correction names the account the payee already has."""


def checked_account(bank_account: str, bank_name: str, reason: str) -> tuple[str, str, str]:
    """(account as digits, bank name, reason), trimmed; raises ValueError naming the option."""
    for what, value in (("--bank-name", bank_name), ("--reason", reason)):
        check_text(value, what)
        if not value.strip():
            raise ValueError(f"{what} is required")
    try:
        account = normalize_bank_account(bank_account)
    except ValueError as e:
        raise ValueError(f"--bank-account: {e}") from None
    return account, bank_name.strip(), reason.strip()


class AccountChanged(Aggregate.Event):
    """The payee's new account; a transfer returned before it may be paid again."""

    bank_account: str
    bank_name: str
    reason: str
    by: str

    def apply(self, aggregate: Any) -> None:
        aggregate.bank_account = self.bank_account
        aggregate.bank_name = self.bank_name


class CorrectableAccount:
    """Mixed into an aggregate paid to an account of its own."""

    bank_account: str
    bank_name: str
    AccountChanged: type[AccountChanged]

    def check_account_correctable(self) -> None:
        """Refuse when this payee's account may not change (a refused relief); else nothing."""

    def change_account(self, bank_account: str, bank_name: str, reason: str, by: str) -> None:
        """Record the new account (from :func:`checked_account`)."""
        self.check_account_correctable()
        if (bank_account, bank_name) == (self.bank_account, self.bank_name):
            raise AccountUnchanged("the payee already has this account at this bank")
        self.trigger_event(self.AccountChanged, bank_account=bank_account,  # type: ignore[attr-defined]
                           bank_name=bank_name, reason=reason, by=by)
