"""动态管理 in the console: the households due for review and a clerk's record of one; both
backends.

Console county (tests/console_county.py): five rural dibao households from 2024-01, none
reviewed, persons 1–3 in 城关镇 and 4–5 in 新市镇. With review.months 12 (the default), by
hand, every one is due in 2025-01 (2024-01 + 12) and none in 2024-12.
"""

from __future__ import annotations

from pathlib import Path

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services.runtime import Runtime
from tests import console_county as cc
from tests import county


def _case(seq: int) -> str:
    return ids.case_id(county.person(seq), "dibao").hex


def test_a_clerk_sees_who_is_due_and_records_reviews(rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    web = cc.client(c)
    token = cc.sign_in(web, "clerk")
    assert "应复核（含逾期）的低保家庭：0 户" in web.get("/reviews?month=2024-12").text
    page = web.get("/reviews?month=2025-01").text
    assert "应复核（含逾期）的低保家庭：5 户" in page
    assert all(f"/people/{_case(i)}" in page for i in range(1, 6))
    assert county.person(1) not in page  # masked

    before = cc.events(c)
    for bad in ({"date": "2025-01-10", "outcome": "maybe"},
                {"date": "2025-13-10", "outcome": "continue"},
                {"date": "2025-01-10", "outcome": "continue", "household_class": "Z"},
                {"date": "2023-12-01", "outcome": "continue"}):  # before the case started
        body = web.post(f"/reviews/{_case(1)}/record",
                        data={**bad, "month": "2025-01", "csrf_token": token}).text
        assert "未记录" in body, bad
    assert cc.events(c) == before

    body = web.post(f"/reviews/{_case(1)}/record", data={
        "date": "2025-01-10", "outcome": "continue", "household_class": "B",
        "month": "2025-01", "csrf_token": token}).text
    assert "已记录复核：继续保障" in body and "低保家庭：4 户" in body
    body = web.post(f"/reviews/{_case(2)}/record", data={
        "date": "2025-01-15", "outcome": "exit", "month": "2025-01", "csrf_token": token}).text
    assert "已记录复核：退出" in body and "低保家庭：3 户" in body
    assert rt.app.case(ids.case_id(county.person(2), "dibao")).record.exit_month == \
        Month(2025, 2)
    assert cc.events(c) == before + 3  # the exit: its review and the exit, one save

    # A clerk of 城关镇 sees and records only 城关镇's; an auditor records nothing
    town = cc.client(c)
    token = cc.sign_in(town, "town-clerk")
    assert "低保家庭：1 户" in town.get("/reviews?month=2025-01").text  # person 3 is left
    before = cc.events(c)
    assert town.post(f"/reviews/{_case(4)}/record", data={
        "date": "2025-01-10", "outcome": "continue", "csrf_token": token}).status_code == 404
    auditor = cc.client(c)
    token = cc.sign_in(auditor, "auditor")
    before = cc.events(c)
    assert auditor.post(f"/reviews/{_case(4)}/record", data={
        "date": "2025-01-10", "outcome": "continue", "csrf_token": token}).status_code == 403
    assert cc.events(c) == before
