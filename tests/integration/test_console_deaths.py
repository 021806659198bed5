"""死亡名单导入 in the console, on both backends.

Console county (tests/console_county.py): person 3 is a dibao applicant of 城关镇 from
2024-01; person 99 is unknown to the ledger. By hand: person 3 dead on 2024-02-01 stops
being paid from 2024-03, the month after.
"""

from __future__ import annotations

from pathlib import Path

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services.runtime import Runtime
from tests import console_county as cc
from tests import county


def test_a_clerk_imports_a_death_list_and_a_bad_one_changes_nothing(
        rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    web = cc.client(c)
    token = cc.sign_in(web, "clerk")
    before = cc.events(c)
    bad = ("身份证号,姓名,死亡日期\n"
           f"{county.person(3)},居民3,2024-02-01\n{county.person(4)},居民4,2024-02-31\n")
    body = web.post("/deaths", data={"csrf_token": token},
                    files={"file": ("死亡名单.csv", bad.encode())}).text
    assert "发现 1 个问题，未导入" in body and "死亡名单.csv" in body and "死亡日期" in body
    assert county.person(3) not in body and county.person(4) not in body
    assert cc.events(c) == before

    good = ("身份证号,姓名,死亡日期\n"
            f"{county.person(3)},居民3,2024-02-01\n{county.person(99)},某人,2024-01-05\n")
    body = web.post("/deaths", data={"csrf_token": token},
                    files={"file": ("死亡名单.csv", good.encode())}).text
    assert "2 人，本台账认识 1 人" in body and "终止案件 1 个" in body
    assert "<td>2024-03</td>" in body and county.person(99) not in body
    case = rt.app.case(ids.case_id(county.person(3), "dibao"))
    assert case.record.exit_month == Month(2024, 3)
    after = cc.events(c)
    body = web.post("/deaths", data={"csrf_token": token},  # the same list again: nothing
                    files={"file": ("死亡名单.csv", good.encode())}).text
    assert "终止案件 0 个" in body and cc.events(c) == after

    town = cc.client(c)
    token = cc.sign_in(town, "town-clerk")
    assert town.post("/deaths", data={"csrf_token": token},
                     files={"file": ("d.csv", good.encode())}).status_code == 403
    assert cc.events(c) == after + 1  # the town clerk's sign-in, nothing else
