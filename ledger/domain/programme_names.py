"""The programmes' Chinese names: one table for every file a clerk, a bank or a reader sees.

Taken from the spec's programme table. Before this module the roster reader and
the bank files each kept their own table, and they disagreed (孤儿 vs
孤儿/事实无人抚养儿童基本生活费); a roster, a bank file and a report about the same
payment must name its programme the same way.
"""

from __future__ import annotations

PROGRAMME_NAMES: dict[str, str] = {
    "dibao": "最低生活保障",
    "tekun": "特困人员救助供养",
    "disability_living": "困难残疾人生活补贴",
    "disability_care": "重度残疾人护理补贴",
    "elderly": "经济困难老年人补贴",
    "orphan": "孤儿/事实无人抚养儿童基本生活费",
    "child_in_difficulty": "困境儿童基本生活费",
    "temporary": "临时救助",
    "price_subsidy": "价格临时补贴",
    "campaign": "救助活动",
    "institution": "机构供养补助",
}
"""Programme key -> its Chinese name (spec, "Programmes and money rules"; ``institution``:
grants to institutions as payees, 幸福院、敬老院)."""


KIND_NAMES: dict[str, str] = {
    "regular": "正常发放",
    "graduation": "渐退",
    "arrears": "补发",
    "recovery": "追回",
    "reissue": "重发",
    "price_subsidy": "价格临时补贴",
    "relief": "临时救助",
    "campaign": "救助活动",
}
"""Payment line kind -> the word a clerk's roster uses."""

STATUS_NAMES: dict[str, str] = {
    "draft": "草稿",
    "approved": "已审核",
    "exported": "已导出",
    "settled": "已到账",
    "returned": "已退回",
    "withdrawn": "已撤回",
}
"""Payment status -> the word a clerk's roster uses."""


def programme_name(key: str) -> str:
    """The Chinese name of a programme; an unknown key (never expected) is shown as it is."""
    return PROGRAMME_NAMES.get(key, key)
