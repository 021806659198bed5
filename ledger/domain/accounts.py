"""Console accounts (用户): who may act, in which role, for which towns.

An account is an aggregate whose events are recorded facts — who created whom,
when a role changed, who disabled it, each failed sign-in — so they appear in
``ledger audit`` like any other change. Only an Argon2id hash of the password
is ever recorded. Sign-in failures carry the time of the clock the caller was
given, so the lockout rule is decided by that clock, never a hidden one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from ledger.domain.errors import LedgerRefusal
from ledger.domain.ids import NAMESPACE
from ledger.domain.user_names import UserNameError, normalise_user

ROLES = ("clerk", "approver", "finance", "auditor", "admin")
ROLE_NAMES = {"clerk": "经办", "approver": "审核", "finance": "财务", "auditor": "审计",
              "admin": "管理员"}
MIN_PASSWORD = 10
LOCK_FAILURES = 5
LOCK_WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)


class AccountError(LedgerRefusal):
    """Raised when an account cannot be created, changed or used (refused, exit 1)."""


def normalise_user_name(text: str) -> str:
    """An account name: the ledger's one user-name rule (``ledger.domain.user_names``), no spaces."""
    name = normalise_user(text)
    if " " in name:
        raise UserNameError("an account name has no spaces")
    return name


def account_id(name: str) -> UUID:
    return uuid5(NAMESPACE, f"account:{normalise_user_name(name)}")


class Account(Aggregate):
    """One console user: role, towns, password hash, disabled flag, recent sign-in failures."""

    class Created(Aggregate.Created):
        account: str
        role: str
        towns: list[str]
        password_hash: str
        by: str

    class RoleChanged(Aggregate.Event):
        role: str
        towns: list[str]
        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.role, aggregate.towns = self.role, list(self.towns)

    class Disabled(Aggregate.Event):
        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.disabled = True

    class SignInFailed(Aggregate.Event):
        at: str
        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.failures.append(datetime.fromisoformat(self.at))
            del aggregate.failures[:-LOCK_FAILURES * 4]

    class SignedIn(Aggregate.Event):
        at: str
        by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.failures.clear()

    def __init__(self, id: UUID, account: str, role: str, towns: list[str],  # noqa: A002
                 password_hash: str, by: str) -> None:
        self.account = account
        self.role = role
        self.towns = list(towns)
        self.password_hash = password_hash
        self.created_by = by
        self.disabled = False
        self.failures: list[datetime] = []

    def change_role(self, role: str, towns: list[str], by: str) -> None:
        self.trigger_event(self.RoleChanged, role=check_role(role), towns=list(towns), by=by)

    def disable(self, by: str) -> None:
        if self.disabled:
            raise AccountError(f"account {self.account} is already disabled")
        self.trigger_event(self.Disabled, by=by)

    def fail_sign_in(self, now: datetime) -> None:
        self.trigger_event(self.SignInFailed, at=now.isoformat(), by=self.account)

    def sign_in(self, now: datetime) -> None:
        self.trigger_event(self.SignedIn, at=now.isoformat(), by=self.account)

    def locked_until(self, now: datetime) -> datetime | None:
        """The end of the lock in force at ``now``: 5 failures within 15 minutes lock 15 minutes."""
        f = sorted(self.failures)
        ends = [f[i] + LOCK_FOR for i in range(LOCK_FAILURES - 1, len(f))
                if f[i] - f[i - LOCK_FAILURES + 1] <= LOCK_WINDOW]
        until = max(ends, default=None)
        return until if until is not None and until > now else None


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    return role


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    return password
