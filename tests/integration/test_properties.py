"""Properties of the whole ledger over random months of work, on both backends.

Hypothesis draws a sequence of steps — enrolments (dibao households of random size and
income, tekun, disability, elderly), income reassessments effective in an earlier or the
current month, standard changes (retroactive too), payroll runs of consecutive months,
approvals by a different user, bank file exports and bank results with random failures,
corrected bank accounts — and runs it against a fresh ledger. Whatever happened:

- the journal balances: Σ debits = Σ credits;
- the fund totals (``report funds``) by programme, by month and by town are what the
  payments table says approved batches paid (Σ line amounts), what the bank returned (Σ
  transfers of returned payments) and how many lines were paid — summed here, in the test;
- each batch holds what it says (payments, total) and no negative transfer;
- the read model built incrementally equals a full rebuild.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.domain.errors import CaseStateError, StandardBelowMinimumError
from ledger.domain.money import format_yuan, parse_yuan
from ledger.services.bank_export import export_batch
from ledger.services.bank_results_import import import_results
from ledger.services.batches import approve_batch
from ledger.services.case_changes import exit_case, update_case
from ledger.services.draft_freshness import StaleDraftError
from ledger.services.enrolment import import_roster
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from projections import schema
from projections.payment_lines import LINES
from projections.rebuild import rebuild
from projections.reports import funds_report, journal_balance
from tests import county
from tests.databases import dump_read_model, fresh_ledger

TODAY = date(2026, 1, 1)
FIRST = Month(2024, 1)
PAID_STATUSES = ("approved", "exported", "settled", "returned")


# --- a fresh ledger per example ------------------------------------------------------------------


# --- the steps ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Enrol:
    programme: str
    start_offset: int
    """Start month relative to the next payroll month (negative: enrolled late, owed arrears)."""
    area: str
    town: str
    household_size: int
    income: int
    """Fen per person and month; may reach the standard (the formula never goes below 0)."""
    care_level: str
    grade: int
    birth: date


@dataclass(frozen=True)
class Reassess:
    case: int
    offset: int
    """Effective month relative to the next payroll month: ≤ 0 is retroactive or current."""
    income: int
    household_size: int | None


@dataclass(frozen=True)
class Exit:
    case: int
    offset: int


@dataclass(frozen=True)
class SetStandard:
    key: tuple[str, str]
    """(programme, category)"""
    amount: int
    """Fen a month (× 12 when set per year)."""
    per: str
    offset: int
    day: int
    force: bool


@dataclass(frozen=True)
class RunPayroll:
    by: str


@dataclass(frozen=True)
class Approve:
    by: str


@dataclass(frozen=True)
class Export:
    batch: int
    fmt: str


@dataclass(frozen=True)
class BankResults:
    fails: tuple[bool, ...]
    """Per waiting payment in order, whether its transfer failed; shorter: the rest wait."""


@dataclass(frozen=True)
class CorrectAccount:
    case: int


INCOMES = st.one_of(st.sampled_from([0, 12000, 30000, 44300, 44400, 60000, 100000]),
                    st.integers(0, 100000))
"""Fen; around the dibao standards (443.00 rural, 600.00 urban) so households graduate too."""

STANDARD_KEYS = [
    ("dibao", "rural"), ("dibao", "urban"), ("tekun", "basic:rural"), ("tekun", "basic:urban"),
    ("tekun", "care:partial"), ("disability_living", "grade1-2"), ("disability_care", "grade1"),
    ("elderly", "60-79"), ("elderly", "80-89"),
]

enrolments = st.builds(
    Enrol,
    programme=st.sampled_from(["dibao", "dibao", "tekun", "disability_living",
                               "disability_care", "elderly"]),
    start_offset=st.integers(-3, 0),
    area=st.sampled_from(["rural", "urban"]),
    town=st.sampled_from(["城关镇", "河口镇", "青山乡"]),
    household_size=st.integers(1, 8),
    income=INCOMES,
    care_level=st.sampled_from(["self", "partial", "full"]),
    grade=st.integers(1, 2),
    birth=st.dates(date(1925, 1, 1), date(1963, 12, 31)),
)
steps = st.one_of(
    enrolments,
    st.builds(Reassess, case=st.integers(0, 50), offset=st.integers(-3, 0),
              income=INCOMES,
              household_size=st.none() | st.integers(1, 8)),
    st.builds(Exit, case=st.integers(0, 50), offset=st.integers(-2, 1)),
    st.builds(SetStandard, key=st.sampled_from(STANDARD_KEYS), amount=st.integers(5000, 90000),
        per=st.sampled_from(["month", "year"]), offset=st.integers(-3, 0),
        day=st.integers(1, 28), force=st.booleans()),
    st.builds(RunPayroll, by=st.sampled_from(["clerk", "clerk2"])),
    st.builds(Approve, by=st.sampled_from(["checker", "chief"])),
    st.builds(Export, batch=st.integers(-2, 20), fmt=st.sampled_from(["csv", "csv", "pain001"])),
    st.builds(BankResults, fails=st.lists(st.booleans(), max_size=12).map(tuple)),
    # A month's end, the common path: run, approve, export the last batch, the bank answers.
    st.tuples(st.builds(RunPayroll, by=st.just("clerk")), st.builds(Approve, by=st.just("chief")),
              st.builds(Export, batch=st.just(-1), fmt=st.just("csv")),
              st.builds(BankResults, fails=st.lists(st.booleans(), max_size=12).map(tuple))),
    st.builds(CorrectAccount, case=st.integers(0, 50)),
)


class County:
    """Runs the steps against one ledger, skipping those that make no sense at that point."""

    def __init__(self, rt: Runtime, scratch: Path) -> None:
        self.rt = rt
        self.dir = scratch
        self.cases: list[UUID] = []
        self.next_month = FIRST
        self.draft: tuple[UUID, set[str]] | None = None
        self.approved: list[UUID] = []
        self.seq = 0
        self.files = 0
        county.set_standards(rt.app)

    def path(self, name: str) -> Path:
        self.files += 1
        return self.dir / f"{self.files}-{name}"

    def do(self, step: Any) -> None:
        for one in step if isinstance(step, tuple) else (step,):
            getattr(self, type(one).__name__.lower())(one)

    def enrol(self, s: Enrol) -> None:
        self.seq += 1
        start = self.next_month + s.start_offset
        if not self.approved and self.draft is None:
            start = max(start, FIRST)  # the first payroll is the earliest start month: keep it
        birth = s.birth if s.programme == "elderly" else date(1970, 5, 17)
        if s.programme == "elderly" and (start.year - birth.year) - (start.month <= birth.month) < 60:
            start = Month(birth.year + 60, birth.month) + 1  # the roster refuses under-60s
        row = county.row(self.seq, s.programme, birth=birth, area=s.area, town=s.town,
                         start_month=str(start), care_level=s.care_level,
                         disability_grade=s.grade, household_size=s.household_size,
                         income_per_capita=format_yuan(s.income))
        result = import_roster(self.rt, county.write(self.path("roster.csv"), [row]), TODAY,
                               "clerk")
        assert not result.problems and result.enrolled == 1, [str(p) for p in result.problems]
        self.cases.append(ids.case_id(row["id_number"], s.programme))

    def reassess(self, s: Reassess) -> None:
        if not self.cases:
            return
        case_id = self.cases[s.case % len(self.cases)]
        record = self.rt.app.case(case_id).record
        effective = self.next_month + s.offset
        if record.programme != "dibao" or record.exit_month or effective < record.start_month:
            return
        update_case(self.rt.app, case_id, effective, "clerk", income_per_capita=s.income,
                    household_size=s.household_size)

    def exit(self, s: Exit) -> None:
        if not self.cases:
            return
        try:
            exit_case(self.rt.app, self.cases[s.case % len(self.cases)],
                      self.next_month + s.offset, "迁出", "clerk")
        except CaseStateError:
            pass  # exited already

    def setstandard(self, s: SetStandard) -> None:
        programme, category = s.key
        month = max(FIRST, self.next_month + s.offset)
        amount = s.amount * 12 if s.per == "year" else s.amount
        try:
            self.rt.app.set_standard(programme, category, amount, s.per,
                                     date(month.year, month.month, s.day), "调标", s.force, "clerk")
        except StandardBelowMinimumError:
            pass  # tekun basic below 1.3 × dibao without --force: refused, nothing recorded

    def runpayroll(self, s: RunPayroll) -> None:
        if self.next_month >= Month(2026, 1):
            return
        batch = run_payroll(self.rt, self.next_month, s.by)
        makers = self.draft[1] if self.draft else set()
        self.draft = (batch.id, makers | {s.by})

    def approve(self, s: Approve) -> None:
        if self.draft is None:
            return
        try:
            approve_batch(self.rt, self.draft[0], s.by)
        except StaleDraftError:  # facts recorded since the draft was run: run it again first
            self.runpayroll(RunPayroll("clerk"))
            approve_batch(self.rt, self.draft[0], s.by)
        self.approved.append(self.draft[0])
        self.draft = None
        self.next_month = self.next_month + 1

    def export(self, s: Export) -> None:
        if not self.approved:
            return
        batch_id = self.approved[s.batch % len(self.approved)]
        if s.fmt == "pain001" and not self.transfers(batch_id):
            return  # no pain.001 without a transfer
        export_batch(self.rt, batch_id, s.fmt, self.path(f"bank.{s.fmt}"), "cashier")

    def transfers(self, batch_id: UUID) -> list[str]:
        p = schema.payments.c
        with self.rt.engine.connect() as conn:
            return sorted(conn.execute(select(p.payment_id).where(
                p.batch_id == batch_id.hex, p.transfer > 0, p.own_status != "withdrawn")).scalars())

    def bankresults(self, s: BankResults) -> None:
        p = LINES.c
        with self.rt.engine.connect() as conn:
            waiting = sorted(conn.execute(select(p.payment_id).where(
                p.status == "exported", p.transfer > 0)).scalars())
        answers = list(zip(waiting, s.fails, strict=False))
        if not answers:
            return
        path = self.path("results.csv")
        path.write_text("付款编号,状态,原因\n" + "".join(
            f"{pid},{'失败' if failed else '成功'},{'户名不符' if failed else ''}\n"
            for pid, failed in answers), encoding="utf-8")
        report = import_results(self.rt, path, "bank")
        assert not report.problems, [str(x) for x in report.problems]
        assert (report.settled, report.returned) == (
            sum(not f for _, f in answers), sum(f for _, f in answers))

    def correctaccount(self, s: CorrectAccount) -> None:
        if not self.cases:
            return
        self.seq += 1
        update_case(self.rt.app, self.cases[s.case % len(self.cases)], self.next_month, "clerk",
                    bank_account=county.card(9000 + self.seq), bank_name="中国农业银行")


# --- the invariants --------------------------------------------------------------------------------
dump = dump_read_model


Totals = dict[str, dict[str, dict[str, tuple[int, int, int, int]]]]
"""'programmes' / 'months' / 'towns' -> month or town ('' for programmes) -> programme ->
(paid, returned, net, payments), money in fen."""


def expected_funds(rt: Runtime) -> Totals:
    """Fund totals summed here from the payments table: lines of approved batches."""
    p = LINES.c
    sums: dict[str, dict[str, dict[str, list[int]]]] = {
        key: defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
        for key in ("programmes", "months", "towns")}
    with rt.engine.connect() as conn:
        rows = conn.execute(select(p.programme, p.batch_month, p.town, p.amount, p.transfer,
                                   p.status).where(p.status.in_(PAID_STATUSES))).all()
    for programme, month, town, amount, transfer, status in rows:
        for key, where in (("programmes", ""), ("months", month), ("towns", town)):
            totals = sums[key][where][programme]
            totals[0] += amount
            totals[1] += transfer if status == "returned" else 0
            totals[2] += 1
    return {key: {where: {programme: (t[0], t[1], t[0] - t[1], t[2])
                          for programme, t in by.items()}
                  for where, by in groups.items()}
            for key, groups in sums.items()}


def reported_funds(rt: Runtime) -> Totals:
    """``report funds --json`` of every year with payments, added up (yuan text back to fen)."""
    p = schema.payments.c
    sums: dict[str, dict[str, dict[str, list[int]]]] = {
        key: defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0]))
        for key in ("programmes", "months", "towns")}
    with rt.engine.connect() as conn:
        years = {int(m[:4]) for m in conn.execute(select(p.batch_month).distinct()).scalars()}
        reports = [funds_report(conn, year) for year in sorted(years)]
    for report in reports:
        groups = {"programmes": {"": report["programmes"]}, "months": report["months"],
                  "towns": report["towns"]}
        for key, by_where in groups.items():
            for where, by in by_where.items():
                for programme, totals in by.items():
                    t = sums[key][where][programme]
                    for i, field in enumerate(("paid", "returned", "net")):
                        t[i] += parse_yuan(totals[field])
                    t[3] += totals["payments"]
    return {key: {where: {programme: tuple(t) for programme, t in by.items()}
                  for where, by in groups.items()}
            for key, groups in sums.items()}


def check_invariants(rt: Runtime) -> None:
    rt.read_model.catch_up()
    with rt.engine.connect() as conn:
        debit, credit = journal_balance(conn)
    assert debit == credit

    assert reported_funds(rt) == expected_funds(rt)

    p, b = schema.payments.c, schema.batches.c
    with rt.engine.connect() as conn:
        for batch_id, payments, total in conn.execute(select(b.batch_id, b.payments, b.total)):
            lines = conn.execute(select(p.case_id, p.amount, p.transfer).where(
                p.batch_id == batch_id, p.own_status != "withdrawn")).all()
            assert (payments, total) == (len(lines), sum(line.amount for line in lines))
            assert all(line.transfer >= 0 for line in lines)
            per_case: dict[str, int] = defaultdict(int)
            for line in lines:
                per_case[line.case_id] += line.amount - line.transfer
            assert set(per_case.values()) <= {0}, "a case's transfers differ from its amounts"
        twice = conn.execute(
            select(p.batch_id, p.case_id, p.programme, p.kind, p.for_month)
            .where(p.own_status != "withdrawn")
            .group_by(p.batch_id, p.case_id, p.programme, p.kind, p.for_month)
            .having(func.count() > 1)).all()
        assert twice == []

    before = dump(rt)
    rebuild(rt.read_model)
    after = dump(rt)
    for table, rows in before.items():
        assert after[table] == rows, table


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(first_months=st.integers(1, 3), work=st.lists(steps, min_size=5, max_size=30))
def test_the_journal_the_fund_totals_and_a_rebuild_agree_whatever_happened(
        ledger_url: str, first_months: int, work: list[Any]) -> None:
    # ledger_url only picks the backend (and skips PostgreSQL like every other test when there is
    # no server); every example gets a fresh, empty ledger of its own.
    backend = "sqlite" if ledger_url.startswith("sqlite") else "postgresql"
    with fresh_ledger(backend) as (rt, scratch):
        ledger = County(rt, scratch)
        for seq in range(first_months):
            ledger.enrol(Enrol("dibao", 0, "rural", "城关镇", 3, 12000 * seq, "self", 1,
                               date(1950, 1, 1)))
            ledger.runpayroll(RunPayroll("clerk"))
            ledger.approve(Approve("checker"))
        for step in work:
            ledger.do(step)
            with rt.engine.connect() as conn:
                debit, credit = journal_balance(conn)
            assert debit == credit, step
        check_invariants(rt)
