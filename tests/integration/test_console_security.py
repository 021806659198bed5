"""The console's security rules: sign-in, lockout, sessions, CSRF, headers, town scoping.

Time is the console's clock (tests/console_county.Clock), moved by the tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from ledger.console.sessions import COOKIE
from ledger.services.account_service import disable_user
from ledger.services.runtime import Runtime
from tests import console_county as cc
from tests import county


@pytest.fixture
def c(rt: Runtime, tmp_path: Path) -> cc.County:
    return cc.build(rt, tmp_path)


def _answer(response: object) -> str:
    """A sign-in page without its CSRF token and the echoed user name."""
    text = response.text  # type: ignore[attr-defined]
    text = cc.CSRF.sub("", text)
    return re.sub(r'name="username" value="[^"]*"', "", text)


PUBLIC = {"/healthz", "/login", "/logout"}
"""The only routes answered without a session (``/logout`` ends one if there is one)."""


def test_health_needs_no_sign_in_and_every_other_page_does(c: cc.County) -> None:
    """Every route the app has, read from the app itself so that a page added later is
    checked too: without a session, GET and POST both go to the sign-in page."""
    web = cc.client(c)
    health = web.get("/healthz")
    assert (health.status_code, health.text) == (200, "ok")
    params = {"batch_id": c.february, "case_id": "0" * 32, "payment_id": "0" * 32,
              "campaign_id": c.campaign, "relief_id": c.relief, "job_id": "0" * 32, "n": "0"}
    checked = []
    for route in web.app.routes:  # type: ignore[attr-defined]
        if not isinstance(route, Route) or route.path in PUBLIC:
            continue
        path = re.sub(r"{(\w+)(:\w+)?}", lambda m: params.get(m.group(1), "x"), route.path)
        for method in sorted(route.methods or {"GET"}):
            if method == "HEAD":
                continue
            response = web.request(method, path, follow_redirects=False)
            assert response.status_code in (303, 403), (method, path, response.status_code)
            if response.status_code == 303:
                assert response.headers["location"] == "/login", (method, path)
            else:  # a POST without a session has no CSRF token to match: refused first
                assert method == "POST", (method, path)
            checked.append(path)
    assert {"/reports/monthly", "/reports/monthly.xlsx", "/payroll", "/users"} <= set(checked)


def test_every_response_carries_the_security_headers(c: cc.County) -> None:
    web = cc.client(c)
    cc.sign_in(web, "clerk")
    for path in ("/login", "/healthz", "/static/console.css", "/", "/no-such-page",
                 f"/payroll/{c.february}"):
        headers = web.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert "frame-ancestors 'none'" in csp, path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["referrer-policy"] == "no-referrer", path
    for path in ("/", "/login", f"/payroll/{c.february}", "/people?q=居民"):
        assert "<script>" not in web.get(path).text and " on" + "click=" not in web.get(path).text


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(c: cc.County) -> None:
    web = cc.client(c)
    wrong = web.post("/login", data={"username": "clerk", "password": "not-the-password",
                                     "csrf_token": cc.csrf(web)})
    unknown = web.post("/login", data={"username": "nobody", "password": "not-the-password",
                                       "csrf_token": cc.csrf(web)})
    assert wrong.status_code == unknown.status_code == 200
    assert _answer(wrong) == _answer(unknown)
    assert wrong.url.path == "/login"


def test_five_failures_in_fifteen_minutes_lock_the_account_for_fifteen(c: cc.County) -> None:
    web = cc.client(c)
    for _ in range(5):
        web.post("/login", data={"username": "approver", "password": "wrong-password",
                                 "csrf_token": cc.csrf(web)})
        c.clock.advance(minutes=2)
    right = web.post("/login", data={"username": "approver",
                                     "password": cc.password("approver"),
                                     "csrf_token": cc.csrf(web)})
    assert right.url.path == "/login", "a locked account signed in"
    unknown = web.post("/login", data={"username": "nobody", "password": "x" * 12,
                                       "csrf_token": cc.csrf(web)})
    assert _answer(right) == _answer(unknown)  # the lock tells nothing either
    c.clock.advance(minutes=14)  # 16 minutes after the fifth failure
    cc.sign_in(web, "approver")


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(c: cc.County) -> None:
    web = cc.client(c)
    for _ in range(5):
        web.post("/login", data={"username": "clerk", "password": "wrong-password",
                                 "csrf_token": cc.csrf(web)})
        c.clock.advance(minutes=4)
    cc.sign_in(web, "clerk")


def test_sign_in_renews_the_session_and_the_cookie_is_httponly_and_strict(c: cc.County) -> None:
    web = cc.client(c)
    first = web.get("/login")
    anonymous = web.cookies.get(COOKIE)
    cookie = first.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    cc.sign_in(web, "clerk")
    assert web.cookies.get(COOKIE) not in (None, anonymous)
    stale = TestClient(web.app, cookies={COOKIE: anonymous})
    assert stale.get("/", follow_redirects=False).status_code == 303


def test_a_session_ends_after_thirty_idle_minutes(c: cc.County) -> None:
    web = cc.client(c)
    cc.sign_in(web, "clerk")
    c.clock.advance(minutes=29)
    assert web.get("/", follow_redirects=False).status_code == 200  # use restarts the clock
    c.clock.advance(minutes=29)
    assert web.get("/", follow_redirects=False).status_code == 200
    c.clock.advance(minutes=31)
    response = web.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_sign_out_ends_the_session_even_for_a_copied_cookie(c: cc.County) -> None:
    web = cc.client(c)
    token = cc.sign_in(web, "clerk")
    copied = web.cookies.get(COOKIE)
    web.post("/logout", data={"csrf_token": token})
    thief = TestClient(web.app, cookies={COOKIE: copied})
    assert thief.get("/", follow_redirects=False).status_code == 303


def test_a_disabled_account_is_signed_out(c: cc.County) -> None:
    web = cc.client(c)
    cc.sign_in(web, "clerk")
    disable_user(c.rt, "clerk", "admin")
    assert web.get("/", follow_redirects=False).status_code == 303
    again = web.post("/login", data={"username": "clerk", "password": cc.password("clerk"),
                                     "csrf_token": cc.csrf(web)})
    assert again.url.path == "/login"


@pytest.mark.parametrize("token", ["missing", "wrong", "another session's"])
def test_a_change_without_a_valid_csrf_token_is_refused_and_changes_nothing(
        c: cc.County, token: str) -> None:
    web = cc.client(c)
    own = cc.sign_in(web, "approver")
    other = cc.client(c)
    theirs = cc.sign_in(other, "clerk")
    data = {"confirm": "yes", "csrf_token": {"missing": None, "wrong": own[:-2] + "xx",
                                             "another session's": theirs}[token]}
    data = {k: v for k, v in data.items() if v is not None}
    before = cc.events(c)
    for path in (f"/payroll/{c.february}/approve", f"/reliefs/{c.relief}/approve", "/logout"):
        response = web.post(path, data=data)
        assert response.status_code == 403, path
    assert cc.events(c) == before
    assert web.get("/", follow_redirects=False).status_code == 200  # logout did not happen


def test_a_town_clerk_sees_only_the_towns_people_and_payments(c: cc.County) -> None:
    web = cc.client(c)
    cc.sign_in(web, "town-clerk")
    found = web.get("/people?q=居民").text
    assert all(f"居民{i}" in found for i in (1, 2, 3))
    assert not any(f"居民{i}" in found for i in (4, 5))
    assert "居民4" not in web.get(f"/payroll/{c.january}").text
    from sqlalchemy import select

    from projections import schema

    p = schema.payments.c
    with c.rt.engine.connect() as conn:
        rows = conn.execute(select(p.payment_id, p.case_id, p.town)
                            .where(p.batch_id == c.january)).all()
    for payment_id, case_id, town in rows:
        expected = 200 if town == "城关镇" else 404
        assert web.get(f"/payments/{payment_id}").status_code == expected
        assert web.get(f"/people/{case_id}").status_code == expected
    assert web.get(f"/people?q={county.person(4)}").text.count("/people/") == 0
    # a county-wide batch is not a town clerk's to run
    assert web.post("/payroll/run", data={"csrf_token": cc.csrf(web, "/payroll"),
                                          "month": "2024-02"}).status_code == 403


def test_a_role_change_takes_effect_on_the_next_page(c: cc.County) -> None:
    from ledger.services.account_service import change_role

    web = cc.client(c)
    cc.sign_in(web, "clerk")
    assert web.get("/audit").status_code == 403
    change_role(c.rt, "clerk", "auditor", [], "admin")
    assert web.get("/audit").status_code == 200
    assert "/roster" not in web.get("/").text  # the clerk's menu item is gone


def test_a_console_payroll_run_far_in_the_future_is_refused_in_chinese(rt: Runtime,
                                                                       tmp_path: Path) -> None:
    """The run happens in a child process with the console's clock as 'today': the month
    order and calendar rules of the command line hold, and nothing is recorded."""
    import time

    c = cc.build(rt, tmp_path)
    web = cc.client(c)
    token = cc.sign_in(web, "clerk")
    before = cc.events(c)
    page = web.post("/payroll/run", data={"csrf_token": token, "month": "2062-01"})
    for _ in range(300):
        if "须按月份顺序发放" in page.text:
            break
        time.sleep(0.1)
        page = web.get(page.url.path)
    assert "须按月份顺序发放，且不能超过下个月" in page.text
    assert cc.events(c) == before
