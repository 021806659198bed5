"""The fund accounts (资金专户) each programme is paid from, named in LEDGER_DEBTOR_ACCOUNTS.

Without the file a bank file carries a placeholder account a bank refuses, and the export
warns; a pain.001 re-export is byte-identical or refused, so configure it before the first.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ledger.adapters.bankfiles import PROGRAMME_NAMES, DebtorAccount

DEBTOR_ACCOUNTS_ENV = "LEDGER_DEBTOR_ACCOUNTS"

# --- -------------------------------------------------------------------
PLACEHOLDER_ACCOUNT = "UNCONFIGURED"
PLACEHOLDER_PARTY = "县民政局"


@dataclass(frozen=True)
class DebtorAccounts:
    """The fund account each programme is paid from, and the initiating party's name.

    Read from the JSON (or ``.toml``) file named by ``LEDGER_DEBTOR_ACCOUNTS``::

        {"initiating_party": "某某县民政局",
         "accounts": {
           "default": {"name": "某某县民政局社会救助资金专户",
                       "account": "43050101234567890123", "bank_name": "中国农业银行某某县支行"},
           "tekun":   {"name": "...", "account": "...", "bank_name": "..."}}}

    ``default`` serves every programme without its own entry. Without the
    variable every programme gets a placeholder account ``UNCONFIGURED`` —
    a file the bank will refuse, never one that pays from a wrong account —
    and :attr:`configured` is False so the command line can warn.
    """

    initiating_party: str
    accounts: Mapping[str, DebtorAccount]
    source: str
    configured: bool = True

    @classmethod
    def placeholder(cls) -> DebtorAccounts:
        return cls(PLACEHOLDER_PARTY, {}, f"{DEBTOR_ACCOUNTS_ENV} not set", configured=False)

    @classmethod
    def from_env(cls) -> DebtorAccounts:
        path = os.environ.get(DEBTOR_ACCOUNTS_ENV, "").strip()
        return cls.load(Path(path)) if path else cls.placeholder()

    @classmethod
    def load(cls, path: Path) -> DebtorAccounts:
        """Read and check the file; ValueError naming the file and the key on any problem."""
        where = f"{DEBTOR_ACCOUNTS_ENV} file {path}"
        try:
            raw = path.read_bytes()
            data = (tomllib.loads(raw.decode("utf-8")) if path.suffix.lower() == ".toml"
                    else json.loads(raw.decode("utf-8")))
        except OSError as exc:
            raise ValueError(f"{where}: cannot read: {exc.strerror or exc}") from None
        except (UnicodeDecodeError, json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"{where}: not valid {path.suffix or 'JSON'}: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("accounts"), dict):
            raise ValueError(f"{where}: needs an object with an 'accounts' object")
        party = data.get("initiating_party", PLACEHOLDER_PARTY)
        if not isinstance(party, str) or not party.strip():
            raise ValueError(f"{where}: initiating_party must be a non-empty text")
        accounts: dict[str, DebtorAccount] = {}
        for key, entry in data["accounts"].items():
            if key != "default" and key not in PROGRAMME_NAMES:
                raise ValueError(f"{where}: accounts.{key}: not a programme "
                                 f"(use one of {', '.join(PROGRAMME_NAMES)} or default)")
            values = {}
            for name in ("name", "account", "bank_name"):
                value = entry.get(name) if isinstance(entry, dict) else None
                if not isinstance(value, str) or not value.strip():
                    raise ValueError(f"{where}: accounts.{key}.{name} must be a non-empty text")
                values[name] = value.strip()
            accounts[key] = DebtorAccount(**values)
        return cls(party.strip(), accounts, where)

    def for_programme(self, programme: str) -> DebtorAccount:
        if not self.configured:
            return DebtorAccount(f"{PROGRAMME_NAMES[programme]}资金专户", PLACEHOLDER_ACCOUNT,
                                 "未配置开户银行")
        account = self.accounts.get(programme) or self.accounts.get("default")
        if account is None:
            raise ValueError(f"{self.source}: no account for programme {programme} "
                             "and no default account")
        return account
