"""Jinja filters: money in yuan, masked numbers, Chinese names for keys."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment

from ledger.accounts import ROLE_NAMES
from ledger.bank_exchange import mask_numbers
from ledger.identity import mask
from ledger.money import format_yuan
from ledger.programme_names import KIND_NAMES, STATUS_NAMES, programme_name

BATCH_STATUS = {"draft": "草稿", "approved": "已审核", "exported": "已导出",
                "reconciled": "已对账", "discarded": "已作废"}
BATCH_KINDS = {"regular": "月度发放", "price_subsidy": "价格临时补贴", "relief": "临时救助",
               "campaign": "专项救助"}
CASE_STATUS = {"in_payment": "在保", "exited": "已退出", "graduating": "渐退中",
               "pending": "未开始", "graduated": "已渐退"}


def yuan(value: Any) -> str:
    """Fen (int) or yuan text, as yuan with two decimals and thousands separators."""
    text = format_yuan(value) if isinstance(value, int) else str(value)
    sign, _, digits = text.rpartition("-")
    whole, _, cents = digits.partition(".")
    return f"{sign}{int(whole):,}.{cents or '00'}" if whole.isdigit() else text


def register(env: Environment) -> None:
    env.filters.update(
        yuan=yuan,
        mask=lambda v: mask(str(v)) if v else "",
        masked_text=lambda v: mask_numbers(str(v)),
        programme=programme_name,
        kind=lambda k: KIND_NAMES.get(k, k),
        pay_status=lambda s: STATUS_NAMES.get(s, s),
        batch_status=lambda s: BATCH_STATUS.get(s, s),
        batch_kind=lambda k: BATCH_KINDS.get(k, k),
        case_status=lambda s: CASE_STATUS.get(s, s),
        role=lambda r: ROLE_NAMES.get(r, r),
    )
