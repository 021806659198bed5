"""A payroll's change report for the checker: what changed against last month.

The payroll streams through the cases in parts (ranges of case ids, in order), so the
report is accumulated part by part: counts are complete, lists are capped at
``REPORT_LIMIT`` entries and come in case-id order. The report is stored on the batch's
``Computed`` event, so a province-size first month (every case "new") must not make
that event megabytes long; `payroll show --json` lists every line.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ledger.domain.payroll import Line

REPORT_LIMIT = 1000
"""At most this many entries per list in a batch's change report (counts are complete)."""

MONTHLY_KINDS = ("regular", "graduation")

PreviousLine = tuple[str, str, str, int]
"""(case id, programme, line kind, amount) of a line of the previous month's batch."""
NowLine = tuple[str, str, str, int]
"""(case id, programme, line kind, amount) of a line of this batch."""


class ChangeReport:
    """Counts and capped lists, fed one part of the batch at a time."""

    def __init__(self) -> None:
        self.counts = {"new_cases": 0, "exits": 0, "amount_changes": 0}
        self.lists: dict[str, list[Any]] = {"new_cases": [], "exits": [], "amount_changes": []}
        self.arrears = [0, 0]
        self.recoveries = [0, 0]
        self.receivables: dict[str, int] = {}

    def _note(self, key: str, entries: list[Any]) -> None:
        self.counts[key] += len(entries)
        room = REPORT_LIMIT - len(self.lists[key])
        if room > 0:
            self.lists[key].extend(entries[:room])

    def add(self, lines: Iterable[Line], previous: Iterable[PreviousLine],
            receivables: dict[str, int]) -> None:
        """One part: its lines now, the previous month's lines of the same cases."""
        self.add_rows(((ln.case_id.hex, ln.programme, ln.kind, ln.amount) for ln in lines),
                      previous, receivables)

    def add_rows(self, lines: Iterable[NowLine], previous: Iterable[PreviousLine],
                 receivables: dict[str, int]) -> None:
        """:meth:`add` for lines given as plain rows (as a parallel payroll's writer has them)."""
        now: dict[tuple[str, str], int] = {}
        for case_id, programme, kind, amount in lines:
            if kind in MONTHLY_KINDS:
                now[(case_id, programme)] = amount
            elif kind == "arrears":
                self.arrears[0] += 1
                self.arrears[1] += amount
            elif kind == "recovery":
                self.recoveries[0] += 1
                self.recoveries[1] += amount
        before = {(case_id, programme): amount for case_id, programme, kind, amount in previous
                  if kind in MONTHLY_KINDS}
        self._note("new_cases", sorted(k[0] for k in now if k not in before))
        self._note("exits", sorted(k[0] for k in before if k not in now))
        self._note("amount_changes", [
            {"case_id": k[0], "programme": k[1], "before": before[k], "now": v}
            for k, v in sorted(now.items()) if k in before and before[k] != v
        ])
        self.receivables.update(receivables)

    def as_dict(self, held: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "counts": {**self.counts, "held": len(held)},
            **self.lists,
            "arrears": {"lines": self.arrears[0], "total": self.arrears[1]},
            "recoveries": {"lines": self.recoveries[0], "total": self.recoveries[1]},
            # Not capped: the next payroll reads it to know who still owes (see
            # payroll_run._settled_since).
            "receivables": {"cases": len(self.receivables),
                            "total": sum(self.receivables.values()),
                            "by_case": dict(sorted(self.receivables.items()))},
            "held": held[:REPORT_LIMIT],
            "truncated_at": REPORT_LIMIT,
        }
