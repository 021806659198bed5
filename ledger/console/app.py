"""Building the console: routes, middleware, static files; and serving it with uvicorn."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ledger.adapters.county_list import County
from ledger.console import (
    auth,
    pages_admin,
    pages_bank,
    pages_campaigns,
    pages_case_changes,
    pages_deaths,
    pages_home,
    pages_household,
    pages_institutions,
    pages_members,
    pages_payroll,
    pages_people,
    pages_province,
    pages_reports,
    pages_reviews,
)
from ledger.console.jobs import Jobs
from ledger.console.security import SecurityHeaders
from ledger.console.sessions import SessionStore
from ledger.console.web import Console
from ledger.domain.identity import mask_numbers
from ledger.services.runtime import Runtime

STATIC = Path(__file__).parent / "static"


def system_clock() -> datetime:
    return datetime.now(UTC)


async def _not_found(request: Request, exc: Exception) -> Response:
    return HTMLResponse("<!doctype html><meta charset=utf-8><title>未找到</title><p>页面不存在</p>",
                        status_code=404)


def create_app(rt: Runtime, clock: Callable[[], datetime] = system_clock,
               secure_cookies: bool = False, province: Sequence[County] = ()) -> Starlette:
    """The console over ``rt``; ``clock`` is the time every session and lockout rule uses;
    ``province``: the county ledgers its 全省汇总 reads (none: no such page)."""
    console = Console(rt, clock, SessionStore(clock), secure_cookies, province=tuple(province))
    console.jobs = Jobs(rt)
    routes = [
        Route("/healthz", auth.healthz),
        Route("/login", auth.login, methods=["GET", "POST"]),
        Route("/logout", auth.logout, methods=["GET", "POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        *pages_home.ROUTES, *pages_people.ROUTES, *pages_bank.ROUTES, *pages_payroll.ROUTES,
        *pages_reports.ROUTES, *pages_admin.ROUTES, *pages_campaigns.ROUTES,
        *pages_institutions.ROUTES, *pages_case_changes.ROUTES,
        *pages_reviews.ROUTES, *pages_deaths.ROUTES,
        *pages_members.ROUTES, *pages_household.ROUTES, *pages_province.ROUTES,
    ]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)],
                    exception_handlers={404: _not_found})
    app.state.console = console
    return app


class MaskedAccessLog(logging.Filter):
    """Keep personal data out of logged request lines: a query string is dropped whole (a
    search by name or ID number is a GET, and an ID number typed with spaces or encoded is
    no run of digits a mask would find); numbers left in the path are masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_logged(a) if isinstance(a, str) else a for a in record.args)
        return True


def _logged(text: str) -> str:
    path, asked, _ = text.partition("?")
    return mask_numbers(path) + ("?…" if asked else "")


def serve(rt: Runtime, host: str, port: int, with_scheduler: bool = False,
          secure_cookies: bool = False, province: Sequence[County] = ()) -> None:
    """Run the console with the read-model follower (and optionally the scheduler) beside it."""
    import uvicorn

    from projections.follow import Follower

    follower = Follower(rt.read_model, workers=rt.workers()).start()
    scheduler = None
    if with_scheduler:
        from jobs.scheduler import add_ledger_jobs, make_scheduler

        scheduler = make_scheduler(rt.settings.url, background=True)
        add_ledger_jobs(scheduler)
        scheduler.start()
    logging.getLogger("uvicorn.access").addFilter(MaskedAccessLog())
    try:
        uvicorn.run(create_app(rt, secure_cookies=secure_cookies, province=province), host=host, port=port, log_level="info",
                    server_header=False, access_log=True)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        follower.stop()
