"""A clerk records a case's changes in the console (记录变更), on both backends.

Console county (tests/console_county.py): person 1 is a rural dibao household of 3 in
城关镇, income 120.00, card ``county.card(1)``; January approved, February drafted; the
clock says 2024-02-05. By hand: from 2024-02 an income of 100.00 makes February
(443.00 − 100.00) × 3 = 1,029.00.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.domain.relief import Relief
from ledger.services.account_service import add_user
from ledger.services.enrolment import import_roster
from ledger.services.runtime import Runtime
from tests import console_county as cc
from tests import county


def test_a_clerk_records_income_a_new_account_and_an_exit_and_bad_input_records_nothing(
        rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    web = cc.client(c)
    token = cc.sign_in(web, "clerk")
    case = ids.case_id(county.person(1), "dibao")
    url = f"/people/{case.hex}"
    assert "记录变更" in web.get(url).text

    # Careless input: each refused with a reason, nothing recorded
    before = cc.events(c)
    for bad in ({"from": "2024-13", "income": "100"}, {"from": "2024-02"},
                {"from": "2024-02", "income": "1.2.3"}, {"from": "2024-02", "household_size": "0"},
                {"from": "2024-02", "household_size": "两"},
                {"from": "2024-02", "bank_account": county.card(101)},  # no bank name
                {"from": "2024-02", "bank_account": "6217000000000000001", "bank_name": "县农商银行"},
                {"from": "2024-02", "disability_grade": "2"},  # not a disability case
                {"from": "2024-02", "area": "mars"}):
        body = web.post(f"{url}/change", data={**bad, "csrf_token": token}).text
        assert "未记录" in body, bad
        assert "6217000000000000001" not in body and county.card(101) not in body
    assert web.post(f"{url}/exit", data={"from": "2024-03", "reason": "",
                                         "csrf_token": token}).text.count("未记录") == 1
    assert cc.events(c) == before

    # Income from February: the page shows February's new amount, worked out by hand
    body = web.post(f"{url}/change", data={"from": "2024-02", "income": "100.00",
                                           "csrf_token": token}).text
    assert "已记录变更" in body and "1,029.00" in body
    # A corrected account, shown masked
    body = web.post(f"{url}/change", data={"from": "2024-02", "bank_account": county.card(101),
                                           "bank_name": "县农商银行", "csrf_token": token}).text
    assert "已记录变更" in body and county.card(101) not in body
    assert rt.app.case(case).record.bank_account == county.card(101)
    # An exit from April
    body = web.post(f"{url}/exit", data={"from": "2024-04", "reason": "迁出本县",
                                         "csrf_token": token}).text
    assert "已记录退出：2024-04 起停发" in body
    assert rt.app.case(case).record.exit_month == Month(2024, 4)
    assert cc.events(c) == before + 3

    # Without a CSRF token, by an auditor, or by a clerk of another town: refused, nothing
    # recorded (signing in is recorded: counted from after the sign-ins)
    auditor = cc.client(c)
    auditor_token = cc.sign_in(auditor, "auditor")
    add_user(rt, "xinshi-clerk", "clerk", ["新市镇"], cc.password("town-clerk"), "setup")
    other = cc.client(c)
    other_token = cc.sign_in(other, "xinshi-clerk", cc.password("town-clerk"))
    before = cc.events(c)
    assert web.post(f"{url}/change", data={"from": "2024-02", "income": "90"}).status_code == 403
    token = auditor_token
    assert auditor.post(f"{url}/change", data={"from": "2024-02", "income": "90",
                                               "csrf_token": token}).status_code == 403
    assert "记录变更" not in auditor.get(url).text
    assert other.post(f"{url}/change", data={"from": "2024-02", "income": "90",
                                             "csrf_token": other_token}).status_code == 404
    assert cc.events(c) == before


def test_a_returned_payment_is_listed_on_the_batch_page_until_the_clerk_corrects_the_account(
        rt: Runtime, tmp_path: Path) -> None:
    """January's 969.00 to 居民3 comes back; February's batch page lists it as held (暂缓),
    by name, with a link to its trace. The clerk corrects the account on the person's page;
    February run again pays it back as a reissue (重发) and lists nothing held."""
    import csv
    import io
    from uuid import UUID

    from ledger.services.bank_export import export_batch
    from ledger.services.bank_results_import import import_results
    from ledger.services.payroll_run import run_payroll

    c = cc.build(rt, tmp_path)
    out = tmp_path / "jan.csv"
    export_batch(rt, UUID(c.january), "csv", out, "finance")
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("gbk"), newline="")))[1:-1]
    returned = next(r[8] for r in rows if r[2] == county.person(3))
    results = tmp_path / "results.csv"
    results.write_text("付款编号,状态,原因\n" + "".join(
        f"{r[8]},{'失败' if r[8] == returned else '成功'},{'户名不符' if r[8] == returned else ''}\n"
        for r in rows), encoding="utf-8")
    assert not import_results(rt, results, "finance").problems
    february = run_payroll(rt, Month(2024, 2), "clerk")

    web = cc.client(c)
    token = cc.sign_in(web, "clerk")
    body = web.get(f"/payroll/{february.id.hex}").text
    assert "<th>暂缓</th><td>1 笔</td>" in body
    held = body[body.find("<th>暂缓</th>"):body.find("</tr>", body.find("<th>暂缓</th>"))]
    assert f'<a href="/payments/{returned}">居民3 ' in held  # then the masked ID number
    assert "最低生活保障 2024-01 969.00 元</a>" in held and county.person(3) not in held

    case = ids.case_id(county.person(3), "dibao")
    body = web.post(f"/people/{case.hex}/change", data={
        "from": "2024-02", "bank_account": county.card(303), "bank_name": "县农商银行",
        "csrf_token": token}).text
    assert "已记录变更" in body
    february = run_payroll(rt, Month(2024, 2), "clerk")
    body = web.get(f"/payroll/{february.id.hex}").text
    assert "<th>暂缓</th>" not in body
    assert "重发" in body


def test_a_payees_mistyped_name_is_corrected_on_all_their_cases_or_none(
        rt: Runtime, tmp_path: Path) -> None:
    """Person 1 (城关镇 dibao, and the county's relief) also gets a disability allowance
    registered in 新市镇: the county clerk corrects the name on all three; the 城关镇 clerk
    may not correct part of it."""
    c = cc.build(rt, tmp_path)
    extra = county.row(1, "disability_living", town="新市镇", name="居民1")
    assert import_roster(rt, county.write(tmp_path / "more.csv", [extra]), county.TODAY,
                         "clerk").enrolled == 1
    rt.read_model.catch_up()
    dibao = ids.case_id(county.person(1), "dibao")
    url = f"/people/{dibao.hex}"
    web, town = cc.client(c), cc.client(c)
    token = cc.sign_in(web, "clerk")
    town_token = cc.sign_in(town, "town-clerk", cc.password("town-clerk"))
    assert "更正姓名" in web.get(url).text

    def names() -> list[str]:
        return sorted(rt.app.case(ids.case_id(county.person(1), p)).record.name
                      for p in ("dibao", "disability_living"))

    before = cc.events(c)
    for bad in ({"name": "居民壹", "reason": ""}, {"name": "", "reason": "户名不符"},
                {"name": "@SUM(1)", "reason": "户名不符"}):
        assert "未更正" in web.post(f"{url}/name", data={**bad, "csrf_token": token}).text, bad
    body = town.post(f"{url}/name", data={"name": "居民壹", "reason": "户名不符",
                                          "csrf_token": town_token}).text
    assert "未更正" in body and "outside your towns" in body and county.person(1) not in body
    assert cc.events(c) == before and names() == ["居民1", "居民1"]

    body = web.post(f"{url}/name", data={"name": "居民壹", "reason": "户名不符",
                                         "csrf_token": token}).text
    assert "已更正姓名：3 个案件或临时救助" in body  # the two cases and the relief of 火灾
    assert names() == ["居民壹", "居民壹"] and cc.events(c) == before + 3
    assert rt.app.load(UUID(c.relief), Relief, "relief").name == "居民壹"
    assert "姓名与记录相同" in web.post(f"{url}/name", data={
        "name": "居民壹", "reason": "again", "csrf_token": token}).text
    assert cc.events(c) == before + 3
