"""The demo county's people and rules: a roster in the report's proportions, the report's
standards history and CPI (shared/county-report.txt). Everyone is invented; ID and card
numbers are valid in form only."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ledger.domain.calendar import Month
from ledger.domain.identity import generate_card_number, generate_id_number
from ledger.services.runtime import Runtime

START = Month(2024, 1)
MAKER, CHECKER = "clerk.wang", "chief.li"
"""Who records (the clerk) and who approves (the chief) in the demo: never the same user."""

TOWNS = ("城关镇", "太平镇", "青山镇", "河口镇", "白石乡", "东坪乡", "西岭乡", "南湖镇",
         "北岸乡", "龙泉镇", "桃源乡", "金竹乡", "石门镇", "清溪乡")
SHARES = {"dibao": 9300, "tekun": 1700, "disability_living": 5600, "disability_care": 4600,
          "elderly": 7900, "orphan": 80, "child_in_difficulty": 35}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华平刚桂兰玉珍凤春梅建国志红海燕德"


def _birth(rng: random.Random, programme: str) -> date:
    if programme == "elderly":
        return date(1930, 1, 1) + timedelta(days=rng.randrange(0, 365 * 33))
    if programme in ("orphan", "child_in_difficulty"):
        return date(2008, 1, 1) + timedelta(days=rng.randrange(0, 365 * 15))
    return date(1945, 1, 1) + timedelta(days=rng.randrange(0, 365 * 50))


def county_roster(cases: int, seed: int) -> list[dict[str, Any]]:
    """Roster rows in the import format, proportions as in the report."""
    rng = random.Random(seed)
    total = sum(SHARES.values())
    rows: list[dict[str, Any]] = []
    used: set[str] = set()
    n = 0
    for programme, share in SHARES.items():
        count = max(1, round(cases * share / total))
        for _ in range(count):
            n += 1
            birth = _birth(rng, programme)
            id_number = generate_id_number("431023", birth, n % 1000)
            while id_number in used:  # same birth date and sequence: move a day
                birth += timedelta(days=1)
                id_number = generate_id_number("431023", birth, n % 1000)
            used.add(id_number)
            row: dict[str, Any] = {
                "programme": programme,
                "name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                "id_number": id_number,
                "town": rng.choice(TOWNS), "village": f"{rng.randint(1, 20)}村",
                "area": "urban" if rng.random() < 0.2 else "rural",
                "registered_poor": "是" if rng.random() < 0.65 else "否",
                "bank_name": "农村信用合作联社", "bank_account": generate_card_number("621799", n),
                "start_month": str(START),
            }
            if programme == "dibao":
                row.update(household_size=rng.choice((1, 1, 2, 2, 3, 3, 4, 5)),
                           income_per_capita=f"{rng.randrange(0, 25000) / 100:.2f}")
            elif programme == "tekun":
                row["care_level"] = rng.choice(("self", "self", "partial", "full"))
            elif programme == "disability_living":
                row["disability_grade"] = rng.choice((1, 2, 3, 4))
            elif programme == "disability_care":
                row["disability_grade"] = rng.choice((1, 2))
            rows.append(row)
    return rows


def set_county_standards(rt: Runtime, by: str) -> None:
    """The report's standards, in the order a bureau would have recorded them."""
    app = rt.app
    jan, jul = date(2024, 1, 1), date(2024, 7, 1)
    app.set_standard("dibao", "rural", 456000, "year", jan, "县民政发〔2024〕1号 农村低保4560元/年", False, by)
    app.set_standard("dibao", "urban", 62000, "month", jan, "县民政发〔2024〕1号 城市低保620元/月", False, by)
    app.set_standard("tekun", "basic:rural", 600000, "year", jan, "县民政发〔2024〕2号", False, by)
    app.set_standard("tekun", "basic:urban", 81000, "month", jan, "县民政发〔2024〕2号", False, by)
    app.set_standard("tekun", "basic:rural", 700000, "year", jul, "县民政发〔2024〕9号 特困基本7000元/年", False, by)
    for level, amount in (("self", 30000), ("partial", 250000), ("full", 500000)):
        app.set_standard("tekun", f"care:{level}", amount, "year", jan, "县民政发〔2024〕2号 照料护理", False, by)
    app.set_standard("disability_living", "grade1-2", 10000, "month", jan, "县残联〔2024〕3号", False, by)
    app.set_standard("disability_living", "grade3-4", 8000, "month", jan, "县残联〔2024〕3号", False, by)
    app.set_standard("disability_care", "grade1", 10000, "month", jan, "县残联〔2024〕3号", False, by)
    app.set_standard("disability_care", "grade2", 8000, "month", jan, "县残联〔2024〕3号", False, by)
    for band, amount in (("60-79", 8000), ("80-89", 10000), ("90+", 20000)):
        app.set_standard("elderly", band, amount, "month", jan, "县老龄办〔2024〕1号", False, by)
    app.set_standard("orphan", "orphan", 92000, "month", jan, "县民政发〔2024〕5号", False, by)
    app.set_standard("child_in_difficulty", "child", 50000, "month", jan, "县民政发〔2024〕5号", False, by)


CPI = {Month(2024, 6): (Decimal("3.8"), Decimal("6.5"))}
"""Recorded CPI / food-CPI year-on-year rises; every other month is 1.2% / 2.0% (suspended)."""
