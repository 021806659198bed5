"""Server-side sessions: a random id in an HttpOnly, SameSite=Strict cookie.

Sessions live in the server's memory, so signing out ends a session for good
(a copied cookie is worthless afterwards) and a restart signs everyone out.
The id is signed (itsdangerous) so a forged cookie is refused before any look-up.
Time comes from the clock the console was given, so tests choose it.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from itsdangerous import BadSignature, Signer

COOKIE = "ledger_session"
IDLE = timedelta(minutes=30)
MAX_SESSIONS = 10_000

Clock = Callable[[], datetime]


@dataclass
class Session:
    sid: str
    csrf: str
    seen: datetime
    user: str | None = None
    flashes: list[tuple[str, str]] = field(default_factory=list)

    def flash(self, text: str, level: str = "ok") -> None:
        self.flashes.append((level, text))

    def take_flashes(self) -> list[tuple[str, str]]:
        out, self.flashes = self.flashes, []
        return out


class SessionStore:
    """Sessions by id; one that has been idle 30 minutes is gone."""

    def __init__(self, clock: Clock, secret: bytes | None = None) -> None:
        self.clock = clock
        self._signer = Signer(secret or secrets.token_bytes(32), salt="ledger-session")
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def new(self, user: str | None = None) -> Session:
        now = self.clock()
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), now, user)
        with self._lock:
            if len(self._sessions) >= MAX_SESSIONS:
                self._prune(now)
            self._sessions[session.sid] = session
        return session

    def get(self, cookie: str | None) -> Session | None:
        """The live session the cookie names (its idle time restarts), else None."""
        if not cookie:
            return None
        try:
            sid = self._signer.unsign(cookie).decode()
        except (BadSignature, UnicodeDecodeError):
            return None
        now = self.clock()
        with self._lock:
            session = self._sessions.get(sid)
            if session is None:
                return None
            if now - session.seen > IDLE:
                del self._sessions[sid]
                return None
            session.seen = now
            return session

    def end(self, session: Session) -> None:
        with self._lock:
            self._sessions.pop(session.sid, None)

    def end_user(self, user: str) -> None:
        """End every session of an account (disabled)."""
        with self._lock:
            for sid in [s.sid for s in self._sessions.values() if s.user == user]:
                del self._sessions[sid]

    def cookie_value(self, session: Session) -> str:
        return self._signer.sign(session.sid).decode()

    def _prune(self, now: datetime) -> None:
        for sid in [s.sid for s in self._sessions.values() if now - s.seen > IDLE]:
            del self._sessions[sid]
        if len(self._sessions) >= MAX_SESSIONS:  # still full: drop the oldest anonymous ones
            anonymous = sorted((s for s in self._sessions.values() if s.user is None),
                               key=lambda s: s.seen)
            for s in anonymous[: len(anonymous) // 2 + 1]:
                del self._sessions[s.sid]
