"""The console shows member classes (分类施保) and advance relief (先行救助): due, overdue,
refused with the recovery decided. Console county: tests/console_county.py (clock
2024-02-05; rural dibao 443.00)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services.members import add_member
from ledger.services.runtime import Runtime
from ledger.services.temporary_relief import grant_relief, refuse_relief
from tests import console_county as cc
from tests import county


def test_a_households_page_shows_its_members_classes(rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    assert add_member(rt, county.person(1), county.person(1), "居民1", "self", Month(2024, 1),
                      "clerk", ("serious_illness",))
    web = cc.client(c)
    cc.sign_in(web, "auditor")
    body = web.get(f"/people/{ids.case_id(county.person(1), 'dibao').hex}").text
    assert "重病 2024-01 起" in body


def test_the_relief_page_shows_advance_relief_overdue_and_refused(rt: Runtime,
                                                                  tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    # Tuesday 2024-01-02 + 20 working days = Tuesday 2024-01-30; the clock says 2024-02-05
    late = grant_relief(rt, county.person(2), 2, "水灾", date(2024, 1, 2), "clerk", advance=True)
    refused = grant_relief(rt, county.person(3), 1, "冒领", date(2024, 2, 1), "clerk",
                           advance=True)
    refuse_relief(rt, refused.id, "不符合条件", "approver")
    web = cc.client(c)
    cc.sign_in(web, "auditor")
    body = web.get("/reliefs").text
    assert "先行救助" in body and "审核期限 2024-01-30" in body and "已逾期" in body
    assert "已否决" in body and "否决：不符合条件（approver）" in body
    assert late.id.hex  # listed by name and masked number, never the full number
    assert county.person(2) not in body
