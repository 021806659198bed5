"""The facts of one case and their history, as plain data.

Every change has an *effective month* and a recording order. The facts in force
for a month are the enrolment facts overlaid with every change effective in or
before that month, in (effective month, recording order). This one fold is used
by the Case aggregate, by the case read model and by the payroll, so a case
means the same thing everywhere. It serialises to JSON for the read model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any

from ledger.domain.calendar import Month
from ledger.domain.household import MemberChange, household_size, members_in_force
from ledger.domain.member_classes import ClassFact, classes_in_force
from ledger.domain.money import Fen

PROGRAMMES: tuple[str, ...] = (
    "dibao",
    "tekun",
    "disability_living",
    "disability_care",
    "elderly",
    "orphan",
    "child_in_difficulty",
    "temporary",
    "price_subsidy",
)
"""Programme keys of the spec, in its order."""

ROSTER_PROGRAMMES = PROGRAMMES[:7]
"""Programmes a case can be enrolled in from a roster (the others are one-off payments)."""

CHANGEABLE = ("area", "household_size", "income_per_capita", "disability_grade", "care_level")


@dataclass(frozen=True, slots=True)
class Graduation:
    """A dibao graduation exit (渐退): paid base × taper for ``months`` months from ``start``."""

    start: Month
    base: Fen
    """The last regular monthly amount before graduation."""
    months: int
    taper: tuple[Decimal, ...]
    cancelled_from: Month | None = None

    def taper_for(self, month: Month) -> Decimal:
        i = month - self.start
        return self.taper[min(i, len(self.taper) - 1)]

    @property
    def end(self) -> Month:
        """The first month no longer paid."""
        return self.start + self.months


@dataclass(frozen=True, slots=True)
class MonthFacts:
    """The facts in force for one case in one month: the input of every programme rule."""

    programme: str
    month: Month
    birth_date: date
    in_payment: bool
    """Enrolled and not exited for this month."""
    area: str | None
    household_size: int | None
    income_per_capita: Fen | None
    disability_grade: int | None
    care_level: str | None
    graduation: Graduation | None
    """The graduation that concerns this month, if any (active, finished or cancelled)."""
    member_classes: tuple[tuple[str, ...], ...] = ()
    """The classes (分类施保) of each member in force who carries any, in member order."""


@dataclass
class CaseRecord:
    """Everything known about a case; mutated only by applying its events in order."""

    case_id: str
    programme: str
    name: str
    id_number: str
    birth_date: date
    town: str
    village: str
    registered_poor: bool
    bank_name: str
    bank_account: str
    start_month: Month
    enrolment: dict[str, Any]
    changes: list[tuple[Month, int, dict[str, Any]]] = field(default_factory=list)
    exit_month: Month | None = None
    exit_reason: str = ""
    graduations: list[Graduation] = field(default_factory=list)
    """Legacy graduation events (history only; money uses the derived graduations)."""
    bands: list[str] = field(default_factory=list)
    """What time alone brought, as noted by the lifecycle sweep ('2024-04 80-89'; graduations
    that ran their course). Notes only: the rules derive the same from the facts."""
    bank_changed_seq: int = 0
    """Recording sequence of the last bank account change (0 = never changed)."""
    seq: int = 0
    """How many events built this record (its version)."""
    members: list[MemberChange] = field(default_factory=list)
    """A dibao household's member facts (ledger/domain/household.py); empty: the roster's size stands."""
    classes: list[ClassFact] = field(default_factory=list)
    """Its members' classifications (分类施保, ledger/domain/member_classes.py)."""

    # --- changes -----------------------------------------------------------
    def change(self, effective: Month, values: dict[str, Any]) -> None:
        self.seq += 1
        self.changes.append((effective, self.seq, dict(values)))

    def facts_for(self, month: Month, graduations: Sequence[Graduation] = ()) -> MonthFacts:
        """The facts in force for ``month``.

        ``graduations`` are the household's graduations as derived from the facts
        (``ledger.domain.programmes.graduation``); the one concerning ``month`` is attached.
        """
        values = dict(self.enrolment)
        for effective, _, change in sorted(self.changes, key=lambda c: (c[0].index, c[1])):
            if effective <= month:
                values.update(change)
        in_payment = self.start_month <= month and (
            self.exit_month is None or month < self.exit_month
        )
        return MonthFacts(
            programme=self.programme,
            month=month,
            birth_date=self.birth_date,
            in_payment=in_payment,
            area=values.get("area"),
            household_size=self._size(month, values.get("household_size")),
            income_per_capita=values.get("income_per_capita"),
            disability_grade=values.get("disability_grade"),
            care_level=values.get("care_level"),
            graduation=_concerning(graduations, month),
            member_classes=self._member_classes(month) if self.classes else (),
        )

    def _member_classes(self, month: Month) -> tuple[tuple[str, ...], ...]:
        found = (classes_in_force(self.classes, m.person_key, month)
                 for m in sorted(members_in_force(self.members, month), key=lambda m: m.seq))
        return tuple(c for c in found if c)

    def _size(self, month: Month, assessed: int | None) -> int | None:
        """Members in force once members are recorded for ``month``; else the assessed size."""
        if not self.members:
            return assessed
        size = household_size(self.members, month)
        return assessed if size is None else size

    def cancel_graduation(self, effective: Month) -> None:
        """Legacy: ledgers before graduations were derived recorded them as events.

        ``graduations`` keeps what those events said, for history only: money follows the
        graduations derived from the facts.
        """
        for i in range(len(self.graduations) - 1, -1, -1):
            g = self.graduations[i]
            if g.start <= effective:
                self.graduations[i] = Graduation(g.start, g.base, g.months, g.taper, effective)
                return

    # --- JSON for the read model ------------------------------------------
    def to_json(self) -> str:
        # Built by hand, not with dataclasses.asdict: asdict deep-copies every value and was
        # 40% of projection catch-up time.
        data = {name: getattr(self, name) for name in _FIELDS}
        data["birth_date"] = self.birth_date.isoformat()
        data["start_month"] = str(self.start_month)
        data["exit_month"] = str(self.exit_month) if self.exit_month else None
        data["changes"] = [[str(m), s, c] for m, s, c in self.changes]
        data["graduations"] = [
            [str(g.start), g.base, g.months, [str(t) for t in g.taper],
             str(g.cancelled_from) if g.cancelled_from else None]
            for g in self.graduations
        ]
        if self.members:  # left out when empty: read models built before members stay equal
            data["members"] = [m.to_list() for m in self.members]
        else:
            del data["members"]
        if self.classes:
            data["classes"] = [c.to_list() for c in self.classes]
        else:
            del data["classes"]
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> CaseRecord:
        data = json.loads(text)
        data["birth_date"] = date.fromisoformat(data["birth_date"])
        data["start_month"] = Month.parse(data["start_month"])
        data["exit_month"] = Month.parse(data["exit_month"]) if data["exit_month"] else None
        data["changes"] = [(Month.parse(m), s, c) for m, s, c in data["changes"]]
        data["graduations"] = [
            Graduation(Month.parse(s), b, n, tuple(Decimal(t) for t in taper),
                       Month.parse(c) if c else None)
            for s, b, n, taper, c in data["graduations"]
        ]
        data["members"] = [MemberChange.from_list(m) for m in data.get("members", ())]
        data["classes"] = [ClassFact.from_list(c) for c in data.get("classes", ())]
        return cls(**data)


def _concerning(graduations: Sequence[Graduation], month: Month) -> Graduation | None:
    """The latest graduation started in or before ``month`` (active, finished or cancelled)."""
    found = None
    for g in graduations:
        if g.start <= month:
            found = g
    return found


_FIELDS = tuple(f.name for f in fields(CaseRecord))
