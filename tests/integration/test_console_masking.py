"""No page or download of the console but the bank file shows a full ID or account number.

Every page an account can reach is fetched and scanned for the test county's full
numbers; the bank file (a positive control) must contain them.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from ledger.services.runtime import Runtime
from projections import schema
from tests import console_county as cc
from tests import county


def _full_numbers(c: cc.County) -> list[str]:
    return c.id_numbers + c.accounts


def test_no_page_but_the_bank_file_shows_a_full_number(rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    p = schema.payments.c
    with rt.engine.connect() as conn:
        payments = conn.execute(select(p.payment_id, p.case_id)).all()
    pages = ["/", "/people?q=居民", f"/people?q={county.person(1)}", "/payroll",
             f"/payroll/{c.january}", f"/payroll/{c.february}", f"/payroll/{c.february}/approve",
             "/reports/funds?year=2024", "/reports/funds.xlsx?year=2024",
             "/reports/monthly?month=2024-01", "/reports/monthly.xlsx?month=2024-01",
             "/reports/roster.xlsx?month=2024-01",
             "/audit?since=2000-01-01", "/verify?run=1", "/reliefs", "/rules", "/cpi", "/users",
             "/roster", "/reviews?month=2025-01"]
    pages += [f"/payments/{pid}" for pid, _ in payments]
    pages += sorted({f"/people/{cid}" for _, cid in payments})
    seen = []
    for role in ("admin", "approver", "finance", "clerk"):
        web = cc.client(c)
        token = cc.sign_in(web, role)
        for path in pages:
            response = web.get(path)
            seen.append((role, path, response.status_code))
            body = response.content.decode("utf-8", "replace")
            for number in _full_numbers(c):
                assert number not in body, f"{role} {path} shows a full number"
        if role == "clerk":  # a roster with bad rows: the problems echo nothing in full
            bad = county.row(7, "dibao", bank_account="6217" + "1" * 15)
            bad["id_number"] = bad["id_number"][:-1] + ("0" if bad["id_number"][-1] != "0" else "1")
            path = county.write(tmp_path / "bad.csv", [bad])
            body = web.post("/roster", data={"csrf_token": token, "dry_run": "yes"},
                            files={"file": ("bad.csv", path.read_bytes())}).text
            assert "bad.csv" in body and "wrong check digit" in body and "Luhn" in body
            for number in (bad["id_number"], bad["bank_account"]):
                assert number not in body
        if role == "finance":
            bank_file = web.post(f"/payroll/{c.january}/export",
                                 data={"csrf_token": token, "format": "csv",
                                       "encoding": "utf-8"})
            text = bank_file.content.decode("utf-8")
            assert all(number in text for number in _full_numbers(c)), "positive control"
            assert "attachment" in bank_file.headers["content-disposition"]
            for path in (f"/payroll/{c.january}", "/payroll"):
                body = web.get(path).text
                assert not any(n in body for n in _full_numbers(c)), path
    shown = {path for _, path, status in seen if status == 200}
    assert shown == set(pages), set(pages) - shown  # every page was really scanned by someone


def test_masked_numbers_show_first_and_last_four(rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    web = cc.client(c)
    cc.sign_in(web, "auditor")
    body = web.get("/people?q=居民1").text
    number = county.person(1)
    assert re.search(rf"{number[:4]}\*+{number[-4:]}", body)


def test_search_by_name_works_when_personal_data_is_encrypted(ledger_url: str,
                                                              tmp_path: Path) -> None:
    from eventsourcing.cryptography import AESCipher

    from ledger.bootstrap import open_runtime

    rt = open_runtime(ledger_url, init=True, cipher_key=AESCipher.create_key(num_bytes=32))
    try:
        c = cc.build(rt, tmp_path)
        web = cc.client(c)
        cc.sign_in(web, "town-clerk")
        body = web.get("/people?q=居民").text
        assert [f"居民{i}" in body for i in range(1, 6)] == [True, True, True, False, False]
        assert "居民2" in web.get(f"/people?q={county.person(2)}").text
        assert "/people/" not in web.get("/people?q=居民4").text  # another town's: no result
    finally:
        rt.close()


def test_a_households_page_shows_its_members_with_masked_numbers(rt: Runtime,
                                                                  tmp_path: Path) -> None:
    from datetime import date

    from ledger.domain import ids
    from ledger.domain.calendar import Month
    from ledger.services.members import Households

    c = cc.build(rt, tmp_path)
    spouse = county.person(41, date(1972, 3, 8))
    households = Households(rt)
    household = households.household_of(county.person(1))
    households.add(household, county.person(1), "居民1", "self", Month(2024, 1), "clerk")
    households.add(household, spouse, "配偶甲", "spouse", Month(2024, 1), "clerk")
    households.save()
    rt.read_model.catch_up()
    web = cc.client(c)
    cc.sign_in(web, "auditor")
    body = web.get(f"/people/{ids.case_id(county.person(1), 'dibao').hex}").text
    assert "家庭成员" in body and "配偶甲" in body and "配偶" in body
    assert spouse not in body and f"{spouse[:4]}" in body and f"{spouse[-4:]}" in body
