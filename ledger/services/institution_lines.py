"""Institution lines of the regular payroll (programme ``institution``).

Each institution with a grant due in the batch month gets one ``regular`` line: the
sum of its grants due that month (``ledger.domain.institution.month_line``), paid to
its own account, with its unified social credit code where a person's ID number
goes. The line's "case" is the institution (its id from its code), so the payment id
is as deterministic as any other (``ids.payment_id``), a killed run finds its lines
again, and ``BatchRun.record`` brings the draft's institution lines to exactly these.
A transfer the bank returned is paid again (a ``reissue`` line, the domain's
``reissue_lines`` as for a person) once the institution's account has been corrected
(``ledger institution account``); until then the batch's report lists it as held.

The grants are read from the run's own read snapshot, the one its case lines and
recorded log position come from; any institution event after that position makes
the draft stale (``draft_freshness``), like any other fact.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from sqlalchemy import Connection, select

from ledger.domain.calendar import Month
from ledger.domain.change_report import ChangeReport, PreviousLine
from ledger.domain.institution import PROGRAMME, Grant, month_line
from ledger.domain.payroll import Line, Reissue, reissue_lines
from ledger.services.batch_writer import BatchRun, Existing, Payee
from ledger.services.payroll_reads import existing_where
from projections import schema


def institution_lines(snapshot: Connection, month: Month,
                      reissues: Mapping[str, list[Reissue]] | None = None
                      ) -> list[tuple[Line, Payee]]:
    """Every institution's lines for ``month``, by institution id: its grants due (one
    ``regular`` line) and its returned transfers to pay again (``reissues``, keyed by
    institution id, those whose account was corrected since the bank returned them)."""
    g, i = schema.institution_grants.c, schema.institutions.c
    grants: dict[str, list[Grant]] = {}
    for row in snapshot.execute(
        select(schema.institution_grants).where(g.from_month <= str(month))
        .order_by(g.institution_id, g.number)
    ).mappings():
        grants.setdefault(row["institution_id"], []).append(Grant(
            row["number"], row["programme"], int(row["amount"]), row["per"],
            Month.parse(row["from_month"]),
            Month.parse(row["to_month"]) if row["to_month"] else None, row["ref"]))
    again = {key: value for key, value in (reissues or {}).items() if value}
    if not grants and not again:
        return []
    lines = []
    # Every institution, not those named: a county has tens of them, while ``reissues``
    # also holds every case with a returned payment to pay again (thousands, at worst).
    for row in snapshot.execute(select(schema.institutions)
                                .order_by(i.institution_id)).mappings():
        if row["institution_id"] not in grants and row["institution_id"] not in again:
            continue
        institution_id = UUID(row["institution_id"])
        payee = Payee(row["name"], row["code"], row["bank_name"], row["bank_account"],
                      row["town"], "")
        due = month_line(grants.get(row["institution_id"], []), month)
        if due is not None:
            amount, formula = due
            lines.append((Line(institution_id, PROGRAMME, "regular", month, amount, amount,
                               formula), payee))
        lines.extend((line, payee) for line in reissue_lines(
            institution_id, PROGRAMME, again.get(row["institution_id"], ())))
    return lines


def existing_institution_lines(conn: Connection, batch_id: UUID) -> Existing:
    """The institution lines a batch already has (never part of a range of cases)."""
    return existing_where(conn, batch_id, schema.payments.c.programme == PROGRAMME)


def _previous(conn: Connection, month: Month) -> list[PreviousLine]:
    p = schema.payments.c
    return [(r[0], r[1], r[2], int(r[3])) for r in conn.execute(
        select(p.case_id, p.programme, p.kind, p.amount)
        .where(p.batch_month == str(month + -1), p.batch_kind == "regular",
               p.programme == PROGRAMME, p.own_status != "withdrawn"))]


def record_institution_lines(run: BatchRun, snapshot: Connection, month: Month,
                             report: ChangeReport, chunk: int,
                             reissues: Mapping[str, list[Reissue]] | None = None) -> None:
    """Bring the regular draft's institution lines to this month's, and into its report."""
    lines = institution_lines(snapshot, month, reissues)
    with run.rt.engine.connect() as conn:
        existing = existing_institution_lines(conn, run.batch_id)
        previous = _previous(conn, month)
    run.record(lines, existing, chunk)
    report.add((line for line, _ in lines), previous, {})
