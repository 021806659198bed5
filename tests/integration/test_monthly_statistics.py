"""Monthly statistics (月报) on a small ledger built here, figures by hand; both backends.

Standards (tests/county.py): dibao rural 5316/12 = 443.00, urban 600.00; tekun rural
583.33 basic + 25.00 care. Cases, all from 2024-01 but case 8 (from 2024-02):

==== ============================ ===================================== =========
seq  case                         January                               February
==== ============================ ===================================== =========
1    dibao rural, 3, income 120   (443 − 120) × 3 = 969.00              see below
6    dibao rural, 2, income 120   (443 − 120) × 2 = 646.00              see below
5    dibao urban, 2, income 200   (600 − 200) × 2 = 800.00              see below
8    dibao rural, 2, income 300.05  —                                   (443 − 300.05) × 2 = 285.90
2    tekun rural, self            583.33 + 25.00 = 608.33               608.33
3    disability_living grade 1    100.00                                exits from 2024-02
==== ============================ ===================================== =========

Recorded before February's payroll: case 1's income is 100.00 from January (February
(443 − 100) × 3 = 1029.00, arrears for January 1029.00 − 969.00 = 60.00); case 6 is one
person from January (February 323.00, recovery for January 323.00 − 646.00 = −323.00);
case 5's income is 650.00 from February, above the urban 600.00, so it graduates: 800.00
(the January amount × 100%) as a graduation line.

February, dibao rural: households 1, 6, 8 = 3; people 3 + 1 + 2 = 6;
paid 1029.00 + 60.00 + 323.00 − 323.00 + 285.90 = 1374.90;
average (1029.00 + 323.00 + 285.90) / 6 = 1637.90 / 6 = 272.983… → 272.98; new 1 (case 8).
dibao urban: 1 household, 2 people, paid 800.00, average 400.00.
dibao all: 4 households, 8 people, paid 2174.90, average 2437.90 / 8 = 304.7375 → 304.74.
tekun: 1, 1, 608.33, 608.33 (rural and all). disability_living: nothing paid, ended 1.
"""

from __future__ import annotations

import csv
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from ledger.cli.main import main
from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.services.batches import approve_batch
from ledger.services.case_changes import exit_case, update_case
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from tests import county


def row(programme: str, area: str, households: int, people: int, paid: str, average: str,
        new: int = 0, ended: int = 0) -> dict:
    return {"programme": programme, "area": area, "households": households, "people": people,
            "paid": paid, "average_per_person": average, "new": new, "ended": ended}


def build_january(rt: Runtime, tmp_path: Path) -> None:
    county.set_standards(rt.app)
    rows = [
        county.row(1, "dibao"),
        county.row(6, "dibao", household_size=2),
        county.row(5, "dibao", area="urban", household_size=2, income_per_capita="200.00"),
        county.row(8, "dibao", household_size=2, income_per_capita="300.05",
                   start_month="2024-02"),
        county.row(2, "tekun"),
        county.row(3, "disability_living"),
    ]
    assert not import_roster(rt, county.write(tmp_path / "r.csv", rows), county.TODAY,
                             "clerk").problems
    approve_batch(rt, run_payroll(rt, Month(2024, 1), "clerk").id, "checker")


def build_february(rt: Runtime) -> None:
    jan, feb = Month(2024, 1), Month(2024, 2)

    def case(seq: int, programme: str = "dibao"):  # noqa: ANN202
        return ids.case_id(county.person(seq), programme)

    update_case(rt.app, case(1), jan, "clerk", income_per_capita=10000)
    update_case(rt.app, case(6), jan, "clerk", household_size=1)
    update_case(rt.app, case(5), feb, "clerk", income_per_capita=65000)
    exit_case(rt.app, case(3, "disability_living"), feb, "moved away", "clerk")
    rt.read_model.catch_up()
    approve_batch(rt, run_payroll(rt, feb, "clerk").id, "checker")


def test_monthly_statistics_by_programme_and_area_match_the_hand_computed_figures(
        rt: Runtime, tmp_path: Path) -> None:
    build_january(rt, tmp_path)
    build_february(rt)
    result = CliRunner().invoke(main, ["report", "monthly", "--month", "2024-02", "--json",
                                       "--xlsx", str(tmp_path / "m.xlsx")])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"month": "2024-02", "rows": [
        row("dibao", "urban", 1, 2, "800.00", "400.00"),
        row("dibao", "rural", 3, 6, "1374.90", "272.98", new=1),
        row("dibao", "all", 4, 8, "2174.90", "304.74", new=1),
        row("tekun", "urban", 0, 0, "0.00", "0.00"),
        row("tekun", "rural", 1, 1, "608.33", "608.33"),
        row("tekun", "all", 1, 1, "608.33", "608.33"),
        row("disability_living", "urban", 0, 0, "0.00", "0.00"),
        row("disability_living", "rural", 0, 0, "0.00", "0.00", ended=1),
        row("disability_living", "all", 0, 0, "0.00", "0.00", ended=1),
    ]}
    sheet = load_workbook(tmp_path / "m.xlsx").active
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[0] == ("项目", "城乡", "户数", "人数", "支出", "月人均补助水平", "新增", "减少")
    # XLSX keeps numbers as binary doubles: they read back as floats
    assert cells[2] == ("最低生活保障", "农村", 3, 6, 1374.9, 272.98, 1, 0)
    numeric = sheet.cell(row=3, column=5)
    assert numeric.data_type == "n" and numeric.number_format == "0.00"
    assert sheet.cell(row=3, column=1).data_type == "s"


def january() -> dict:
    result = CliRunner().invoke(main, ["report", "monthly", "--month", "2024-01", "--json"])
    return {(r["programme"], r["area"]): r for r in json.loads(result.stdout)["rows"]}


def test_in_the_first_month_every_paid_case_is_new_and_people_follow_the_facts_known_now(
        rt: Runtime, tmp_path: Path) -> None:
    build_january(rt, tmp_path)
    # Reported right after January: dibao rural 1 and 6, 969.00 + 646.00 = 1615.00 for
    # 3 + 2 people = 323.00 each; every case paid is new.
    rows = january()
    assert rows[("dibao", "rural")] == row("dibao", "rural", 2, 5, "1615.00", "323.00", new=2)
    assert rows[("dibao", "all")]["new"] == 3
    assert rows[("disability_living", "all")] == row("disability_living", "all", 1, 1, "100.00",
                                                     "100.00", new=1)
    # Reported again after case 6 became one person from January: people 3 + 1 = 4, the
    # money paid in January unchanged (its recovery is February's): 1615.00 / 4 = 403.75.
    build_february(rt)
    assert january()[("dibao", "rural")] == row("dibao", "rural", 2, 4, "1615.00", "403.75",
                                                new=2)


def test_the_demo_countys_january_dibao_figures_match_its_roster_by_hand(
        tmp_path: Path, monkeypatch) -> None:
    """January of the demo (ledger/services/demo.py): standards rural 4560/12 = 380.00, urban 620.00;
    no relief, graduation, exit or price subsidy yet. From the roster file the demo imported,
    a household is paid (standard − income) × size when its income is below the standard.
    """
    monkeypatch.setenv("LEDGER_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["demo", "--cases", "200", "--months", "1",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    with (out / "roster.csv").open(encoding="gbk", newline="") as f:
        roster = [r for r in csv.DictReader(f) if r["项目"] in ("dibao", "最低生活保障")]
    standard = {"rural": Decimal("380.00"), "urban": Decimal("620.00")}
    expected: dict[str, list] = {"urban": [0, 0, Decimal(0)], "rural": [0, 0, Decimal(0)]}
    for r in roster:
        gap = standard[r["城乡"]] - Decimal(r["家庭月人均收入"])
        if gap > 0:
            figures = expected[r["城乡"]]
            figures[0] += 1
            figures[1] += int(r["保障人数"])
            figures[2] += gap * int(r["保障人数"])
    assert expected["rural"][0] > 0 and expected["urban"][0] > 0
    report = CliRunner().invoke(main, ["report", "monthly", "--month", "2024-01", "--json"])
    rows = {r["area"]: r for r in json.loads(report.stdout)["rows"] if r["programme"] == "dibao"}
    for area, (households, people, paid) in expected.items():
        average = (paid / people).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert rows[area] == row("dibao", area, households, people, f"{paid:.2f}", f"{average}",
                                 new=households)


def test_a_household_whose_graduation_ran_its_course_is_counted_as_ended(
        rt: Runtime, tmp_path: Path) -> None:
    """Graduation of one month: case 5 (urban) is paid its graduation for February only and
    nothing for March, with no exit recorded: March's dibao urban row has ended 1."""
    from datetime import date

    rt.app.set_policy("graduation.months", "1", date(2024, 1, 1), "admin")
    build_january(rt, tmp_path)
    build_february(rt)
    approve_batch(rt, run_payroll(rt, Month(2024, 3), "clerk").id, "checker")
    result = CliRunner().invoke(main, ["report", "monthly", "--month", "2024-03", "--json"])
    assert result.exit_code == 0, result.stderr
    rows = {(r["programme"], r["area"]): r for r in json.loads(result.stdout)["rows"]}
    assert (rows[("dibao", "urban")]["households"], rows[("dibao", "urban")]["ended"]) == (0, 1)
    assert rows[("dibao", "all")]["ended"] == 1
    assert rows[("dibao", "rural")]["ended"] == 0


def test_campaign_and_institution_money_has_rows_so_the_month_adds_up_to_its_batches(
        rt: Runtime, tmp_path: Path) -> None:
    """January, by hand: dibao case 1 (rural, 3 people, income 120) (443 − 120) × 3 = 969.00;
    tekun case 2 583.33 + 25.00 = 608.33; the 敬老院 9144030071526726XG 1,500.00 a month; a
    cash campaign of 50.00 per person for dibao and tekun: 3 × 50.00 = 150.00 and 50.00.
    The month's approved batches pay 969.00 + 608.33 + 1500.00 + 200.00 = 3277.33, and the
    rows' ``all`` figures must add up to exactly that. The campaign counts its 2 households
    and 3 + 1 = 4 people (200.00 / 4 = 50.00 each); it and the institution are new to
    nobody. The institution is one payee and no people.
    """
    from ledger.services.campaign_run import run_campaign_batch
    from projections.province import county_figures

    def cli(*args: str, by: str = "clerk") -> str:
        result = CliRunner().invoke(main, list(args), env={"LEDGER_USER": by})
        assert result.exit_code == 0, result.stderr
        return result.stdout

    county.set_standards(rt.app)
    assert not import_roster(rt, county.write(tmp_path / "r.csv", [
        county.row(1, "dibao"), county.row(2, "tekun")]), county.TODAY, "clerk").problems
    cli("institution", "add", "9144030071526726XG", "--name", "河口乡敬老院", "--town", "河口乡",
        "--bank-account", "43050101234567890002", "--bank-name", "信用社河口分社")
    cli("institution", "grant", "9144030071526726XG", "--programme", "tekun", "--amount",
        "1500.00", "--per", "month", "--from", "2024-01", "--ref", "县民政发〔2024〕9号")
    cli("campaign", "create", "冬春救助", "--month", "2024-01", "--per", "person", "--amount",
        "50", "--programmes", "dibao,tekun")
    cli("campaign", "create", "春节慰问", "--month", "2024-01", "--per", "household",
        "--amount", "100", "--programmes", "dibao")
    approve_batch(rt, run_payroll(rt, Month(2024, 1), "clerk").id, "checker")
    approve_batch(rt, run_campaign_batch(rt, Month(2024, 1), "clerk").id, "checker")

    rows = january()
    assert rows[("campaign", "all")] == row("campaign", "all", 2, 4, "300.00", "75.00")
    assert rows[("campaign", "rural")] == row("campaign", "rural", 0, 0, "0.00", "0.00")
    assert rows[("institution", "all")] == row("institution", "all", 1, 0, "1500.00", "0.00")
    assert rows[("dibao", "all")] == row("dibao", "all", 1, 3, "969.00", "323.00", new=1)
    assert rows[("tekun", "all")] == row("tekun", "all", 1, 1, "608.33", "608.33", new=1)
    total = sum(Decimal(r["paid"]) for (_, area), r in rows.items() if area == "all")
    assert total == Decimal("969.00") + Decimal("608.33") + Decimal("1500.00") + Decimal("300.00")
    # Shown after the spec's programmes, and carried into the province report
    order = [p for p, area in rows if area == "all"]
    assert order == ["dibao", "tekun", "campaign", "institution"]
    with rt.engine.connect() as conn:
        programmes = county_figures(conn, Month(2024, 1))["programmes"]
    assert programmes["campaign"]["paid"] == 300_00
    assert programmes["institution"] == {"paid": 1500_00, "households": 1, "people": 0,
                                         "new": 0, "ended": 0}


def test_case_records_read_by_ids_or_by_a_scan_are_the_same(rt: Runtime, tmp_path: Path) -> None:
    """The 月报 reads nearly every case: past a share of the table it scans instead of
    asking by ids (projections/people.py). Both ways give the same records, and ids that
    are not cases (a relief's, an institution's) are skipped either way."""
    from projections.people import case_records
    from projections.schema import cases

    build_january(rt, tmp_path)
    with rt.engine.connect() as conn:
        every = list(conn.execute(cases.select().with_only_columns(cases.c.case_id)).scalars())
        wanted = [*every[:5], "f" * 32]
        by_ids = case_records(conn, wanted, scan_from=10_000)
        by_scan = case_records(conn, wanted, scan_from=0)
    assert len(by_ids) == 5 and set(by_ids) == set(every[:5])
    assert {k: v.to_json() for k, v in by_scan.items()} == {
        k: v.to_json() for k, v in by_ids.items()}
