"""The console's 月报 page and its XLSX, on both backends.

Console county (tests/console_county.py): five rural dibao households of 3 people, income
120.00 each, January approved. By hand, January: (443.00 − 120.00) × 3 = 969.00 each;
5 households, 15 people, 5 × 969.00 = 4,845.00, 4,845.00 / 15 = 323.00 a person, all 5 new.
February is only drafted, so its 月报 has no money yet.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook

from ledger.services.runtime import Runtime
from tests import console_county as cc


def test_the_monthly_report_page_and_download_show_the_hand_computed_january(
        rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    web = cc.client(c)
    cc.sign_in(web, "auditor")
    page = web.get("/reports/monthly?month=2024-01")
    assert page.status_code == 200
    rural = ("<td>最低生活保障</td><td>农村</td><td class=\"num\">5</td><td class=\"num\">15</td>"
             "<td class=\"num\">4,845.00</td><td class=\"num\">323.00</td>"
             "<td class=\"num\">5</td><td class=\"num\">0</td>")
    assert rural in page.text
    # Without a month: the clock's (2024-02), drafted only, so nothing paid yet
    assert "该月没有已审核的发放" in web.get("/reports/monthly").text

    sheet = web.get("/reports/monthly.xlsx?month=2024-01")
    assert sheet.status_code == 200
    assert 'filename="monthly-2024-01.xlsx"' in sheet.headers["content-disposition"]
    cells = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert cells[0] == ("项目", "城乡", "户数", "人数", "支出", "月人均补助水平", "新增", "减少")
    assert cells[2] == ("最低生活保障", "农村", 5, 15, 4845, 323, 5, 0)


def test_a_bad_month_is_named_and_a_town_account_is_refused(rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    web = cc.client(c)
    cc.sign_in(web, "finance")
    for bad in ("2024-13", "<script>alert(1)</script>", "9999-01"):
        page = web.get("/reports/monthly", params={"month": bad})
        assert page.status_code == 400 and "月份" in page.text
        assert "<script>alert(1)</script>" not in page.text
        assert web.get("/reports/monthly.xlsx", params={"month": bad}).status_code == 400
    town = cc.client(c)
    cc.sign_in(town, "town-clerk")
    assert town.get("/reports/monthly?month=2024-01").status_code == 403
    assert town.get("/reports/monthly.xlsx?month=2024-01").status_code == 403
