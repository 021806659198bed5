"""One county per PostgreSQL schema: two counties in one database are two separate ledgers.

Standards (tests/county.py): dibao rural 5316/12 = 443.00 a month; tekun rural basic
7000/12 = 583.33 + care (self) 300/12 = 25.00. January 2024 by hand:

- county A: case 1 dibao rural, 3 people, income 120 → (443 − 120) × 3 = 969.00;
  case 2 tekun rural, self care → 583.33 + 25.00 = 608.33.
- county B: the *same* person 1 in dibao (one ledger would refuse a second household;
  two counties do not know of each other) → 969.00; case 6 dibao rural, 2 people →
  (443 − 120) × 2 = 646.00.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from ledger.adapters.settings import SettingsError, load_settings
from ledger.bootstrap import open_runtime
from ledger.cli.main import main
from ledger.domain.calendar import Month
from ledger.services.batches import approve_batch
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from projections import schema
from tests import county
from tests.conftest import require_backend
from tests.databases import two_county_urls


def enrol_and_pay(url: str, rows: list[dict], scratch: Path) -> dict[str, int]:
    """Init the county, import its roster, run and approve January: case id -> amount (fen)."""
    rt = open_runtime(url, init=True)
    try:
        county.set_standards(rt.app)
        result = import_roster(rt, county.write(scratch / "roster.csv", rows), county.TODAY, "clerk")
        assert not result.problems, result.problems
        batch = run_payroll(rt, Month(2024, 1), "clerk")
        approve_batch(rt, batch.id, "checker")
        p = schema.payments.c
        with rt.engine.connect() as conn:
            return {r.case_id: r.amount for r in conn.execute(select(p.case_id, p.amount))}
    finally:
        rt.close()


def case(seq: int, programme: str = "dibao") -> str:
    from ledger.domain import ids
    return ids.case_id(county.person(seq), programme).hex


def test_two_counties_in_two_schemas_of_one_database_are_independent(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_backend("postgresql")
    monkeypatch.delenv("LEDGER_CIPHER_KEY", raising=False)
    with two_county_urls("postgresql", tmp_path) as (url_a, url_b):
        paid_a = enrol_and_pay(url_a, [county.row(1, "dibao"), county.row(2, "tekun")], tmp_path)
        paid_b = enrol_and_pay(url_b, [county.row(1, "dibao"),
                                       county.row(6, "dibao", household_size=2)], tmp_path)
        assert paid_a == {case(1): 96900, case(2, "tekun"): 60833}
        assert paid_b == {case(1): 96900, case(6): 64600}

        runner = CliRunner()
        for url in (url_a, url_b):
            monkeypatch.setenv("LEDGER_DATABASE_URL", url)
            for command in (["init"], ["projections", "rebuild"], ["verify"]):
                result = runner.invoke(main, command)
                assert result.exit_code == 0, (command, result.output)
        monkeypatch.setenv("LEDGER_DATABASE_URL", url_a)
        shown = runner.invoke(main, ["payroll", "status", "--json"])
        assert shown.exit_code == 0, shown.output

        # each county's events and read models are in its schema; nothing in public
        base = url_a.split("?", 1)[0]
        with psycopg.connect(base) as conn:
            tables = conn.execute(
                "SELECT table_schema, count(*) FROM information_schema.tables "
                "WHERE table_name IN ('ledger_events', 'rm_payments', 'alembic_version') "
                "GROUP BY table_schema ORDER BY 1").fetchall()
            assert tables == [("county_a", 3), ("county_b", 3)]
            for name, events in (("county_a", 2), ("county_b", 2)):
                enrolled = conn.execute(
                    f"SELECT count(*) FROM {name}.ledger_events WHERE topic LIKE %s",
                    ("%Case.Enrolled%",)).fetchone()
                assert enrolled == (events,)


def test_a_county_schema_must_be_initialised_before_use(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_backend("postgresql")
    with two_county_urls("postgresql", tmp_path) as (url_a, _):
        monkeypatch.setenv("LEDGER_DATABASE_URL", url_a)
        result = CliRunner().invoke(main, ["payroll", "status"])
        assert result.exit_code == 2
        assert "run `ledger init` first" in result.stderr
        with psycopg.connect(url_a.split("?", 1)[0]) as conn:
            made = conn.execute("SELECT count(*) FROM information_schema.schemata "
                                "WHERE schema_name = 'county_a'").fetchone()
        assert made == (0,)  # a command other than init leaves nothing behind


def test_the_schema_is_the_event_stores_and_the_read_models_search_path() -> None:
    settings = load_settings("postgresql://u@db.example:5433/province?schema=county_431023"
                             "&sslmode=require", cipher_key="")
    assert settings.schema == "county_431023"
    assert settings.event_store_env["POSTGRES_SCHEMA"] == "county_431023"
    assert settings.event_store_env["POSTGRES_DBNAME"] == "province"
    assert settings.sqlalchemy_url == ("postgresql+psycopg://u@db.example:5433/province?"
                                       "sslmode=require&options=-csearch_path%3Dcounty_431023")
    plain = load_settings("postgresql://u@db.example/province", cipher_key="")
    assert plain.schema is None and "POSTGRES_SCHEMA" not in plain.event_store_env


@pytest.mark.parametrize(("query", "says"), [
    ("schema=County-1", "lower-case letters"),
    ("schema=1county", "lower-case letters"),
    ("schema=a%3Bdrop", "lower-case letters"),
    ("options=-csearch_path%3Dcounty_a", "?schema=NAME"),
])
def test_a_bad_schema_is_refused_before_anything_is_opened(query: str, says: str) -> None:
    with pytest.raises(SettingsError, match=says.replace("?", r"\?")):
        load_settings(f"postgresql://u@db.example/province?{query}", cipher_key="")


def test_a_bad_schema_on_the_command_line_is_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEDGER_DATABASE_URL", "postgresql://u@127.0.0.1/province?schema=A-B")
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 2
    assert "lower-case letters" in result.stderr and "Traceback" not in result.output
