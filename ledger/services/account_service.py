"""Account services shared by the CLI and the console: add, disable, list, authenticate.

Load → one command → save, as elsewhere. Authentication answers the same way
for an unknown user, a wrong password, a disabled and a locked account, and
spends the same Argon2 work on an unknown user, so neither the answer nor its
time tells which names exist.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from ledger.domain.accounts import (
    Account,
    AccountError,
    account_id,
    check_password,
    check_role,
    normalise_user_name,
)
from ledger.services.runtime import Runtime
from projections import schema

HASHER = PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106 low-memory profile
_DUMMY_HASH = HASHER.hash("not a password of anyone")
SIGN_IN_REFUSED = "用户名或密码不正确（连续失败 5 次后账户锁定 15 分钟）"


class SignInRefused(AccountError):
    """Raised when a sign-in fails, for whatever reason (one answer for every reason)."""


def add_user(rt: Runtime, name: str, role: str, towns: Iterable[str], password: str,
             by: str) -> Account:
    """Create an account; refused when the (normalised) name is taken."""
    account = normalise_user_name(name)
    check_role(role)
    check_password(password)
    if rt.app.maybe(account_id(account)) is not None:
        raise AccountError(f"user {account} already exists")
    user = Account(id=account_id(account), account=account, role=role,
                   towns=sorted({t.strip() for t in towns if t.strip()}),
                   password_hash=HASHER.hash(password), by=by)
    rt.app.save(user)
    rt.read_model.catch_up()
    return user


def load_account(rt: Runtime, name: str) -> Account | None:
    try:
        aggregate = rt.app.maybe(account_id(name))
    except ValueError:
        return None
    return aggregate if isinstance(aggregate, Account) else None


def disable_user(rt: Runtime, name: str, by: str) -> Account:
    user = load_account(rt, name)
    if user is None:
        raise AccountError(f"no user {normalise_user_name(name)}")
    user.disable(by)
    rt.app.save(user)
    rt.read_model.catch_up()
    return user


def change_role(rt: Runtime, name: str, role: str, towns: Iterable[str], by: str) -> Account:
    """Give an account another role or other towns (recorded; takes effect on its next page)."""
    user = load_account(rt, name)
    if user is None:
        raise AccountError(f"no user {normalise_user_name(name)}")
    user.change_role(role, sorted({t.strip() for t in towns if t.strip()}), by)
    rt.app.save(user)
    rt.read_model.catch_up()
    return user


def accounts_exist(rt: Runtime) -> bool:
    with rt.engine.connect() as conn:
        return bool(conn.execute(select(func.count()).select_from(schema.accounts)).scalar())


def list_users(rt: Runtime) -> list[dict[str, Any]]:
    rt.read_model.catch_up()
    a = schema.accounts.c
    with rt.engine.connect() as conn:
        rows = conn.execute(select(schema.accounts).order_by(a.name)).mappings().all()
    return [{"name": r["name"], "role": r["role"], "towns": json.loads(r["towns"]),
             "disabled": r["disabled"], "created_by": r["created_by"],
             "created_at": r["created_at"]} for r in rows]


def authenticate(rt: Runtime, name: str, password: str, now: datetime) -> Account:
    """The account when the password is right and it is neither disabled nor locked."""
    user = load_account(rt, name)
    if user is None:
        _verify(_DUMMY_HASH, password)
        raise SignInRefused(SIGN_IN_REFUSED)
    if user.disabled or user.locked_until(now) is not None:
        _verify(_DUMMY_HASH, password)
        raise SignInRefused(SIGN_IN_REFUSED)
    if not _verify(user.password_hash, password):
        user.fail_sign_in(now)
        rt.app.save(user)
        raise SignInRefused(SIGN_IN_REFUSED)
    user.sign_in(now)
    rt.app.save(user)
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
