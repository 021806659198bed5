"""The read-model tables. Created and migrated by alembic (``migrations/``).

Money columns are integer fen. Months are 'YYYY-MM' text so they sort and
compare as months in SQL on both backends.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)

metadata = MetaData()


class SealedText(TypeDecorator[str]):
    """Text holding personal data: sealed with the engine's key (see ledger.adapters.sealing) when set.

    The sealer hangs on the engine's dialect (``make_engine`` puts it there), so
    two ledgers with different keys in one process never mix.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        sealer = getattr(dialect, "ledger_sealer", None)
        return value if value is None or sealer is None else sealer.seal(value)

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        sealer = getattr(dialect, "ledger_sealer", None)
        return value if value is None or sealer is None else sealer.open(value)

tracking = Table(
    "rm_tracking",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

cases = Table(
    "rm_cases",
    metadata,
    Column("case_id", String(32), primary_key=True),
    Column("programme", String(32), nullable=False),
    Column("person_key", String(128), nullable=False, index=True),
    Column("name", SealedText, nullable=False),
    Column("town", Text, nullable=False),
    Column("village", Text, nullable=False),
    Column("registered_poor", Boolean, nullable=False),
    Column("start_month", String(7), nullable=False),
    Column("exit_month", String(7)),
    Column("record", SealedText, nullable=False),
    Column("changed_position", BigInteger, nullable=False),
    Column("bank_changed_position", BigInteger, nullable=False),
)

batches = Table(
    "rm_batches",
    metadata,
    Column("batch_id", String(32), primary_key=True),
    Column("month", String(7), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    # What every line of the batch without a status of its own is (projections.payment_lines).
    Column("line_status", String(16), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("payments", Integer, nullable=False),
    Column("total", BigInteger, nullable=False),
    Column("by_programme", Text, nullable=False),
    Column("report", Text, nullable=False),
    Column("exports", Text, nullable=False),
    Column("makers", Text, nullable=False),
    Column("approved_by", Text),
    Column("computed", Boolean, nullable=False),
    Column("running", Boolean, nullable=False),
    Index("ix_rm_batches_month_kind", "month", "kind"),
)

payments = Table(
    "rm_payments",
    metadata,
    Column("payment_id", String(32), primary_key=True),
    Column("batch_id", String(32), nullable=False),
    Column("batch_month", String(7), nullable=False),
    Column("batch_kind", String(16), nullable=False),
    Column("case_id", String(32), nullable=False, index=True),
    Column("programme", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("for_month", String(7), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("transfer", BigInteger, nullable=False),
    # The line's own status, or "batch" while it has none (projections.payment_lines).
    Column("own_status", String(16), nullable=False),
    Column("return_reason", Text, nullable=False, default=""),
    Column("returned_position", BigInteger),
    Column("result_position", BigInteger),
    Column("reissue_of", Text, nullable=False, default=""),
    Column("reissued_by", String(32)),
    Column("name", SealedText, nullable=False),
    Column("id_number", SealedText, nullable=False),
    Column("bank_name", Text, nullable=False),
    Column("bank_account", SealedText, nullable=False),
    Column("town", Text, nullable=False),
    Column("village", Text, nullable=False),
    Column("formula", Text, nullable=False),
    Column("recorded_position", BigInteger, nullable=False),
    # A streamed payroll reads a batch's lines one range of cases at a time.
    Index("ix_rm_payments_batch_case", "batch_id", "case_id"),
    # Room on each page for a row's next versions (migration 0013).
    postgresql_with={"fillfactor": 70},
)

reliefs = Table(
    "rm_reliefs",
    metadata,
    Column("relief_id", String(32), primary_key=True),
    Column("case_id", String(32)),
    Column("person_key", String(128), nullable=False, index=True),
    Column("name", SealedText, nullable=False),
    Column("id_number", SealedText, nullable=False),
    Column("area", String(8), nullable=False),
    Column("town", Text, nullable=False),
    Column("village", Text, nullable=False),
    Column("bank_name", Text, nullable=False),
    Column("bank_account", SealedText, nullable=False),
    Column("multiple", Integer, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("month", String(7), nullable=False),
    Column("reason", Text, nullable=False),
    Column("formula", Text, nullable=False),
    Column("approvals_needed", Integer, nullable=False),
    Column("approvers", Text, nullable=False),
    Column("granted_by", Text, nullable=False),
    Column("payable", Boolean, nullable=False),
    Column("granted_at", String(32)),
    # Advance relief (先行救助): the day granted in advance; a final refusal and its recovery.
    Column("advance_on", String(10)),
    Column("refused_reason", Text),
    Column("refused_by", Text),
    Column("refused_at", String(32)),
    Column("recovery", BigInteger),
    # Log position of its last account change, 0 if never (migration 0016): a transfer
    # returned before it is paid again (ledger.services.payroll_history.reissues).
    Column("bank_changed_position", BigInteger, nullable=False),
)

reviews = Table(
    "rm_reviews",
    metadata,
    Column("case_id", String(32), primary_key=True),
    Column("last_review", String(10), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("household_class", String(8)),
    Column("reviews", Integer, nullable=False),
)
"""Periodic reviews (动态管理): one row per reviewed case, its latest review and class."""

journal = Table(
    "rm_journal",
    metadata,
    Column("line_id", Integer, primary_key=True, autoincrement=True),
    Column("entry", String(64), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("payment_id", String(32), nullable=False),
    Column("programme", String(32), nullable=False),
    Column("month", String(7), nullable=False),
    Column("town", Text, nullable=False),
    Column("account", String(64), nullable=False),
    Column("debit", BigInteger, nullable=False),
    Column("credit", BigInteger, nullable=False),
    Index("ix_rm_journal_month_programme", "month", "programme"),
)

chain = Table(
    "rm_chain",
    metadata,
    Column("first_position", BigInteger, primary_key=True, autoincrement=False),
    Column("last_position", BigInteger, nullable=False),
    Column("events", Integer, nullable=False),
    Column("links", Text, nullable=False),
)
"""Tamper evidence: a hash chain over the event log; one row per projected page, holding the
64-hex-digit link of every event of the page in log order (one row, not one per event, keeps
catch-up fast). On PostgreSQL the links are stored without compression (migration 0017)."""

accounts = Table(
    "rm_accounts",
    metadata,
    Column("account_id", String(32), primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("towns", Text, nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("position", BigInteger, nullable=False),
)
"""Console accounts (ledger/domain/accounts.py): no password hash here, only who may do what."""


members = Table(
    "rm_members",
    metadata,
    Column("case_id", String(32), primary_key=True),
    Column("person_key", String(128), primary_key=True, index=True),
    Column("from_month", String(7), primary_key=True),
    Column("to_month", String(7)),
)
"""Household members (户内成员), one row per period of membership: finds a person's
households by the keyed person hash, never by the raw number (names live in the case record)."""


campaigns = Table(
    "rm_campaigns",
    metadata,
    Column("campaign_id", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("month", String(7), nullable=False, index=True),
    Column("per", String(16), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("items", Text, nullable=False),
    Column("programmes", Text, nullable=False),
    Column("towns", Text, nullable=False),
    Column("ref", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("position", BigInteger, nullable=False),
)
"""One-off campaigns (ledger/domain/campaign.py): amount in fen (0 in kind), items ('' cash),
target programmes and towns as JSON lists (empty: all); position: where the log created it."""

campaign_handovers = Table(
    "rm_campaign_handovers",
    metadata,
    Column("campaign_id", String(32), primary_key=True),
    Column("person_key", String(128), primary_key=True),
    Column("handed_on", String(10), nullable=False),
    Column("received_by", SealedText, nullable=False),
    Column("recorded_by", Text, nullable=False),
)
"""Hand-overs of in-kind campaigns: one row per recipient (a household's applicant or a person)."""


institutions = Table(
    "rm_institutions",
    metadata,
    Column("institution_id", String(32), primary_key=True),
    Column("code", String(18), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("town", Text, nullable=False),
    Column("bank_name", Text, nullable=False),
    Column("bank_account", Text, nullable=False),
    Column("added_by", Text, nullable=False),
    Column("added_at", String(32), nullable=False),
    # Log position of its last account change, 0 if never (migration 0016): a transfer
    # returned before it is paid again (ledger.services.payroll_history.reissues).
    Column("bank_changed_position", BigInteger, nullable=False),
)
"""Institutions as payees (幸福院、敬老院), by unified social credit code: organisations, not
people, so nothing here is sealed."""

institution_grants = Table(
    "rm_institution_grants",
    metadata,
    Column("institution_id", String(32), primary_key=True),
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("programme", String(32), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("per", String(8), nullable=False),
    Column("from_month", String(7), nullable=False),
    Column("to_month", String(7)),
    Column("ref", Text, nullable=False),
    Column("granted_by", Text, nullable=False),
    Column("granted_at", String(32), nullable=False),
)
"""An institution's grants (per month, year or once), in the order granted."""
