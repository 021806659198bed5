"""The province report on two small counties (two SQLite files; two PostgreSQL schemas).

Standards (tests/county.py): dibao rural 5316/12 = 443.00, urban 600.00 a month; tekun
rural 583.33 basic + 25.00 self care; disability_living grade 1 100.00. January 2024, every
case new that month, by hand:

- county_a: case 1 dibao rural, 3 people, income 120 → (443 − 120) × 3 = 969.00;
  case 2 tekun → 608.33. Total 969.00 + 608.33 = 1577.33.
- county_b: case 6 dibao rural, 2 people, income 120 → (443 − 120) × 2 = 646.00; case 5
  dibao urban, 2 people, income 200 → (600 − 200) × 2 = 800.00; case 3 disability_living
  → 100.00. dibao: 2 households, 4 people, 646.00 + 800.00 = 1446.00. Total 1546.00.
- province: dibao 3 households, 7 people, 969.00 + 1446.00 = 2415.00, 3 new; tekun 1, 1,
  608.33; disability_living 1, 1, 100.00; total 1577.33 + 1546.00 = 3123.33.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from ledger.bootstrap import open_runtime, read_only_engine
from ledger.cli.main import main
from ledger.domain.calendar import Month
from ledger.services.batches import approve_batch
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from projections import schema
from tests import county
from tests.conftest import require_backend
from tests.databases import two_county_urls


def build(url: str, rows: list[dict], scratch: Path) -> None:
    rt = open_runtime(url, init=True)
    try:
        county.set_standards(rt.app)
        assert not import_roster(rt, county.write(scratch / "r.csv", rows), county.TODAY,
                                 "clerk").problems
        approve_batch(rt, run_payroll(rt, Month(2024, 1), "clerk").id, "checker")
    finally:
        rt.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def counties(request: pytest.FixtureRequest, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    monkeypatch.delenv("LEDGER_CIPHER_KEY", raising=False)
    monkeypatch.delenv("LEDGER_DATABASE_URL", raising=False)
    require_backend(request.param)
    with two_county_urls(request.param, tmp_path) as (url_a, url_b):
        build(url_a, [county.row(1, "dibao"), county.row(2, "tekun")], tmp_path)
        build(url_b, [county.row(6, "dibao", household_size=2),
                      county.row(5, "dibao", area="urban", household_size=2,
                                 income_per_capita="200.00"),
                      county.row(3, "disability_living")], tmp_path)
        yield url_a, url_b


def figures(households: int, people: int, paid: str, new: int) -> dict:
    return {"households": households, "people": people, "paid": paid, "new": new, "ended": 0}


def state(url: str) -> tuple[int, int, int]:
    """(events, projected position, read-model payment rows) of a county."""
    rt = open_runtime(url)
    try:
        with rt.engine.connect() as conn:
            position = conn.execute(select(schema.tracking.c.position).where(
                schema.tracking.c.name == "read_model")).scalar()
            rows = conn.execute(select(func.count()).select_from(schema.payments)).scalar()
        return rt.app.recorder.max_notification_id() or 0, int(position or 0), int(rows or 0)
    finally:
        rt.close()


def test_each_county_on_its_own_line_and_the_province_summed_by_hand(
        counties: tuple[str, str], tmp_path: Path) -> None:
    url_a, url_b = counties
    before = (state(url_a), state(url_b))
    out = tmp_path / "province.xlsx"
    result = CliRunner().invoke(main, ["province", "report", "--month", "2024-01", "--json",
                                       "--counties", f"{url_a},{url_b}", "--xlsx", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["month"] == "2024-01"
    assert [c["county"] for c in data["counties"]] == ["county_a", "county_b"]
    a, b = data["counties"]
    assert a["programmes"] == {"dibao": figures(1, 3, "969.00", 1),
                               "tekun": figures(1, 1, "608.33", 1)}
    assert a["total"] == {"paid": "1577.33"}
    assert b["programmes"] == {"dibao": figures(2, 4, "1446.00", 2),
                               "disability_living": figures(1, 1, "100.00", 1)}
    assert b["total"] == {"paid": "1546.00"}
    assert data["province"] == {
        "programmes": {"dibao": figures(3, 7, "2415.00", 3), "tekun": figures(1, 1, "608.33", 1),
                       "disability_living": figures(1, 1, "100.00", 1)},
        "total": {"paid": "3123.33"}}
    assert (state(url_a), state(url_b)) == before  # read, never written

    cells = list(load_workbook(out).active.iter_rows(values_only=True))
    assert cells[0] == ("县", "项目", "户数", "人数", "支出", "新增", "减少")
    assert ("county_b", "最低生活保障", 2, 4, 1446, 2, 0) in cells
    assert cells[-1] == ("全省合计", "合计", None, None, 3123.33, None, None)

    text_out = CliRunner().invoke(main, ["province", "report", "--month", "2024-01",
                                         "--counties", f"{url_a},{url_b}"])
    assert text_out.exit_code == 0, text_out.output
    lines = text_out.stdout.splitlines()
    assert lines[-1].split() == ["province", "total", "3123.33"]
    assert any(line.split() == ["county_a", "dibao", "1", "3", "969.00"] for line in lines)


def test_a_county_not_caught_up_is_reported_as_projected_and_left_alone(
        counties: tuple[str, str], tmp_path: Path) -> None:
    url_a, url_b = counties
    rt = open_runtime(url_a)
    try:  # an event the county has not projected yet: the report must not project it
        rt.app.set_policy("graduation.months", "3", county.TODAY, "clerk")
    finally:
        rt.close()
    events, position, _ = state(url_a)
    assert events > position
    config = tmp_path / "counties.toml"
    config.write_text(f'[counties]\n"甲县" = "{url_a}"\n"乙县" = "{url_b}"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["province", "report", "--month", "2024-01", "--json",
                                       "--config", str(config)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [c["county"] for c in data["counties"]] == ["甲县", "乙县"]
    assert data["counties"][0]["position"] == position
    assert state(url_a)[1] == position


def test_the_county_connection_cannot_write(counties: tuple[str, str]) -> None:
    url_a, _ = counties
    rows = state(url_a)[2]
    with read_only_engine(url_a) as engine:
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(text("DELETE FROM rm_payments"))
    assert state(url_a)[2] == rows == 2


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_county_named_twice_or_without_a_ledger_is_bad_input_and_nothing_is_written(
        backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_backend(backend)
    monkeypatch.delenv("LEDGER_CIPHER_KEY", raising=False)
    out = tmp_path / "p.xlsx"
    with two_county_urls(backend, tmp_path) as (url_a, url_b):
        build(url_a, [county.row(1, "dibao")], tmp_path)
        twice = CliRunner().invoke(main, ["province", "report", "--month", "2024-01", "--counties",
                                          f"{url_a},{url_a}", "--xlsx", str(out)])
        assert twice.exit_code == 2
        assert "named twice" in twice.stderr
        missing = CliRunner().invoke(main, ["province", "report", "--month", "2024-01", "--json",
                                            "--counties", f"{url_a},{url_b}", "--xlsx", str(out)])
        assert missing.exit_code == 2
        assert json.loads(missing.stdout) == {
            "error": f"error: no ledger in {url_b}", "exit": 2}
        assert not out.exists()
    if backend == "sqlite":
        assert not Path(url_b[len("sqlite:///"):]).exists()  # no empty file left behind


def test_counties_must_be_named() -> None:
    result = CliRunner().invoke(main, ["province", "report", "--month", "2024-01"])
    assert result.exit_code == 2
    assert "--counties" in result.stderr


def test_a_county_server_that_cannot_be_reached_is_one_line_without_its_password() -> None:
    result = CliRunner().invoke(main, ["province", "report", "--month", "2024-01", "--counties",
                                       "postgresql://clerk:s3cretpw@127.0.0.1:1/p?schema=county_a"])
    assert result.exit_code == 2
    assert "cannot reach the database" in result.stderr and "county_a" in result.stderr
    assert "s3cretpw" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_counties_with_their_own_keys_are_read_with_each_key_and_a_wrong_one_is_named(
        backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each county encrypted with its own key; the config names the variable holding each."""
    from eventsourcing.cryptography import AESCipher

    require_backend(backend)
    monkeypatch.delenv("LEDGER_DATABASE_URL", raising=False)
    key_a, key_b = AESCipher.create_key(32), AESCipher.create_key(32)
    with two_county_urls(backend, tmp_path) as (url_a, url_b):
        monkeypatch.setenv("LEDGER_CIPHER_KEY", key_a)
        build(url_a, [county.row(1, "dibao"), county.row(2, "tekun")], tmp_path)
        monkeypatch.setenv("LEDGER_CIPHER_KEY", key_b)
        build(url_b, [county.row(3, "disability_living")], tmp_path)
        monkeypatch.delenv("LEDGER_CIPHER_KEY")
        monkeypatch.setenv("KEY_A", key_a)
        monkeypatch.setenv("KEY_B", key_b)

        def report(counties: str) -> Any:
            config = tmp_path / "counties.toml"
            config.write_text(f"[counties]\n{counties}\n", encoding="utf-8")
            return CliRunner().invoke(main, ["province", "report", "--month", "2024-01",
                                             "--json", "--config", str(config)])

        both = report(f'a = {{url = "{url_a}", key_env = "KEY_A"}}\n'
                      f'b = {{url = "{url_b}", key_env = "KEY_B"}}')
        assert both.exit_code == 0, both.output
        data = json.loads(both.stdout)
        assert data["province"] == {  # by hand: see the module's docstring
            "programmes": {"dibao": figures(1, 3, "969.00", 1), "tekun": figures(1, 1, "608.33", 1),
                           "disability_living": figures(1, 1, "100.00", 1)},
            "total": {"paid": "1677.33"}}

        swapped = report(f'a = {{url = "{url_a}", key_env = "KEY_A"}}\n'
                         f'b = {{url = "{url_b}", key_env = "KEY_A"}}')
        unset = report(f'a = {{url = "{url_a}", key_env = "KEY_C"}}')
        misspelt = report(f'a = {{url = "{url_a}", key_evn = "KEY_A"}}')
        default = report(f'a = "{url_a}"')  # LEDGER_CIPHER_KEY, which is not set
    for result, says in [(swapped, "county b: KEY_A is not the key this ledger was encrypted"),
                         (unset, "county a: its key variable KEY_C is not set"),
                         (misspelt, "county a must be"),
                         (default, "county a: this ledger's personal data is encrypted: set "
                                   "LEDGER_CIPHER_KEY")]:
        assert result.exit_code == 2, result.output
        assert says in json.loads(result.stdout)["error"]
        assert key_a not in result.output and key_b not in result.output
        assert "Traceback" not in result.output


def test_the_province_offices_console_shows_the_same_sums_and_refuses_a_town_account(
        counties: tuple[str, str], tmp_path: Path) -> None:
    """全省汇总 in the console (``ledger serve --province FILE``): the figures of the module's
    docstring, by hand; the XLSX download's province total; read, never written; a town's
    account refused; a console without counties has no such page; a county gone is one line."""
    from datetime import UTC, datetime
    from decimal import Decimal
    from io import BytesIO

    from starlette.testclient import TestClient

    from ledger.adapters.county_list import County
    from ledger.console.app import create_app
    from ledger.services.account_service import add_user
    from tests import console_county as cc

    url_a, url_b = counties
    office = open_runtime(f"sqlite:///{tmp_path / 'office.db'}", init=True)
    try:
        add_user(office, "auditor", "auditor", [], cc.password("auditor"), "setup")
        add_user(office, "town", "clerk", ["城关镇"], cc.password("town"), "setup")
        clock = cc.Clock(datetime(2024, 2, 5, 9, 0, tzinfo=UTC))
        listed = [County("甲县", url_a), County("乙县", url_b)]
        web = TestClient(create_app(office, clock=clock, province=listed), follow_redirects=True)
        cc.sign_in(web, "auditor")
        before = (state(url_a), state(url_b))
        page = web.get("/reports/province?month=2024-01")
        assert page.status_code == 200
        rows = [[cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
                for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page.text, re.S)]
        assert ["甲县", str(before[0][1]), "最低生活保障", "1", "3", "969.00", "1", "0"] in rows
        assert ["乙县", str(before[1][1]), "合计", "", "", "1546.00", "", ""] in rows
        assert ["全省", "", "最低生活保障", "3", "7", "2415.00", "3", "0"] in rows
        assert rows[-1] == ["全省", "", "合计", "", "", "3123.33", "", ""]
        download = web.get("/reports/province.xlsx?month=2024-01")
        cells = list(load_workbook(BytesIO(download.content)).active.iter_rows(values_only=True))
        assert cells[-1][:2] == ("全省合计", "合计")
        assert Decimal(str(cells[-1][4])) == Decimal("969.00") + Decimal("608.33") + \
            Decimal("646.00") + Decimal("800.00") + Decimal("100.00")
        assert (state(url_a), state(url_b)) == before  # read, never written
        assert web.get("/reports/province?month=2024-13").status_code == 400
        assert "全省汇总" in web.get("/reports/monthly").text  # the tab is there

        town = TestClient(create_app(office, clock=clock, province=listed), follow_redirects=True)
        cc.sign_in(town, "town", cc.password("town"))
        assert town.get("/reports/province?month=2024-01").status_code == 403
        assert town.get("/reports/province.xlsx?month=2024-01").status_code == 403

        plain = TestClient(create_app(office, clock=clock), follow_redirects=True)
        cc.sign_in(plain, "auditor")
        assert plain.get("/reports/province").status_code == 404
        assert "全省汇总" not in plain.get("/reports/monthly").text

        gone = County("丙县", "postgresql://clerk:s3cretpw@127.0.0.1:1/p?schema=county_c")
        broken = TestClient(create_app(office, clock=clock, province=[*listed, gone]),
                            follow_redirects=True)
        cc.sign_in(broken, "auditor")
        answer = broken.get("/reports/province?month=2024-01")
        assert answer.status_code == 503 and "county_c" in answer.text
        assert "s3cretpw" not in answer.text and "Traceback" not in answer.text
    finally:
        office.close()


def test_serve_refuses_a_broken_province_list_before_serving(tmp_path: Path) -> None:
    config = tmp_path / "counties.toml"
    config.write_text('[counties]\na = {url = "sqlite:///x.db", key_evn = "K"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", "--province", str(config)],
                                env={"LEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'o.db'}"})
    assert result.exit_code == 2 and "county a must be" in result.stderr
    assert "Traceback" not in result.output
