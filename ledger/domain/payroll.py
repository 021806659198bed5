"""The payroll rules for one case in one batch: pure, no I/O.

For batch month M a case gets
- its entitlement for M (``regular`` or ``graduation``);
- for every earlier month the ledger has paid (a month with an approved regular
  batch), ``entitled now − net already paid``: ``arrears`` when positive,
  ``recovery`` when negative. Net already paid counts every line of approved
  batches for that month except reissues (a return is made good by a reissue,
  never by arrears);
- reissues of returned payments, decided by the caller.

Recoveries are netted against the case's positive lines in the same batch; the
part that cannot be netted is *not* sent as a negative transfer: it stays owed
and is carried forward as a receivable, which the next payroll finds again as
the same negative difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from uuid import UUID

from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord
from ledger.domain.money import Fen, format_yuan
from ledger.domain.policy import PolicyBook
from ledger.domain.programmes import CaseEntitlement
from ledger.domain.standards import StandardBook


@dataclass(frozen=True, slots=True)
class Line:
    """One payment line before it is recorded."""

    case_id: UUID
    programme: str
    kind: str
    for_month: Month
    amount: Fen
    transfer: Fen
    formula: str
    reissue_of: tuple[UUID, ...] = ()
    payment_id: UUID | None = None
    """Fixed by what the line pays, whatever batch takes it (a campaign share); None: derived
    from the batch and the line (``ids.payment_id``)."""


@dataclass(frozen=True, slots=True)
class Reissue:
    """A returned payment to pay again (the caller checked the account was corrected)."""

    payment_id: UUID
    for_month: Month
    amount: Fen
    programme: str | None = None
    """The returned payment's programme (a price subsidy stays one); None: the case's."""


@dataclass(frozen=True, slots=True)
class OneOff:
    """A one-off entitlement of the case paid by another batch (a price subsidy for a month).

    When a correction (a CPI figure re-recorded) changes what was due, the difference
    is paid or recovered by the regular payroll like any retroactive change.
    """

    programme: str
    for_month: Month
    entitled: Fen
    paid: Fen
    formula: str


@dataclass(slots=True)
class CaseLines:
    lines: list[Line] = field(default_factory=list)
    receivable: Fen = 0
    """Recovery owed that could not be netted in this batch (carried forward)."""


def case_lines(
    record: CaseRecord,
    month: Month,
    paid_months: Iterable[Month],
    net_paid: Mapping[Month, Fen],
    standards: StandardBook,
    policy: PolicyBook,
    reissues: Iterable[Reissue] = (),
    one_offs: Iterable[OneOff] = (),
    entitled: CaseEntitlement | None = None,
) -> CaseLines:
    """Every line a case gets in the regular batch of ``month``, netted.

    ``entitled`` answers what the case is due for any month by the facts known now (built
    here when not given; the caller passes it to share it with the price subsidy).
    """
    entitled = entitled or CaseEntitlement(record, standards, policy)
    case_id = UUID(record.case_id)
    positive: list[Line] = []
    owed: list[tuple[Month, Fen, str, str]] = []

    current = entitled.for_month(month)
    if current.amount > 0:
        positive.append(Line(case_id, record.programme, current.kind, month, current.amount,
                             current.amount, current.formula))

    for past in sorted(m for m in paid_months if m < month and m >= record.start_month):
        now = entitled.for_month(past)
        already = net_paid.get(past, 0)
        diff = now.amount - already
        why = f"{past}: entitled now {format_yuan(now.amount)} ({now.formula}) − paid {format_yuan(already)}"
        if diff > 0:
            positive.append(Line(case_id, record.programme, "arrears", past, diff, diff, why))
        elif diff < 0:
            owed.append((past, -diff, why, record.programme))

    for one in one_offs:
        diff = one.entitled - one.paid
        why = (f"{one.for_month}: {one.programme} now {format_yuan(one.entitled)} ({one.formula})"
               f" − paid {format_yuan(one.paid)}")
        if diff > 0:
            positive.append(Line(case_id, one.programme, "arrears", one.for_month, diff, diff, why))
        elif diff < 0:
            owed.append((one.for_month, -diff, why, one.programme))

    positive.extend(reissue_lines(case_id, record.programme, reissues))
    owed.sort(key=lambda o: (o[0].index, o[3]))
    return net_recoveries(case_id, positive, owed)


def reissue_lines(payee_id: UUID, programme: str, reissues: Iterable[Reissue]) -> list[Line]:
    """The lines paying returned payments again, to a case or an institution.

    One reissue line per programme and month paid for, as its payment id is derived from
    them: two returned payments of one month (say its regular line and later arrears) are
    paid again by one line naming both. ``programme`` is the payee's, for a returned
    payment that does not name its own.
    """
    grouped: dict[tuple[str, Month], list[Reissue]] = {}
    for r in sorted(reissues, key=lambda r: (r.for_month.index, r.payment_id.hex)):
        grouped.setdefault((r.programme or programme, r.for_month), []).append(r)
    lines = []
    for (line_programme, for_month), returned in grouped.items():
        amount = sum(r.amount for r in returned)
        lines.append(Line(payee_id, line_programme, "reissue", for_month, amount, amount,
                          "reissue of returned payment "
                          + " + ".join(f"{r.payment_id.hex} ({format_yuan(r.amount)})"
                                       for r in returned),
                          tuple(r.payment_id for r in returned)))
    return lines


def net_recoveries(case_id: UUID, positive: list[Line],
                   owed: list[tuple[Month, Fen, str, str]]) -> CaseLines:
    """Net what is owed (oldest month first) against the positive lines; never below zero.

    ``owed`` holds (month, amount, why, programme): a recovery line keeps the programme
    whose money it recovers.
    """
    available = sum(line.amount for line in positive)
    result = CaseLines()
    recovered_total = 0
    for past, amount, why, programme in owed:
        take = min(amount, available - recovered_total)
        if take > 0:
            result.lines.append(Line(case_id, programme, "recovery", past, -take, 0,
                                     f"recovery of {format_yuan(amount)} owed for {why}; "
                                     f"netted {format_yuan(take)}"))
            recovered_total += take
        result.receivable += amount - max(take, 0)
    to_deduct = recovered_total
    for line in positive:
        deduct = min(to_deduct, line.amount)
        to_deduct -= deduct
        if deduct:
            line = Line(line.case_id, line.programme, line.kind, line.for_month, line.amount,
                        line.amount - deduct,
                        line.formula + f"; less {format_yuan(deduct)} recovery netted",
                        line.reissue_of)
        result.lines.append(line)
    result.lines.sort(key=lambda ln: (ln.kind != "regular", ln.for_month.index, ln.kind))
    return result
