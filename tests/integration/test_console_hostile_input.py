"""What a careless clerk or a hostile client sends the console: each refused cleanly or shown
safely, nothing recorded, nothing of another town's or of a full ID number shown.

Found by a review of the console (each test fails on the code before its fix)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from starlette.datastructures import UploadFile
from starlette.testclient import TestClient

from ledger.cli.main import main
from ledger.console import web as console_web
from ledger.console.app import create_app
from ledger.domain.calendar import Month
from ledger.domain.identity import mask
from ledger.services.enrolment import import_roster
from ledger.services.runtime import Runtime
from projections import schema
from tests import console_county as cc
from tests import county


def _case(rt: Runtime, name: str, programme: str = "dibao") -> str:
    c = schema.cases.c
    with rt.engine.connect() as conn:
        return conn.execute(select(c.case_id).where(c.name == name, c.programme == programme)
                            ).scalar_one()


def _quiet_client(c: cc.County) -> TestClient:
    """A client that gets the 500 page instead of the exception, as a browser would."""
    return TestClient(create_app(c.rt, clock=c.clock), follow_redirects=True,
                      raise_server_exceptions=False)


def test_a_page_number_past_the_last_shows_the_last_page(rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    web = _quiet_client(c)
    cc.sign_in(web, "clerk")
    first = web.get(f"/payroll/{c.february}")
    for asked in ("99999999999999999999", "1000000", "-3", "x" * 5000, "9" * 5000):
        page = web.get(f"/payroll/{c.february}?page={asked}")
        assert page.status_code == 200, asked
        assert page.text.count("<tr") == first.text.count("<tr"), asked  # the one page of 5 lines


def test_a_cpi_that_is_not_a_number_is_refused_and_the_page_keeps_working(
        rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    admin = _quiet_client(c)
    token = cc.sign_in(admin, "admin")
    before = cc.events(c)
    for cpi, food in (("NaN", "1"), ("1", "Infinity"), ("sNaN", "1"), ("150", "1"), ("1", "-100")):
        page = admin.post("/cpi/record", data={"csrf_token": token, "month": "2024-01",
                                               "cpi_yoy": cpi, "food_yoy": food})
        assert page.status_code == 200 and "未记录" in page.text, (cpi, food)
    assert cc.events(c) == before
    for cpi in ("NaN", "-Infinity", "100"):
        result = CliRunner().invoke(main, ["cpi", "record", "2024-01", "--cpi-yoy", cpi,
                                           "--food-yoy", "1", "--password-stdin"],
                                    env={"LEDGER_USER": "admin"}, input="admin-password\n")
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        assert "between -100 and 100" in result.stderr
    # each command's proven sign-in is recorded (as the console's are); no CPI is
    assert cc.events(c) == before + 3 and c.rt.app.cpi(Month(2024, 1)) is None
    assert admin.get("/cpi").status_code == 200
    assert "已记录" in admin.post("/cpi/record", data={"csrf_token": token, "month": "2024-01",
                                                    "cpi_yoy": "3.5", "food_yoy": "-2"}).text


def test_a_town_clerk_sees_only_their_towns_payments_on_a_persons_page(
        rt: Runtime, tmp_path: Path) -> None:
    """居民4's dibao is in 新市镇; they also get a disability allowance in 城关镇, the town
    clerk's. The clerk sees the allowance's payments, not the dibao's."""
    c = cc.build(rt, tmp_path)
    assert import_roster(rt, county.write(tmp_path / "d.csv", [county.row(
        4, "disability_living", town="城关镇", name="居民4")]), county.TODAY, "clerk").enrolled == 1
    from ledger.services.payroll_run import run_payroll
    run_payroll(rt, Month(2024, 2), "clerk")  # the allowance joins February's draft
    web = cc.client(c)
    cc.sign_in(web, "town-clerk")
    p = schema.payments.c
    dibao, allowance = _case(rt, "居民4"), _case(rt, "居民4", "disability_living")
    with rt.engine.connect() as conn:
        theirs, mine = ([*conn.execute(select(p.payment_id).where(p.case_id == case_id))
                         .scalars()] for case_id in (dibao, allowance))
    assert theirs and mine
    page = web.get(f"/people/{allowance}").text
    assert all(pid in page for pid in mine)
    assert not any(pid in page for pid in theirs)
    everyone = cc.client(c)
    cc.sign_in(everyone, "clerk")  # county-wide: both
    page = everyone.get(f"/people/{allowance}").text
    assert all(pid in page for pid in theirs + mine)


def test_an_id_number_searched_with_spaces_is_shown_masked(rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    web = cc.client(c)
    cc.sign_in(web, "clerk")
    n = c.id_numbers[0]
    spaced = f"{n[:6]} {n[6:14]} {n[14:]}"
    page = web.get("/people", params={"q": spaced})
    assert "居民1" in page.text  # found
    assert spaced not in page.text and n not in page.text and n[6:14] not in page.text
    assert f'value="{mask(n)}"' in page.text


def test_a_full_id_number_typed_into_a_field_is_masked_in_the_refusal(
        rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    web = cc.client(c)
    token = cc.sign_in(web, "clerk")
    n = c.id_numbers[0]
    before = cc.events(c)
    page = web.post(f"/people/{_case(rt, '居民1')}/exit",
                    data={"csrf_token": token, "from": n, "reason": "x"})
    assert "未" in page.text and n not in page.text and mask(n) in page.text
    assert cc.events(c) == before


def test_a_member_refusal_names_no_household_outside_the_clerks_towns(
        rt: Runtime, tmp_path: Path) -> None:
    """居民4 (新市镇) is the applicant of their own household; the 城关镇 clerk adding them
    to 居民1's household is refused without learning which household holds them."""
    c = cc.build(rt, tmp_path)
    other = _case(rt, "居民4")
    web = cc.client(c)
    token = cc.sign_in(web, "town-clerk")
    before = cc.events(c)
    page = web.post(f"/people/{_case(rt, '居民1')}/members/add", data={
        "csrf_token": token, "id_number": c.id_numbers[3], "name": "居民4", "relation": "child",
        "from": "2024-02"}).text
    assert "未记录" in page and "outside your towns" in page and other not in page
    assert cc.events(c) == before
    everyone = cc.client(c)  # a county-wide clerk is told which household
    token = cc.sign_in(everyone, "clerk")
    page = everyone.post(f"/people/{_case(rt, '居民1')}/members/add", data={
        "csrf_token": token, "id_number": c.id_numbers[3], "name": "居民4", "relation": "child",
        "from": "2024-02"}).text
    assert "未记录" in page and other in page


def test_a_body_without_a_session_or_too_large_is_refused_before_it_is_read(
        rt: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    c = cc.build(rt, tmp_path)
    reads: list[int] = []
    real_read = UploadFile.read

    async def counted(self: UploadFile, size: int = -1) -> bytes:
        data = await real_read(self, size)
        reads.append(len(data))
        return data

    monkeypatch.setattr(UploadFile, "read", counted)
    anonymous = cc.client(c)
    assert anonymous.post("/login", files={"file": ("a.csv", b"x" * 50_000)}).status_code == 403
    assert anonymous.post("/roster", files={"file": ("a.csv", b"x" * 50_000)}).status_code == 403
    assert reads == []

    monkeypatch.setattr(console_web, "MAX_UPLOAD", 1000)
    web = cc.client(c)
    token = cc.sign_in(web, "clerk")
    roster = b"x" * (1000 + console_web.MAX_FIELD + 1)  # refused by its length alone
    before = cc.events(c)
    refused = web.post("/roster", data={"csrf_token": token},
                       files={"file": ("big.csv", roster)})
    assert refused.status_code == 413 and "过大" in refused.text
    assert reads == [] and cc.events(c) == before
    # A text field longer than a form's fields ever are: refused, nothing recorded
    long_field = web.post("/institutions/rename", data={
        "csrf_token": token, "code": cc.INSTITUTION, "name": "院" * 400_000, "reason": "x"})
    assert long_field.status_code in (400, 413) and cc.events(c) == before
