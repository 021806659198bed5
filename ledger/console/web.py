"""The console's plumbing: its state, the page decorator (sign-in, CSRF, role), rendering.

Every endpoint is a plain function of a :class:`Ctx` wrapped by :func:`page`,
which decides — before the function runs — whether the caller is signed in,
whether a POST carries the session's CSRF token (else 403, nothing changes),
and whether the account's role allows the action (else 403). The function
runs in a worker thread, so database work never blocks the event loop.
"""

from __future__ import annotations

import hmac
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ledger.adapters.county_list import County
from ledger.console import formats
from ledger.console.sessions import COOKIE, Clock, Session, SessionStore
from ledger.domain.accounts import ROLE_NAMES
from ledger.domain.identity import mask_numbers
from ledger.domain.roles import ACTIONS, allowed
from ledger.services.runtime import Runtime
from projections import schema

TEMPLATES = Path(__file__).parent / "templates"
MAX_UPLOAD = 200 * 1024 * 1024
"""The largest request body a form may send, less MAX_FIELD: a province roster is about 150 MB."""
MAX_FIELD = 1024 * 1024
"""The largest text field (Starlette's own default): a form's fields are short."""


@dataclass(frozen=True)
class User:
    """The signed-in account as the read model knows it now (role changes apply at once)."""

    name: str
    role: str
    towns: tuple[str, ...]

    def may(self, action: str) -> bool:
        return allowed(self.role, action)

    @property
    def county_wide(self) -> bool:
        return not self.towns

    def sees(self, town: str) -> bool:
        return not self.towns or town in self.towns


@dataclass
class Console:
    rt: Runtime
    clock: Clock
    sessions: SessionStore
    secure_cookies: bool = False
    jobs: Any = None
    province: tuple[County, ...] = ()
    """The county ledgers 全省汇总 reads (``ledger serve --province FILE``); none: no page."""
    views: dict[Any, Any] = field(default_factory=dict)
    """Costly read-model views keyed by the read model's position (a projected event
    changes the position, so a cached view is never stale); bounded, see ``view``."""
    env: Environment = field(init=False)
    work_dir: Path = field(init=False)

    def __post_init__(self) -> None:
        self.env = Environment(loader=FileSystemLoader(TEMPLATES),
                               autoescape=select_autoescape(default=True, default_for_string=True))
        formats.register(self.env)
        self._tmp = tempfile.TemporaryDirectory(prefix="ledger-console-")
        self.work_dir = Path(self._tmp.name)
        self.work_dir.chmod(0o700)

    def view(self, key: Any, compute: Any) -> Any:
        """``compute()`` once per ``key`` (which must include the read model's position)."""
        if key not in self.views:
            if len(self.views) >= 64:
                self.views.clear()
            self.views[key] = compute()
        return self.views[key]

    def user(self, name: str) -> User | None:
        a = schema.accounts.c
        with self.rt.engine.connect() as conn:
            row = conn.execute(select(a.role, a.towns, a.disabled).where(a.name == name)).first()
        if row is None or row.disabled:
            return None
        return User(name, row.role, tuple(json.loads(row.towns)))


@dataclass
class Ctx:
    request: Request
    console: Console
    session: Session | None
    user: User | None
    form: dict[str, str] = field(default_factory=dict)
    form_lists: dict[str, list[str]] = field(default_factory=dict)
    """Every value of each form field (a group of check boxes sends one per box)."""
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    new_session: Session | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rt(self) -> Runtime:
        return self.console.rt

    @property
    def actor(self) -> User:
        assert self.user is not None
        return self.user

    def form_list(self, name: str) -> list[str]:
        return self.form_lists.get(name, [])

    def query(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default)

    def flash(self, text: str, level: str = "ok") -> None:
        """Note a message for the next page, its ID and account numbers masked: a refusal
        may quote what was typed, and a clerk may type an ID number into any field."""
        if self.session is not None:
            self.session.flash(mask_numbers(text), level)

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        session = self.new_session or self.session
        html = self.console.env.get_template(template).render(
            user=self.user, csrf=session.csrf if session else "", role_names=ROLE_NAMES,
            flashes=session.take_flashes() if session else [], path=self.request.url.path,
            today=self.console.clock().date(), province_on=bool(self.console.province),
            **values)
        return HTMLResponse(html, status_code=status)

    def redirect(self, url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)

    def forbidden(self, why: str) -> HTMLResponse:
        return self.render("error.html", status=403, title="无权操作", message=why)

    def not_found(self, what: str) -> HTMLResponse:
        return self.render("error.html", status=404, title="未找到", message=what)


Handler = Callable[[Ctx], Response]


def _no_csrf() -> HTMLResponse:
    return HTMLResponse("403 缺少或无效的 CSRF 令牌：未做任何更改", status_code=403)


def _oversized(request: Request) -> HTMLResponse | None:
    """411/413 before a byte of the body is read: a form's size is known from its
    ``Content-Length`` (browsers always send it; the server holds the body to it), so a
    body larger than the largest upload is never parsed, spooled or held."""
    length = request.headers.get("content-length", "")
    if not length.isdigit():
        return HTMLResponse("411 缺少请求长度：未做任何更改", status_code=411)
    if int(length) > MAX_UPLOAD + MAX_FIELD:
        return HTMLResponse(f"413 上传内容过大（上限 {MAX_UPLOAD // 1024 // 1024} MB）：未做任何更改",
                            status_code=413)
    return None


def page(action: str | None = None, *, public: bool = False) -> Callable[[Handler], Any]:
    """Wrap a handler: sign-in (unless public), CSRF on POST, the role's right to ``action``."""

    def wrap(fn: Handler) -> Any:
        async def endpoint(request: Request) -> Response:
            console: Console = request.app.state.console
            session = console.sessions.get(request.cookies.get(COOKIE))
            ctx = Ctx(request, console, session, None)
            if request.method == "POST":
                if session is None:  # no session, no token to match: refused before reading
                    return _no_csrf()
                if (refused := _oversized(request)) is not None:
                    return refused
                data = await request.form(max_files=4, max_fields=200, max_part_size=MAX_FIELD)
                for key, value in data.multi_items():
                    if isinstance(value, UploadFile):
                        ctx.files[key] = (value.filename or "upload", await value.read())
                    else:
                        ctx.form[key] = value
                        ctx.form_lists.setdefault(key, []).append(value)
                token = ctx.form.get("csrf_token", "")
                if not hmac.compare_digest(token.encode(), session.csrf.encode()):
                    return _no_csrf()
            if not public:
                if session is None or session.user is None:
                    return RedirectResponse("/login", status_code=303)
                ctx.user = await run_in_threadpool(console.user, session.user)
                if ctx.user is None:  # disabled since signing in
                    console.sessions.end(session)
                    return RedirectResponse("/login", status_code=303)
                if action is not None and not ctx.user.may(action):
                    return ctx.forbidden(f"“{ROLE_NAMES[ctx.user.role]}”角色不能{ACTIONS[action]}。")
            response = await run_in_threadpool(fn, ctx)
            if ctx.new_session is not None:
                response.set_cookie(COOKIE, console.sessions.cookie_value(ctx.new_session),
                                    httponly=True, samesite="strict", path="/",
                                    secure=console.secure_cookies)
            return response

        endpoint.__name__ = fn.__name__
        endpoint.__doc__ = fn.__doc__
        return endpoint

    return wrap
