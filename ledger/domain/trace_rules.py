"""Which rules a payment was computed with: the standards (and CPI decision) for its month.

The trace used to list every category of the programme (both areas of dibao, every
care level of tekun), so an arrears line for a rural household showed the urban
standard beside the rural one. Here the case's facts *for the month the line pays
for* choose the categories, and only standards recorded before the line was computed
count: a standard recorded later is another line's story (its own arrears).
A price subsidy is computed from the CPI record's decision and the dibao standard of
the area in the measured month, so those are what its trace shows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord
from ledger.domain.identity import age_in_month
from ledger.domain.money import format_yuan
from ledger.domain.programmes.disability import care_category, living_category
from ledger.domain.programmes.elderly import age_band
from ledger.domain.standards import StandardBook


def categories_used(programme: str, record: CaseRecord, month: Month) -> list[tuple[str, str]]:
    """(programme, category) of every standard the line's rule reads for ``month``."""
    facts = record.facts_for(month)
    area, grade = facts.area, facts.disability_grade
    if programme in ("dibao", "price_subsidy"):
        return [("dibao", area)] if area else []
    if programme == "tekun":
        return [("tekun", f"basic:{area}"), ("tekun", f"care:{facts.care_level}")]
    if programme == "disability_living":
        return [("disability_living", living_category(grade or 4))]
    if programme == "disability_care":
        category = care_category(grade or 0)
        return [("disability_care", category)] if category else []
    if programme == "elderly":
        band = age_band(age_in_month(record.birth_date, month.year, month.month))
        return [("elderly", band)] if band else []
    if programme == "orphan":
        return [("orphan", "orphan")]
    if programme == "child_in_difficulty":
        return [("child_in_difficulty", "child")]
    return []


def standards_applied(app: Any, used: list[tuple[str, str]], month: Month,
                      computed_at: datetime) -> list[dict[str, Any]]:
    """The standard in force for ``month`` per category, as known when the line was computed."""
    out = []
    for programme, category in used:
        standard = app.maybe(ids.standard_id(programme, category))
        known = [e for e in (standard.entries if standard else []) if e.recorded_at <= computed_at]
        entry = StandardBook(known).entry(programme, category, month)
        if entry is None:
            continue
        out.append({
            "type": "Standard.Set", "subject": "standard",
            "recorded_at": entry.recorded_at.isoformat(), "effective": entry.effective.isoformat(),
            "programme": entry.programme, "category": entry.category,
            "amount": format_yuan(entry.amount), "per": entry.per,
            "monthly": format_yuan(entry.monthly), "ref": entry.ref, "for_month": str(month),
        })
    return out


def cpi_record_events(app: Any, month: Month) -> list[Any]:
    """The CPI record of the measured month: the figures and the price-linkage decision."""
    return list(app.events.get(ids.cpi_id(month))) if app.maybe(ids.cpi_id(month)) else []
