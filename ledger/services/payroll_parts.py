"""Computing one part of a payroll: a page of cases in, its encoded payment lines out.

This is the work a payroll's worker processes share. It reads nothing and writes
nothing: the writer hands it the part's cases exactly as its snapshot read them (the
stored JSON, undecoded) and what those cases were paid before, and gets back every
line with its deterministic payment id and, for a line that turns out to be new, the
stored event already encoded (the same bytes ``payment_codec`` makes in the writer).
So every worker computes from the one snapshot the batch records, and recording —
diffing against the lines the batch has, saving, projecting — stays with one writer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper

from ledger.adapters import payment_codec
from ledger.adapters.payment_codec import Sealing
from ledger.domain.calendar import Month
from ledger.domain.case_record import CaseRecord
from ledger.domain.payroll import Line, OneOff, Reissue, case_lines
from ledger.domain.policy import PolicyBook
from ledger.domain.price_linkage import case_subsidy
from ledger.domain.programmes import CaseEntitlement
from ledger.domain.standards import StandardBook
from ledger.services.batch_writer import Entry, Payee, line_payment_id, new_payment
from ledger.services.payroll_history import PriceMonth


@dataclass(frozen=True)
class RunFacts:
    """What every part of one run is computed against (sent once to each worker)."""

    month: Month
    kind: str
    batch_id: UUID
    by: str
    standards: StandardBook
    policy: PolicyBook
    paid_months: list[Month]
    reissues: dict[str, list[Reissue]]
    price_months: list[PriceMonth]
    sealing: Sealing | None
    """How new payments' events are sealed; None: the writer encodes them."""


@dataclass(frozen=True)
class PartInput:
    """One part's cases as the snapshot holds them, and what they were paid before."""

    cases: list[tuple[str, str]]
    """(case id, stored record JSON), in case-id order."""
    history: frozenset[str]
    """Cases whose past months are recomputed (arrears and recoveries)."""
    priced: frozenset[str]
    """Cases whose price subsidies are rechecked."""
    net_paid: dict[str, dict[Month, int]]
    price_paid: dict[str, dict[Month, int]]
    counted: dict[str, frozenset[Month]] = field(default_factory=dict)
    """Tekun and orphan cases: the price months their person is counted by another case."""


@dataclass(frozen=True)
class ComputedPart:
    """A part's lines as plain tuples: ``RecordedPayment``'s fields and the encoded state.

    Plain tuples of strings and numbers are what pickle moves fastest; the writer makes
    its entries from them (:meth:`entries`).
    """

    lines: list[tuple[tuple[Any, ...], bytes | None]]
    receivables: dict[str, int]

    def entries(self) -> list[Entry]:
        return [(payment_codec.from_fields(fields), state) for fields, state in self.lines]


def compute_part(facts: RunFacts, part: PartInput) -> ComputedPart:
    """Every line of one part's cases, with its payment id and its new-payment event."""
    lines: list[tuple[tuple[Any, ...], bytes | None]] = []
    receivables: dict[str, int] = {}
    no_months: list[Month] = []
    mapper = _mapper(facts.sealing)
    when = datetime.now(UTC).isoformat()  # the new payments' event time: one per part
    for case_id, text in part.cases:
        record = CaseRecord.from_json(text)
        entitled = CaseEntitlement(record, facts.standards, facts.policy)
        one_offs = (one_offs_of(entitled, facts.price_months, part.price_paid.get(case_id, {}),
                                part.counted.get(case_id, frozenset()))
                    if case_id in part.priced else ())
        history = case_id in part.history
        result = case_lines(record, facts.month, facts.paid_months if history else no_months,
                            part.net_paid.get(case_id, {}), facts.standards, facts.policy,
                            facts.reissues.get(case_id, ()), one_offs, entitled)
        payee = Payee.of(record)
        for line in result.lines:
            lines.append(_line(facts, line, payee, mapper, when))
        if result.receivable:
            receivables[case_id] = result.receivable
    return ComputedPart(lines, receivables)


def _line(facts: RunFacts, line: Line, payee: Payee, mapper: Mapper[Any] | None,
          when: str) -> tuple[tuple[Any, ...], bytes | None]:
    pid = line_payment_id(facts.month, facts.kind, line)
    recorded = new_payment(pid, facts.batch_id, line, payee, facts.by)
    state = payment_codec.sealed_state(mapper, recorded, when) if mapper is not None else None
    return tuple(recorded), state  # a plain tuple pickles without its class


_MAPPERS: dict[Sealing, Mapper[Any]] = {}


def _mapper(sealing: Sealing | None) -> Mapper[Any] | None:
    """This process's mapper for ``sealing`` (built once: the key is derived once)."""
    if sealing is None:
        return None
    if sealing not in _MAPPERS:
        _MAPPERS[sealing] = sealing.mapper()
    return _MAPPERS[sealing]


def one_offs_of(entitled: CaseEntitlement, months: list[PriceMonth],
                paid: dict[Month, int], counted: frozenset[Month] = frozenset()) -> list[OneOff]:
    """The price-subsidy differences of one case: due by the facts now − paid (``counted``:
    the months its person is counted by another case, so due nothing here)."""
    record = entitled.record
    out = []
    for s in months:
        due = case_subsidy(record, s.month, s.decision, s.floor, entitled.standards,
                           entitled.policy, entitled, counted) if s.decision.triggered else None
        amount, formula = due if due else (0, "not covered by the facts known now"
                                           if s.decision.triggered else "suspended after correction")
        already = paid.get(s.month, 0)
        if amount != already:
            out.append(OneOff("price_subsidy", s.month, amount, already, formula))
    return out
