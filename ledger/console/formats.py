"""Jinja filters: money in yuan, masked numbers, Chinese names for keys."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment

from ledger.domain.accounts import ROLE_NAMES
from ledger.domain.household import RELATIONS
from ledger.domain.identity import mask, mask_numbers
from ledger.domain.member_classes import CLASSES
from ledger.domain.money import format_yuan, parse_yuan
from ledger.domain.programme_names import (
    KIND_NAMES,
    PROGRAMME_NAMES,
    STATUS_NAMES,
    programme_name,
)

BATCH_STATUS = {"draft": "草稿", "approved": "已审核", "exported": "已导出",
                "reconciled": "已对账", "discarded": "已作废"}
BATCH_KINDS = {"regular": "月度发放", "price_subsidy": PROGRAMME_NAMES["price_subsidy"],
               "relief": PROGRAMME_NAMES["temporary"], "campaign": "专项救助"}
"""A batch's kind: the two out-of-cycle kinds are named as the programme they pay."""
CASE_STATUS = {"in_payment": "在保", "exited": "已退出", "graduating": "渐退中",
               "pending": "未开始", "graduated": "已渐退"}


def yuan(value: Any) -> str:
    """Fen (int) or yuan text, as yuan with two decimals and thousands separators."""
    text = format_yuan(value) if isinstance(value, int) else str(value)
    sign, _, digits = text.rpartition("-")
    whole, _, cents = digits.partition(".")
    return f"{sign}{int(whole):,}.{cents or '00'}" if whole.isdigit() else text


LEAVE_REASONS = {"death": "死亡", "moved": "迁出", "married": "婚嫁", "other": "其他"}


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
        relation=lambda r: RELATIONS.get(r, r),
        leave_reason=lambda r: LEAVE_REASONS.get(r, r),
        member_class=lambda c: CLASSES.get(c, c),
        capital=lambda v: rmb_upper(parse_yuan(str(v)) if not isinstance(v, int) else v),
    )


DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ("", "拾", "佰", "仟")
GROUPS = ("", "万", "亿", "万亿")


def rmb_upper(fen: int) -> str:
    """An amount in Chinese capital figures (人民币大写), as written on a payment order.

    Shown beside the figures at approval, so a misplaced decimal point is caught twice.
    """
    if fen < 0:
        return "负" + rmb_upper(-fen)
    yuan_part, rest = divmod(fen, 100)
    jiao, fen_digit = divmod(rest, 10)
    groups = []
    while yuan_part:
        groups.append(yuan_part % 10000)
        yuan_part //= 10000
    out = ""
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            out += "零" if out and not out.endswith("零") else ""
            continue
        if out and group < 1000 and not out.endswith("零"):
            out += "零"
        part, zero = "", False
        for k in range(3, -1, -1):
            d = group // 10 ** k % 10
            if d == 0:
                zero = bool(part)
            else:
                part += ("零" if zero else "") + DIGITS[d] + UNITS[k]
                zero = False
        out += part + GROUPS[index]
    out = (out.rstrip("零") or "零") + "元"
    if jiao == 0 and fen_digit == 0:
        return out + "整"
    if jiao:
        out += DIGITS[jiao] + "角"
    elif out != "零元":
        out += "零"
    return out + (DIGITS[fen_digit] + "分" if fen_digit else "整")
