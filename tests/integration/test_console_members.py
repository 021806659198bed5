"""家庭成员导入 in the console, on both backends.

Console county (tests/console_county.py): person 1 heads a rural dibao household of 3 in
城关镇. A list adding persons 11 and 12 to it from 2024-02 (with the applicant) makes its
recorded members 3, so nothing changes in money; the point here is what is recorded.
"""

from __future__ import annotations

from pathlib import Path

from ledger.domain import ids
from ledger.services.runtime import Runtime
from tests import console_county as cc
from tests import county

HEADER = "申请人身份证号,身份证号,姓名,与申请人关系,纳入月份\n"


def _file(*rows: str) -> bytes:
    return (HEADER + "".join(r + "\n" for r in rows)).encode()


def test_a_clerk_checks_then_imports_members_and_a_bad_list_records_nothing(
        rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    web = cc.client(c)
    token = cc.sign_in(web, "clerk")
    p1 = county.person(1)
    good = _file(f"{p1},{p1},居民1,本人,2024-02", f"{p1},{county.person(11)},居民11,配偶,2024-02",
                 f"{p1},{county.person(12)},居民12,子女,2024-02")
    before = cc.events(c)
    bad = _file(f"{p1},{county.person(11)},居民11,邻居,2024-02",
                f"{county.person(99)},{county.person(12)},居民12,子女,2024-02")
    body = web.post("/members", data={"csrf_token": token},
                    files={"file": ("成员.csv", bad)}).text
    assert "发现 2 个问题，未导入" in body and "与申请人关系" in body
    assert county.person(99) not in body and county.person(11) not in body
    body = web.post("/members", data={"csrf_token": token, "dry_run": "yes"},
                    files={"file": ("成员.csv", good)}).text
    assert "预检通过，将新增 3 人" in body
    assert cc.events(c) == before

    body = web.post("/members", data={"csrf_token": token},
                    files={"file": ("成员.csv", good)}).text
    assert "已导入 3 人" in body
    record = rt.app.case(ids.case_id(p1, "dibao")).record
    assert len(record.members) == 3
    after = cc.events(c)
    body = web.post("/members", data={"csrf_token": token},
                    files={"file": ("成员.csv", good)}).text
    assert "已导入 0 人；已在册 3 人" in body and cc.events(c) == after


def test_a_town_clerk_imports_members_of_their_towns_households_only(
        rt: Runtime, tmp_path: Path) -> None:
    """The 城关镇 clerk: person 2's household is in 城关镇, person 4's in 新市镇."""
    c = cc.build(rt, tmp_path)
    town = cc.client(c)
    token = cc.sign_in(town, "town-clerk")
    p2, p4 = county.person(2), county.person(4)
    mixed = _file(f"{p2},{p2},居民2,本人,2024-02", f"{p4},{p4},居民4,本人,2024-02")
    before = cc.events(c)
    body = town.post("/members", data={"csrf_token": token},
                     files={"file": ("成员.csv", mixed)}).text
    assert "in your towns" in body and "未导入" in body
    assert p4 not in body and p2 not in body
    assert cc.events(c) == before  # all or nothing: person 2's row is not recorded either
    body = town.post("/members", data={"csrf_token": token},
                     files={"file": ("成员.csv", _file(f"{p2},{p2},居民2,本人,2024-02"))}).text
    assert "已导入 1 人" in body
    assert len(rt.app.case(ids.case_id(p2, "dibao")).record.members) == 1
    assert not rt.app.case(ids.case_id(p4, "dibao")).record.members
