"""APScheduler 3.x with its SQLAlchemy job store in the ledger's own database.

Schedules survive restarts; ``coalesce=True``, ``max_instances=1`` and a one
hour misfire grace. Jobs are stored by reference (``jobs.runner:fire``) with
the job's name, so the store holds no code and no pickled runtime.
"""

from __future__ import annotations

from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from ledger.adapters.settings import load_settings

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
FIRE = "jobs.runner:fire"

SCHEDULE: dict[str, dict[str, Any]] = {
    "payroll": {"day": 1, "hour": 6, "minute": 0},
    "price_linkage": {"hour": 7, "minute": 0},
    "lifecycle": {"hour": 2, "minute": 0},
    "watch": {"hour": 8, "minute": 0},
}
"""Job name -> cron fields: payroll draft on the 1st at 06:00, price linkage daily 07:00,
lifecycle daily 02:00, payroll watch (what is late) daily 08:00."""


def make_scheduler(url: str | None = None, background: bool = False,
                   timezone: str | None = None) -> BaseScheduler:
    """A scheduler whose job store is the ledger database at ``url`` (or LEDGER_DATABASE_URL)."""
    settings = load_settings(url)
    jobstores = {"default": SQLAlchemyJobStore(url=settings.sqlalchemy_url)}
    kind = BackgroundScheduler if background else BlockingScheduler
    options: dict[str, Any] = {"jobstores": jobstores, "job_defaults": dict(JOB_DEFAULTS)}
    if timezone:
        options["timezone"] = timezone
    return kind(**options)


def add_ledger_jobs(scheduler: BaseScheduler, url: str | None = None) -> None:
    """Add (or replace) the ledger's jobs; ``url`` None means the job reads LEDGER_DATABASE_URL."""
    for name, fields in SCHEDULE.items():
        trigger = CronTrigger(timezone=scheduler.timezone, **fields)
        scheduler.add_job(FIRE, trigger, args=[name, url], id=name, name=name,
                          replace_existing=True)
