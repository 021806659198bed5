"""The office's other tasks in the console, on both backends: the 花名册 download, throwing a
draft away, refusing a relief.

Console county (tests/console_county.py): five rural dibao households of 3 (persons 1–3 in
城关镇, 4–5 in 新市镇), 969.00 each in January (approved), February drafted, a relief of
person 1 waiting for its approval (granted by the clerk); the clock 2024-02-05.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from ledger.services.runtime import Runtime
from projections import schema
from tests import console_county as cc
from tests import county


def test_the_roster_download_is_the_months_approved_lines_masked_and_by_town(
        rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    web = cc.client(c)
    cc.sign_in(web, "auditor")
    sheet = web.get("/reports/roster.xlsx", params={"month": "2024-01"})
    assert sheet.status_code == 200
    cells = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert cells[0][:3] == ("乡镇", "村居", "姓名")
    lines = [r for r in cells[1:] if r[0] != "合计" and r[1] != "小计"]
    assert sorted(r[2] for r in lines) == [f"居民{i}" for i in range(1, 6)]
    assert all(r[9] == 969 for r in lines)  # (443.00 − 120.00) × 3, a numeric cell
    assert cells[-1][0] == "合计" and cells[-1][9] == 5 * 969
    text = repr(cells)
    assert not any(county.person(i) in text or county.card(i) in text for i in range(1, 6))
    # February is only a draft: no line on its roster
    empty = load_workbook(io.BytesIO(web.get("/reports/roster.xlsx?month=2024-02").content))
    assert [r for r in empty.active.iter_rows(values_only=True)][1][0] == "合计"
    assert web.get("/reports/roster.xlsx?month=2024-99").status_code == 400

    town = cc.client(c)
    cc.sign_in(town, "town-clerk")  # 城关镇 only
    cells = list(load_workbook(io.BytesIO(town.get("/reports/roster.xlsx?month=2024-01")
                                          .content)).active.iter_rows(values_only=True))
    assert {r[0] for r in cells[1:-1]} == {"城关镇"}
    assert sorted(r[2] for r in cells[1:-1] if r[1] != "小计") == ["居民1", "居民2", "居民3"]


def test_a_clerk_discards_a_draft_only_when_confirmed(rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    web = cc.client(c)
    token = cc.sign_in(web, "clerk")
    assert "作废草稿" in web.get(f"/payroll/{c.february}").text
    before = cc.events(c)
    body = web.post(f"/payroll/{c.february}/discard", data={"csrf_token": token}).text
    assert "请勾选" in body and cc.events(c) == before
    body = web.post(f"/payroll/{c.february}/discard",
                    data={"csrf_token": token, "confirm": "yes"}).text
    assert "草稿已作废" in body
    b = schema.batches.c
    with rt.engine.connect() as conn:
        assert conn.execute(select(b.status).where(b.batch_id == c.february)).scalar() == \
            "discarded"
    # An approved batch is never discarded; the approver may not discard at all
    body = web.post(f"/payroll/{c.january}/discard",
                    data={"csrf_token": token, "confirm": "yes"}).text
    assert "未作废" in body
    approver = cc.client(c)
    token = cc.sign_in(approver, "approver")
    assert approver.post(f"/payroll/{c.january}/discard",
                         data={"csrf_token": token, "confirm": "yes"}).status_code == 403


def test_an_approver_refuses_a_relief_with_a_reason(rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    web = cc.client(c)
    token = cc.sign_in(web, "approver")
    assert "否决理由" in web.get("/reliefs").text
    before = cc.events(c)
    body = web.post(f"/reliefs/{c.relief}/refuse", data={"csrf_token": token, "reason": " "}).text
    assert "未否决" in body and cc.events(c) == before
    body = web.post(f"/reliefs/{c.relief}/refuse",
                    data={"csrf_token": token, "reason": "不符合条件"}).text
    assert "已否决" in body and "否决：不符合条件（approver）" in body
    r = schema.reliefs.c
    with rt.engine.connect() as conn:
        assert conn.execute(select(r.refused_reason).where(r.relief_id == c.relief)).scalar() \
            == "不符合条件"
    clerk = cc.client(c)  # the granter's role may not refuse
    token = cc.sign_in(clerk, "clerk")
    assert clerk.post(f"/reliefs/{c.relief}/refuse",
                      data={"csrf_token": token, "reason": "x"}).status_code == 403
