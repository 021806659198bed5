"""Every role against every action in the console, on both backends.

Allowed: the action is done (something recorded, the effect visible). Not allowed:
403 and nothing recorded (the event count is the same before and after). The
acting user is always the signed-in account, whatever the form says.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from ledger.domain import ids
from ledger.domain.accounts import ROLES
from ledger.domain.calendar import Month
from ledger.domain.roles import ALLOWED
from ledger.services.runtime import Runtime
from projections import schema
from tests import console_county as cc
from tests import county

Act = Callable[[TestClient, str, cc.County, Path], object]


def _status(c: cc.County, batch: str) -> str:
    with c.rt.engine.connect() as conn:
        return conn.execute(select(schema.batches.c.status)
                            .where(schema.batches.c.batch_id == batch)).scalar_one()


def _count(c: cc.County, table: object) -> int:
    with c.rt.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def roster_import(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    path = county.write(tmp / "more.csv", [county.row(9, "dibao", name="新增户")])
    return web.post("/roster", data={"csrf_token": token},
                    files={"file": ("more.csv", path.read_bytes())})


def payroll_run(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    response = web.post("/payroll/run", data={"csrf_token": token, "month": "2024-02"})
    for _ in range(200):  # the run is a background job; its page reloads until done
        if response.status_code != 200 or not response.url.path.startswith("/jobs/"):
            break
        time.sleep(0.1)
        response = web.get(response.url.path)
    return response


def payroll_approve(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    page = web.get(f"/payroll/{c.february}")
    total = page.text.split('name="total" value="')[1].split('"')[0] \
        if 'name="total"' in page.text else ""
    confirm = web.get(f"/payroll/{c.february}/approve")
    if confirm.status_code == 200:
        total = confirm.text.split('name="total" value="')[1].split('"')[0]
        payments = confirm.text.split('name="payments" value="')[1].split('"')[0]
    else:
        payments = "0"
    return web.post(f"/payroll/{c.february}/approve",
                    data={"csrf_token": token, "confirm": "yes", "total": total,
                          "payments": payments, "by": "clerk"})


def bank_export(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    return web.post(f"/payroll/{c.january}/export",
                    data={"csrf_token": token, "format": "csv", "encoding": "utf-8"})


def bank_import(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    p = schema.payments.c
    with c.rt.engine.connect() as conn:
        ids = conn.execute(select(p.payment_id).where(p.batch_id == c.january)).scalars().all()
    text = "付款编号,状态,原因\n" + "".join(f"{pid},成功,\n" for pid in ids)
    return web.post("/bank/results", data={"csrf_token": token, "back": "/payroll"},
                    files={"file": ("results.csv", text.encode())})


def relief_grant(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    return web.post("/reliefs/grant", data={"csrf_token": token, "id_number": county.person(2),
                                            "multiple": "2", "reason": "疾病"})


def campaign_deliver(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    return web.post(f"/campaigns/{c.campaign}/deliver",
                    data={"csrf_token": token, "id_number": county.person(2),
                          "date": "2024-02-05", "received_by": "居民2"})


def institution_grant(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    return web.post("/institutions/grant", data={
        "csrf_token": token, "code": cc.INSTITUTION, "programme": "tekun", "amount": "1200",
        "per": "month", "from": "2024-02", "ref": "县民政发〔2024〕9号"})


def institution_add(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    return web.post("/institutions/add", data={
        "csrf_token": token, "code": "9144030071526726XG", "name": "河口乡敬老院",
        "town": "城关镇", "bank_account": "43050101234567890002", "bank_name": "信用社河口分社"})


def institution_account(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    return web.post("/institutions/account", data={
        "csrf_token": token, "code": cc.INSTITUTION, "bank_account": "43050101234567890009",
        "bank_name": "农业银行城关支行", "reason": "账户已销户"})


def _institution_account(c: cc.County) -> str:
    i = schema.institutions.c
    with c.rt.engine.connect() as conn:
        return conn.execute(select(i.bank_account)
                            .where(i.code == cc.INSTITUTION)).scalar_one()


def institution_rename(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    return web.post("/institutions/rename", data={
        "csrf_token": token, "code": cc.INSTITUTION, "name": "城关镇中心幸福院",
        "reason": "机构更名"})


def _institution_name(c: cc.County) -> str:
    i = schema.institutions.c
    with c.rt.engine.connect() as conn:
        return conn.execute(select(i.name).where(i.code == cc.INSTITUTION)).scalar_one()


def case_change(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    return web.post(f"/people/{ids.case_id(county.person(2), 'dibao').hex}/change", data={
        "csrf_token": token, "from": "2024-02", "income": "150.00"})


def _case_changed(c: cc.County) -> bool:
    record = c.rt.app.case(ids.case_id(county.person(2), "dibao")).record
    return any(values.get("income_per_capita") == 150_00 for _, _, values in record.changes)


def review_record(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    return web.post(f"/reviews/{ids.case_id(county.person(3), 'dibao').hex}/record", data={
        "csrf_token": token, "date": "2024-02-05", "outcome": "continue"})


def _reviewed(c: cc.County) -> bool:
    return _count(c, schema.reviews) == 1


def deaths_import(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    text = f"身份证号,姓名,死亡日期\n{county.person(5)},居民5,2024-02-01\n"
    return web.post("/deaths", data={"csrf_token": token},
                    files={"file": ("死亡名单.csv", text.encode())})


def _died(c: cc.County) -> bool:
    return c.rt.app.case(ids.case_id(county.person(5), "dibao")).record.exit_month is not None


def campaign_create(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    return web.post("/campaigns/new", data={
        "csrf_token": token, "name": "新春慰问", "month": "2024-03", "per": "household",
        "kind": "cash", "amount": "100", "ref": "县民政发〔2024〕3号"})


def relief_account(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    return web.post(f"/reliefs/{c.relief}/account", data={
        "csrf_token": token, "bank_account": county.card(77), "bank_name": "县农商银行",
        "reason": "账户已销户"})


def _relief_account(c: cc.County) -> str:
    r = schema.reliefs.c
    with c.rt.engine.connect() as conn:
        return conn.execute(select(r.bank_account).where(r.relief_id == c.relief)).scalar_one()


def relief_approve(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    return web.post(f"/reliefs/{c.relief}/approve", data={"csrf_token": token})


def audit_read(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    return web.get("/audit?since=2020-01-01")


def verify(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    return web.get("/verify?run=1")


def standard_set(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    return web.post("/rules/standard", data={"csrf_token": token, "standard": "dibao/rural",
                                             "amount": "440", "per": "month",
                                             "from": "2024-03-01", "ref": "县民政发〔2024〕9号"})


def policy_set(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    return web.post("/rules/policy", data={"csrf_token": token, "key": "graduation.months",
                                           "value": "3", "from": "2024-03-01"})


def cpi_record(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    return web.post("/cpi/record", data={"csrf_token": token, "month": "2024-01",
                                         "cpi_yoy": "3.8", "food_yoy": "6.5"})


def user_manage(web: TestClient, token: str, c: cc.County, tmp: Path) -> object:
    return web.post("/users", data={"csrf_token": token, "name": "newcomer", "role": "clerk",
                                    "towns": "", "password": "a-long-password"})


# action -> (how to attempt it, what shows it was done)
TABLE: dict[str, tuple[Act, Callable[[cc.County], bool]]] = {
    "roster.import": (roster_import, lambda c: _count(c, schema.cases) == 6),
    "payroll.run": (payroll_run, lambda c: True),
    "payroll.approve": (payroll_approve, lambda c: _status(c, c.february) == "approved"),
    "bank.export": (bank_export, lambda c: _status(c, c.january) == "exported"),
    "bank.import": (bank_import, lambda c: _status(c, c.january) == "reconciled"),
    "relief.grant": (relief_grant, lambda c: _count(c, schema.reliefs) == 2),
    "campaign.deliver": (campaign_deliver,
                         lambda c: _count(c, schema.campaign_handovers) == 1),
    "institution.grant": (institution_grant,
                          lambda c: _count(c, schema.institution_grants) == 1),
    "institution.add": (institution_add, lambda c: _count(c, schema.institutions) == 2),
    "institution.account": (institution_account,
                            lambda c: _institution_account(c) == "43050101234567890009"),
    "institution.rename": (institution_rename,
                           lambda c: _institution_name(c) == "城关镇中心幸福院"),
    "case.change": (case_change, _case_changed),
    "review.record": (review_record, _reviewed),
    "campaign.create": (campaign_create, lambda c: _count(c, schema.campaigns) == 2),
    "deaths.import": (deaths_import, _died),
    "relief.account": (relief_account, lambda c: _relief_account(c) == county.card(77)),
    "relief.approve": (relief_approve, lambda c: '"approver"' in _approvers(c)),
    "audit.read": (audit_read, lambda c: True),
    "verify": (verify, lambda c: True),
    "standard.set": (standard_set, lambda c: any(e.ref == "县民政发〔2024〕9号"
                                                 for e in c.rt.app.standard_book().entries())),
    "policy.set": (policy_set, lambda c: len(c.rt.app.policy_book().entries()) == 1),
    "cpi.record": (cpi_record, lambda c: c.rt.app.cpi(Month(2024, 1)) is not None),
    "user.manage": (user_manage, lambda c: _count(c, schema.accounts) == 7),
}
READ_ONLY = {"audit.read", "verify"}


def _approvers(c: cc.County) -> str:
    r = schema.reliefs.c
    with c.rt.engine.connect() as conn:
        return conn.execute(select(r.approvers).where(r.relief_id == c.relief)).scalar_one()


def test_the_table_covers_every_action() -> None:
    from ledger.domain.roles import ACTIONS

    assert set(TABLE) == set(ACTIONS)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_does_exactly_what_the_table_allows(role: str, rt: Runtime,
                                                      tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    web = cc.client(c)
    token = cc.sign_in(web, role)
    for action in ("bank.export", *[a for a in TABLE if a != "bank.export"]):
        attempt, done = TABLE[action]
        before = cc.events(c)
        response = attempt(web, token, c, tmp_path)
        after = cc.events(c)
        if action in ALLOWED[role]:
            assert response.status_code == 200, (role, action, response.text[:300])  # type: ignore[attr-defined]
            if action not in READ_ONLY:
                rt.read_model.catch_up()
                assert after > before, (role, action, "nothing was recorded")
                assert done(c), (role, action)
        else:
            assert response.status_code == 403, (role, action)  # type: ignore[attr-defined]
            assert after == before, (role, action, "a refused action recorded something")
    if "payroll.approve" in ALLOWED[role]:
        b = schema.batches.c
        with rt.engine.connect() as conn:
            approved_by = conn.execute(select(b.approved_by)
                                       .where(b.batch_id == c.february)).scalar_one()
        assert approved_by == role  # the session's account, not the form's "by"
