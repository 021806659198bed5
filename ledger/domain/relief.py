"""临时救助 (temporary relief): a one-off grant of a multiple of the dibao standard.

Tiered approval: up to ``temporary.town_approval_multiple`` one approval
suffices; above it a second approval by a different user is needed before it can
be paid. Nobody approves their own grant (maker–checker), a decision recorded
here because the spec only says "another user".
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger.domain import payee_account
from ledger.domain.calendar import Month
from ledger.domain.errors import MakerCheckerError, ReliefError
from ledger.domain.event_fields import copy_fields
from ledger.domain.money import Fen, format_yuan
from ledger.domain.payee_account import CorrectableAccount
from ledger.domain.user_names import same_user, user_key


def relief_amount(multiple: int, dibao_monthly: Fen) -> Fen:
    """multiple × the monthly dibao standard of the area (exact in fen)."""
    return multiple * dibao_monthly


def check_multiple(multiple: int, max_multiple: int) -> None:
    if not 1 <= multiple <= max_multiple:
        raise ReliefError(
            f"multiple {multiple} is outside 1..{max_multiple} (policy temporary.max_multiple)"
        )


def approvals_counted(granted_by: str, approvers: list[str]) -> int:
    """Distinct approvers other than the granter, compared as normalised user names.

    Events recorded before names were normalised may hold ``chief`` and ``chief ``,
    or the granter spelled ``CLERK``: those never made a relief payable.
    """
    return len({user_key(a) for a in approvers} - {user_key(granted_by)})


class Relief(CorrectableAccount, Aggregate):
    # Copied from the Granted event by its apply() (those used outside it are declared here).
    granted_by: str
    multiple: int
    amount: int
    approvals_needed: int
    formula: str
    name: str
    bank_account: str
    bank_name: str

    class Granted(Aggregate.Created):
        case_id: UUID | None
        person_key: str
        name: str
        id_number: str
        area: str
        town: str
        village: str
        bank_name: str
        bank_account: str
        multiple: int
        amount: int
        formula: str
        approvals_needed: int
        reason: str
        month: Month
        by: str

        def apply(self, aggregate: Any) -> None:
            copy_fields(self, aggregate)
            aggregate.granted_by = self.by

    class Approved(Aggregate.Event):
        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.approvers.append(self.by)

    def __init__(self, **fields: Any) -> None:
        """Fields are copied from the creation event by its apply(), see copy_fields."""
        self.approvers: list[str] = []
        self.advance_on: date | None = None
        """The day an advance relief (先行救助) was granted, payable before its approvals."""
        self.refusal: str | None = None
        """Why the approvers finally refused it (None: not refused)."""
        self.refusal_recovery = 0
        """Fen to be recovered, decided with the refusal (what had been paid)."""

    @property
    def payable(self) -> bool:
        return approvals_counted(self.granted_by, self.approvers) >= self.approvals_needed

    def approve(self, by: str) -> None:
        # Compared normalised: approvals recorded before names were normalised count too.
        if same_user(by, self.granted_by):
            raise MakerCheckerError(f"{by} granted this relief and cannot approve it")
        if any(same_user(by, approver) for approver in self.approvers):
            raise MakerCheckerError(
                f"{by} already approved this relief; a second approval must come from another user"
            )
        if self.payable:
            raise ReliefError(f"relief {self.id.hex} is already fully approved")
        self.check_not_refused()
        self.trigger_event(self.Approved, by=by)

    def check_not_refused(self) -> None:
        if self.refusal is not None:
            raise ReliefError(f"relief {self.id.hex} was refused: {self.refusal}")

    def describe(self) -> str:
        return f"{self.multiple} × dibao standard = {format_yuan(self.amount)}"


    # --- advance relief (先行救助): paid first, approved (or refused) afterwards ----------------
    class AdvanceGranted(Aggregate.Event):
        """Payable before its approvals, which must follow within the policy's working days."""

        on: date
        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.advance_on = self.on

    class Refused(Aggregate.Event):
        """Finally refused. What was already paid stands and is to be recovered (``recovery``)."""

        reason: str
        paid: int
        """Fen already paid on an approved batch when refused."""
        recovery: int
        """Fen decided to be recovered from the person (the payment is never reversed)."""
        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.refusal = self.reason
            aggregate.refusal_recovery = self.recovery

    class AccountChanged(payee_account.AccountChanged):
        """The relief's payee account corrected (ledger.domain.payee_account)."""

    class PayeeNameCorrected(Aggregate.Event):
        """The payee's mistyped name corrected (更正姓名, with the person's cases): the
        account holder's name the bank checks, so a transfer it returned is paid again."""

        name: str
        reason: str
        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.name = self.name

    def check_account_correctable(self) -> None:
        self.check_not_refused()  # a refused relief is not paid again

    def correct_name(self, name: str, reason: str, by: str) -> bool:
        """Correct the payee's name; False when it already reads so (or the relief was
        refused: it is never paid again, so its record keeps what it was granted under)."""
        if self.refusal is not None or name == self.name:
            return False
        self.trigger_event(self.PayeeNameCorrected, name=name, reason=reason, by=by)
        return True

    def grant_in_advance(self, on: date, by: str) -> None:
        self.trigger_event(self.AdvanceGranted, on=on, by=by)

    def refuse(self, reason: str, paid: int, by: str) -> None:
        """Refuse a relief not (yet) fully approved; a paid advance is to be recovered."""
        if same_user(by, self.granted_by):
            raise MakerCheckerError(f"{by} granted this relief and cannot refuse it")
        self.check_not_refused()
        if self.payable:
            raise ReliefError(f"relief {self.id.hex} is already fully approved: it stands")
        self.trigger_event(self.Refused, reason=reason, paid=paid, recovery=paid, by=by)


def grant(relief_id: UUID, **fields: Any) -> Relief:
    """Create a relief grant (the Granted event)."""
    return Relief._create(Relief.Granted, id=relief_id, **fields)
