"""A small hand-made county for behavioural tests: people, standards, roster files.

Expected amounts in tests are worked out by hand from the numbers here, never by
calling the code under test.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from ledger.adapters.roster_writer import write_roster_csv
from ledger.domain.identity import generate_card_number, generate_id_number

TODAY = date(2024, 12, 31)


def person(seq: int, birth: date = date(1970, 5, 17), region: str = "431023") -> str:
    return generate_id_number(region, birth, seq)


def card(seq: int) -> str:
    return generate_card_number("6217", seq)


def row(seq: int, programme: str, **values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "programme": programme, "name": f"测试{seq}", "id_number": person(seq, values.pop("birth", date(1970, 5, 17))),
        "town": "城关镇", "village": "东村", "area": "rural", "registered_poor": "是",
        "bank_name": "农村信用社", "bank_account": card(seq), "start_month": "2024-01",
    }
    if programme == "dibao":
        base.update(household_size=3, income_per_capita="120.00")
    if programme == "tekun":
        base.update(care_level="self")
    if programme.startswith("disability"):
        base.update(disability_grade=1)
    base.update(values)
    return base


def write(path: Path, rows: list[dict[str, Any]], **kwargs: Any) -> Path:
    return write_roster_csv(path, rows, **kwargs)


def set_standards(app: Any, by: str = "clerk") -> None:
    """Rural dibao 5316 yuan/year (443.00 a month), urban 600/month, tekun, others monthly."""
    d = date(2024, 1, 1)
    app.set_standard("dibao", "rural", 531600, "year", d, "县民政发〔2024〕1号", False, by)
    app.set_standard("dibao", "urban", 60000, "month", d, "县民政发〔2024〕1号", False, by)
    app.set_standard("tekun", "basic:rural", 700000, "year", d, "特困2024", False, by)
    app.set_standard("tekun", "basic:urban", 78000, "month", d, "特困2024", False, by)
    app.set_standard("tekun", "care:self", 30000, "year", d, "特困2024", False, by)
    app.set_standard("tekun", "care:partial", 250000, "year", d, "特困2024", False, by)
    app.set_standard("tekun", "care:full", 500000, "year", d, "特困2024", False, by)
    app.set_standard("disability_living", "grade1-2", 10000, "month", d, "残联2024", False, by)
    app.set_standard("disability_living", "grade3-4", 8000, "month", d, "残联2024", False, by)
    app.set_standard("disability_care", "grade1", 10000, "month", d, "残联2024", False, by)
    app.set_standard("disability_care", "grade2", 8000, "month", d, "残联2024", False, by)
    app.set_standard("elderly", "60-79", 8000, "month", d, "老龄2024", False, by)
    app.set_standard("elderly", "80-89", 10000, "month", d, "老龄2024", False, by)
    app.set_standard("elderly", "90+", 20000, "month", d, "老龄2024", False, by)
    app.set_standard("orphan", "orphan", 92000, "month", d, "孤儿2024", False, by)
    app.set_standard("child_in_difficulty", "child", 50000, "month", d, "困境2024", False, by)
