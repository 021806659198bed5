"""The double-entry journal of every money movement, posted from the read model.

Accounts: ``expense:<programme>`` (what a programme spent), ``bank_clearing``
(sent to the bank, not yet answered) and ``fund_bank:<programme>`` (the
programme fund's bank account). Postings, each a balanced pair of lines:

- batch approval, per line:   Dr expense      / Cr bank_clearing   (amount; reversed for a recovery)
- bank success, per payment:  Dr bank_clearing / Cr fund_bank       (transfer)
- bank return, per payment:   Dr bank_clearing / Cr expense         (transfer: back to the fund)

A reissue is a new line of a later approved batch and posts like any line.
Fund totals are sums over this journal; Σ debits = Σ credits to the fen.
Lines are inserted set-wise (INSERT … SELECT from the payments table) in the
read model's own transaction, so they are exactly-once with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, String, case, cast, insert, literal, select
from sqlalchemy.sql.elements import ColumnElement

from projections import schema

p = schema.payments.c


def _post(conn: Connection, where: ColumnElement[bool], position: ColumnElement[Any], kind: str,
          amount: ColumnElement[Any], debit_account: ColumnElement[Any],
          credit_account: ColumnElement[Any]) -> None:
    """Insert both lines of one posting for every payment matching ``where``."""
    for account, is_debit in ((debit_account, True), (credit_account, False)):
        positive = case((amount >= 0, amount), else_=literal(0))
        negative = case((amount < 0, -amount), else_=literal(0))
        debit, credit = (positive, negative) if is_debit else (negative, positive)
        query = select(
            (literal(kind + ":") + p.payment_id).label("entry"),
            position.label("position"),
            literal(kind).label("kind"),
            p.payment_id, p.programme, p.batch_month.label("month"), p.town,
            account.label("account"),
            debit.label("debit"), credit.label("credit"),
        ).where(where)
        conn.execute(insert(schema.journal).from_select(
            ["entry", "position", "kind", "payment_id", "programme", "month", "town", "account",
             "debit", "credit"], query))


def _expense() -> ColumnElement[str]:
    return literal("expense:") + cast(p.programme, String)


def post_approval(conn: Connection, batch_id: str, position: int) -> None:
    _post(conn, (p.batch_id == batch_id) & (p.own_status != "withdrawn") & (p.amount != 0),
          literal(position), "paid", p.amount, _expense(), literal("bank_clearing"))


def post_results(conn: Connection, settled: Sequence[str], returned: Sequence[str]) -> None:
    """Post bank results; each posting carries the position of its own result event."""
    for i in range(0, len(settled), 500):
        _post(conn, p.payment_id.in_(settled[i:i + 500]), p.result_position, "settled",
              p.transfer, literal("bank_clearing"),
              literal("fund_bank:") + cast(p.programme, String))
    for i in range(0, len(returned), 500):
        _post(conn, p.payment_id.in_(returned[i:i + 500]), p.result_position, "returned",
              p.transfer, literal("bank_clearing"), _expense())
