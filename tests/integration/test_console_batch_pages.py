"""A batch's lines page by page in the console, on both backends: by key forward and back.

Console county (tests/console_county.py): January's batch pays the five dibao households
(城关镇: persons 1–3, 新市镇: 4–5), one line each. Pages of 2 lines here (the console's 100
would need a county of hundreds), so the walk crosses three pages.
"""

from __future__ import annotations

import re
from pathlib import Path
from uuid import UUID

import pytest
from starlette.testclient import TestClient

from ledger.console import pages_payroll
from ledger.services.batches import batch_lines
from ledger.services.runtime import Runtime
from tests import console_county as cc

PAYMENT = re.compile(r'href="/payments/([0-9a-f]{32})"')
PAGER = re.compile(r'<a href="\?page=(\d+)(?:&amp;(after|before)=([0-9a-f]{32}))?">(上一页|下一页)</a>')


def _page(web: TestClient, url: str) -> tuple[list[str], dict[str, str]]:
    """The payment ids a page lists, and its pager's links by label."""
    body = web.get(url).text
    table = body[body.index("发放明细"):]
    links = {label: f"?page={n}" + (f"&{way}={key}" if way else "")
             for n, way, key, label in PAGER.findall(table)}
    return PAYMENT.findall(table), links


def _walk(web: TestClient, base: str) -> tuple[list[list[str]], list[list[str]]]:
    """Every page following 下一页 from the first, then every page following 上一页 back."""
    forward: list[list[str]] = []
    ids, links = _page(web, base)
    forward.append(ids)
    while "下一页" in links:
        ids, links = _page(web, base + links["下一页"])
        forward.append(ids)
    backward = [ids]
    while "上一页" in links:
        ids, links = _page(web, base + links["上一页"])
        backward.append(ids)
    return forward, backward


def test_turning_pages_by_key_shows_every_line_once_in_order_and_back(
        rt: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages_payroll, "PAGE", 2)
    c = cc.build(rt, tmp_path)
    web = cc.client(c)
    cc.sign_in(web, "clerk")
    lines = batch_lines(rt, UUID(c.january))
    expected = [ln["payment_id"] for ln in sorted(
        lines, key=lambda ln: (ln["case_id"], ln["for_month"], ln["kind"], ln["payment_id"]))]
    assert len(expected) == 5
    base = f"/payroll/{c.january}"
    forward, backward = _walk(web, base)
    assert forward == [expected[0:2], expected[2:4], expected[4:5]]
    assert backward == list(reversed(forward))
    assert "第 3 / 3 页" in web.get(base + f"?page=3&after={expected[3]}").text
    # The cursor decides which lines, not the number (which only labels the page).
    assert _page(web, base + f"?page=1&after={expected[1]}")[0] == expected[2:4]
    assert _page(web, base + f"?page=3&before={expected[2]}")[0] == expected[0:2]
    # The links follow the lines found, not the label: the last line under a label of 1 has a
    # 上一页 and no 下一页.
    ids, links = _page(web, base + f"?page=1&after={expected[3]}")
    assert ids == expected[4:5] and set(links) == {"上一页"}

    # A page number alone (a bookmark) still works, by offset; a cursor that is not a line of
    # this batch (another batch's, or garbage) is ignored the same way.
    assert _page(web, base + "?page=2")[0] == expected[2:4]
    february = batch_lines(rt, UUID(c.february))[0]["payment_id"]
    for cursor in (f"after={february}", "after=zz", f"before={february}", "after=" + "0" * 32):
        assert _page(web, base + f"?page=2&{cursor}")[0] == expected[2:4], cursor


def test_a_town_clerk_turns_pages_through_their_towns_lines_only(
        rt: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages_payroll, "PAGE", 2)
    c = cc.build(rt, tmp_path)
    county_wide, town = cc.client(c), cc.client(c)
    cc.sign_in(county_wide, "clerk")
    cc.sign_in(town, "town-clerk", cc.password("town-clerk"))
    base = f"/payroll/{c.january}"
    everyone = [i for page in _walk(county_wide, base)[0] for i in page]
    mine, back = _walk(town, base)
    assert [len(p) for p in mine] == [2, 1]  # 城关镇's three households
    assert back == list(reversed(mine))
    # Another town's line as the cursor is not one this clerk may page from: ignored.
    theirs = next(i for i in everyone if i not in {x for p in mine for x in p})
    assert _page(town, base + f"?page=1&after={theirs}")[0] == mine[0]
    assert _page(town, base + f"?page=1&after={mine[0][-1]}")[0] == mine[1]
