"""Signing in and out (/login, POST /logout) and the health check.

A wrong password, an unknown user, a disabled and a locked account all get the
same answer. A successful sign-in ends the anonymous session and starts a new
one (new id, new CSRF token), so a session id planted before sign-in is useless.
"""

from __future__ import annotations

from starlette.responses import PlainTextResponse, Response

from ledger.console.web import Ctx, page
from ledger.services.account_service import SignInRefused, authenticate


@page(public=True)
def login(ctx: Ctx) -> Response:
    sessions = ctx.console.sessions
    if ctx.request.method == "GET":
        if ctx.session is not None and ctx.session.user is not None:
            return ctx.redirect("/")
        if ctx.session is None:
            ctx.new_session = sessions.new()
        return ctx.render("login.html", title="登录")
    assert ctx.session is not None  # the page decorator refused a POST without one
    username = ctx.form.get("username", "")[:200]
    try:
        account = authenticate(ctx.rt, username, ctx.form.get("password", "")[:1000],
                               ctx.console.clock())
    except SignInRefused as e:
        return ctx.render("login.html", status=200, title="登录", error=str(e),
                          username=username)
    sessions.end(ctx.session)
    ctx.new_session = sessions.new(account.account)
    ctx.session = ctx.new_session
    ctx.flash(f"欢迎，{account.account}")
    return ctx.redirect("/")


@page()
def logout(ctx: Ctx) -> Response:
    if ctx.request.method != "POST":
        return ctx.redirect("/")
    assert ctx.session is not None
    ctx.console.sessions.end(ctx.session)
    response = ctx.redirect("/login")
    response.delete_cookie("ledger_session", path="/")
    return response


async def healthz(_: object) -> Response:
    return PlainTextResponse("ok")
