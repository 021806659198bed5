"""The console runs the out-of-cycle batches too (relief, campaign), as ``ledger payroll run
--kind`` does; on both backends.

Console county (tests/console_county.py): five rural dibao households of 3 in 城关镇 and
新市镇; the clock 2024-02-05. A relief of 1 × 443.00 granted to person 2 that day: once
approved, February's relief batch pays 443.00 (the county's own relief is December's, not
payable by a February batch); a cash campaign of
100.00 a household for 2024-02 pays the five households 5 × 100.00 = 500.00.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from uuid import UUID

from sqlalchemy import select
from starlette.testclient import TestClient

from ledger.domain.calendar import Month
from ledger.services.batches import batch_lines
from ledger.services.campaigns import create_campaign
from ledger.services.runtime import Runtime
from ledger.services.temporary_relief import approve_relief, grant_relief
from projections import schema
from tests import console_county as cc
from tests import county


def _run(web: TestClient, token: str, kind: str, month: str = "2024-02") -> object:
    response = web.post("/payroll/run", data={"csrf_token": token, "month": month,
                                              "kind": kind})
    for _ in range(200):  # a background job; its page reloads until done
        if not response.url.path.startswith("/jobs/") or "未完成" in response.text:
            break
        time.sleep(0.05)
        response = web.get(response.url.path)
    return response


def test_a_clerk_runs_the_relief_and_campaign_batches_from_the_payroll_page(
        rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    relief = grant_relief(rt, county.person(2), 1, "水灾", date(2024, 2, 5), "clerk")
    approve_relief(rt, relief.id, "approver")
    create_campaign(rt, "春节慰问", Month(2024, 2), "household", 100_00, None, ("dibao",), (),
                    "", "clerk")
    web = cc.client(c)
    token = cc.sign_in(web, "clerk")
    assert "临时救助批次" in web.get("/payroll").text

    page = _run(web, token, "relief")
    assert page.url.path.startswith("/payroll/"), page.text[:300]  # type: ignore[attr-defined]
    relief_batch = UUID(page.url.path.rsplit("/", 1)[1])  # type: ignore[attr-defined]
    lines = batch_lines(rt, relief_batch)
    assert [(ln["case_id"], ln["kind"], ln["amount"]) for ln in lines] == [
        (relief.id.hex, "relief", "443.00")]

    page = _run(web, token, "campaign")
    campaign_batch = UUID(page.url.path.rsplit("/", 1)[1])  # type: ignore[attr-defined]
    lines = batch_lines(rt, campaign_batch)
    assert sorted(ln["amount"] for ln in lines) == ["100.00"] * 5
    assert {ln["kind"] for ln in lines} == {"campaign"}

    # A misspelt kind runs nothing; a month too far ahead is refused on the job's page
    before = cc.events(c)
    body = web.post("/payroll/run", data={"csrf_token": token, "month": "2024-02",
                                          "kind": "bonus"}).text
    assert "批次类型无效" in body and cc.events(c) == before
    page = _run(web, token, "relief", "2024-06")
    assert "未完成" in page.text and "too early" in page.text  # type: ignore[attr-defined]
    assert cc.events(c) == before


def test_a_clerk_creates_a_cash_campaign_whose_batch_pays_the_targeted_households(
        rt: Runtime, tmp_path: Path) -> None:
    """新春慰问 100.00 a household, dibao in 城关镇 (persons 1–3), February: by hand its batch
    pays 3 × 100.00 = 300.00; 新市镇's households 4 and 5 get nothing."""
    c = cc.build(rt, tmp_path)
    web = cc.client(c)
    token = cc.sign_in(web, "clerk")
    form = {"csrf_token": token, "name": "新春慰问", "month": "2024-02", "per": "household",
            "kind": "cash", "amount": "100", "programmes": "dibao", "towns": "城关镇",
            "ref": "县民政发〔2024〕3号"}
    before = cc.events(c)
    for bad in ({"name": " "}, {"amount": "abc"}, {"amount": ""}, {"programmes": "bonus"},
                {"month": "2024-2"}, {"per": "village"}):
        body = web.post("/campaigns/new", data={**form, **bad}).text
        assert "未登记" in body, bad
    assert cc.events(c) == before
    body = web.post("/campaigns/new", data=form).text
    assert "已登记救助活动 新春慰问（2024-02）" in body
    body = web.post("/campaigns/new", data={**form, "name": "棉衣发放", "kind": "items",
                                            "items": "棉衣 1件", "amount": ""}).text
    assert "已登记救助活动 棉衣发放" in body and "棉衣 1件" in body

    page = _run(web, token, "campaign")
    batch = page.url.path.rsplit("/", 1)[1]  # type: ignore[attr-defined]
    p = schema.payments.c
    with rt.engine.connect() as conn:
        paid = sorted(conn.execute(select(p.name, p.amount).where(p.batch_id == batch)).all())
    assert paid == [("居民1", 100_00), ("居民2", 100_00), ("居民3", 100_00)]

    town = cc.client(c)
    token = cc.sign_in(town, "town-clerk")
    before = cc.events(c)
    assert town.post("/campaigns/new", data={**form, "name": "另一个", "csrf_token": token}
                     ).status_code == 403
    assert cc.events(c) == before
