"""The province's monthly figures: every county's 月报 (read model only), side by side and summed.

A province does not keep a ledger of its own: each county's ledger is the authority for
its money, and its read model already holds that month's statistics
(projections/monthly_statistics.py, area ``all``). This module reads them as they are —
it never catches a county's projection up, never writes — and adds them up. Sums across
counties are exact: a case belongs to one county's ledger. Across programmes only money
adds up (one household may be paid by dibao and temporary relief in one month), so a
county's and the province's ``total`` carry ``paid`` alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from ledger.domain.calendar import Month
from ledger.domain.money import format_yuan, parse_yuan
from projections import schema
from projections.monthly_statistics import REPORTED_PROGRAMMES, monthly_statistics
from projections.read_model import ReadModel

COUNTS = ("households", "people", "new", "ended")


def county_figures(conn: Connection, month: Month) -> dict[str, Any]:
    """One county's figures for ``month``: per programme, money in fen; and how far it is projected."""
    programmes: dict[str, dict[str, int]] = {}
    for row in monthly_statistics(conn, month)["rows"]:
        if row["area"] == "all":
            programmes[row["programme"]] = {"paid": parse_yuan(row["paid"]),
                                            **{k: int(row[k]) for k in COUNTS}}
    t = schema.tracking.c
    position = conn.execute(select(t.position).where(t.name == ReadModel.NAME)).scalar()
    return {"programmes": programmes, "position": int(position or 0)}


def _as_shown(programmes: dict[str, dict[str, int]]) -> dict[str, Any]:
    shown = {p: {"paid": format_yuan(f["paid"]), **{k: f[k] for k in COUNTS}}
             for p, f in programmes.items()}
    return {"programmes": shown,
            "total": {"paid": format_yuan(sum(f["paid"] for f in programmes.values()))}}


def province_report(month: Month, counties: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """``{"month", "counties": [{"county", "position", "programmes", "total"}], "province"}``.

    ``counties`` are (name, county_figures) in the order asked; money is shown in yuan.
    """
    province: dict[str, dict[str, int]] = {}
    rows = []
    for name, figures in counties:
        for programme, f in figures["programmes"].items():
            into = province.setdefault(programme, {"paid": 0, **dict.fromkeys(COUNTS, 0)})
            for key, value in f.items():
                into[key] += value
        rows.append({"county": name, "position": figures["position"],
                     **_as_shown(figures["programmes"])})
    ordered = {p: province[p] for p in REPORTED_PROGRAMMES if p in province}
    return {"month": str(month), "counties": rows, "province": _as_shown(ordered)}
