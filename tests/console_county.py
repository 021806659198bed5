"""A small county behind the console, for the console's tests.

Five dibao households in two towns (城关镇: 1–3, 新市镇: 4–5), one account per
role (named after the role, password ``<role>-password``), the January payroll
approved, the February payroll drafted by the clerk, one temporary relief
waiting for approval, one in-kind campaign (棉被发放, 2024-02, every dibao household, none
served yet). The clock is a settable object the tests move.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from starlette.testclient import TestClient

from ledger.console.app import create_app
from ledger.domain.accounts import ROLES
from ledger.domain.calendar import Month
from ledger.services.account_service import add_user
from ledger.services.batches import approve_batch
from ledger.services.campaigns import create_campaign
from ledger.services.enrolment import import_roster
from ledger.services.institutions import add as add_institution
from ledger.services.payroll_run import run_payroll
from ledger.services.runtime import Runtime
from ledger.services.temporary_relief import grant_relief
from tests import county

TOWNS = {1: "城关镇", 2: "城关镇", 3: "城关镇", 4: "新市镇", 5: "新市镇"}
INSTITUTION = "91330100716105852F"
"""The county's institution: a published unified social credit code (tests/integration/test_institutions.py)."""
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def password(role: str) -> str:
    return f"{role}-password"


class Clock:
    """The console's clock: tests set and move it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class County:
    rt: Runtime
    clock: Clock
    january: str
    february: str
    relief: str
    campaign: str
    id_numbers: list[str]
    accounts: list[str]


def build(rt: Runtime, tmp: Path) -> County:
    county.set_standards(rt.app)
    rows = [county.row(i, "dibao", town=TOWNS[i], name=f"居民{i}") for i in TOWNS]
    result = import_roster(rt, county.write(tmp / "roster.csv", rows), county.TODAY, "clerk")
    assert result.enrolled == 5, result
    for role in ROLES:
        add_user(rt, role, role, [], password(role), "setup")
    add_user(rt, "town-clerk", "clerk", ["城关镇"], password("town-clerk"), "setup")
    jan = run_payroll(rt, Month(2024, 1), "clerk")
    approve_batch(rt, jan.id, "approver")
    # The relief is granted before February is drafted: a fact recorded after a draft makes
    # it stale, and its approval is refused until the month is run again.
    relief = grant_relief(rt, county.person(1), 1, "火灾", county.TODAY, "clerk")
    campaign = create_campaign(rt, "棉被发放", Month(2024, 2), "household", None, "棉被 1床",
                               ("dibao",), (), "", "clerk")
    # An institution (幸福院) without grants yet: the 机构 page's grant form has one to pay.
    add_institution(rt, INSTITUTION, "城关镇幸福院", "城关镇", "43050101234567890001",
                    "农业银行城关支行", "clerk")
    feb = run_payroll(rt, Month(2024, 2), "clerk")
    rt.read_model.catch_up()
    return County(rt, Clock(datetime(2024, 2, 5, 9, 0, tzinfo=UTC)), jan.id.hex, feb.id.hex,
                  relief.id.hex, campaign.id.hex, [county.person(i) for i in TOWNS],
                  [county.card(i) for i in TOWNS])


def client(c: County) -> TestClient:
    return TestClient(create_app(c.rt, clock=c.clock), follow_redirects=True)


def csrf(web: TestClient, path: str = "/login") -> str:
    match = CSRF.search(web.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(web: TestClient, name: str, secret: str | None = None) -> str:
    """Sign in; returns the new session's CSRF token."""
    response = web.post("/login", data={"username": name, "password": secret or password(name),
                                        "csrf_token": csrf(web)})
    assert response.url.path == "/", response.text[:500]
    match = CSRF.search(response.text)
    assert match
    return match.group(1)


def events(c: County) -> int:
    return c.rt.app.recorder.max_notification_id() or 0
