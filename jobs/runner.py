"""The scheduled jobs, each runnable by hand for a given date.

Every job is a module-level function ``job(rt, on)`` that takes the date
explicitly (tests and ``ledger scheduler run-job`` pass it; the scheduler
passes today's date through :func:`fire`). Every job is idempotent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from ledger.bootstrap import open_runtime
from ledger.domain.calendar import Month
from ledger.domain.errors import LedgerRefusal, NotFoundError
from ledger.services.runtime import Runtime

log = logging.getLogger("ledger.jobs")

BY = "scheduler"
CPI_LOOKBACK = 36
"""How many months back the price-linkage job looks for the latest recorded CPI month."""


def payroll_draft(rt: Runtime, on: date, by: str = BY) -> Any:
    """Draft (or refresh, while a draft) the regular payroll of the month ``on`` falls in.

    Only when that month is the next in order (``ledger.domain.month_order``): the job never
    skips a month, nor catches up on its own. On a new ledger whose cases start before
    this month, or after a month left unrun, it drafts nothing and logs which month must
    be run first (by hand); the watch job reports those months as late meanwhile.
    """
    from ledger.services.payroll_run import run_payroll

    month = Month.of(on)
    try:
        batch = run_payroll(rt, month, by, today=on)
    except (LedgerRefusal, NotFoundError) as e:
        log.warning("payroll draft for %s not run: %s", month, e)
        return None
    log.info("payroll draft %s for %s: %d payments", batch.id.hex, month, batch.payments)
    return batch


def latest_undecided_cpi_month(rt: Runtime, on: date) -> Month | None:
    """The latest month up to ``on`` with a recorded CPI, if its decision is not yet recorded."""
    newest = Month.of(on)
    for back in range(CPI_LOOKBACK):
        month = newest + -back
        record = rt.app.cpi(month)
        if record is not None:
            return None if record.decided else month
    return None


def price_linkage(rt: Runtime, on: date, by: str = BY) -> Any:
    """Decide the latest recorded CPI month not yet decided and raise its subsidy batch."""
    from ledger.services.price_subsidy_run import run_price_linkage

    month = latest_undecided_cpi_month(rt, on)
    if month is None:
        log.info("price linkage: no undecided CPI month up to %s", on)
        return None
    try:
        batch = run_price_linkage(rt, month, by)
    except (LedgerRefusal, NotFoundError) as e:
        log.warning("price linkage for %s not run: %s", month, e)
        return None
    if batch is None:
        log.info("price linkage for %s: suspended, nothing paid", month)
    else:
        log.info("price linkage for %s: batch %s, %d payments", month, batch.id.hex, batch.payments)
    return batch


def lifecycle(rt: Runtime, on: date, by: str = BY) -> Any:
    """The daily lifecycle sweep: age limits, age bands, graduation ends (see ledger.services.lifecycle)."""
    from ledger.services.lifecycle import sweep

    result = sweep(rt, on, by)
    log.info("lifecycle sweep for %s: %d age limits, %d age bands, %d graduations ended",
             on, result.age_limits, result.bands, result.graduations)
    return result


def watch(rt: Runtime, on: date, by: str = BY) -> Any:
    """The daily payroll watch: what is late as of ``on`` (``ledger.domain.pay_deadline``), logged."""
    from ledger.domain.pay_deadline import anything_late
    from ledger.services.payroll_months import payroll_watch

    statuses = payroll_watch(rt, on)
    late = [item for s in statuses for item in s.late]
    for item in late:
        log.warning("payroll late: %s", item)
    if not anything_late(statuses):
        log.info("payroll watch for %s: nothing late (%d months)", on, len(statuses))
        return "nothing late"
    return f"{len(late)} late: " + "; ".join(late)


JOBS: dict[str, Callable[[Runtime, date, str], Any]] = {
    "payroll": payroll_draft,
    "watch": watch,
    "price_linkage": price_linkage,
    "lifecycle": lifecycle,
}


def run_job(name: str, on: date, url: str | None = None, by: str = BY) -> Any:
    """Run one job for the date ``on`` against the ledger at ``url`` (or LEDGER_DATABASE_URL)."""
    if name not in JOBS:
        raise ValueError(f"unknown job {name!r}; known: {', '.join(JOBS)}")
    rt = open_runtime(url)
    try:
        return JOBS[name](rt, on, by)
    finally:
        rt.close()


def fire(name: str, url: str | None = None) -> None:
    """What the scheduler calls (stored by reference): the job for today's date."""
    run_job(name, date.today(), url)
