"""Text that may reach a user: never a password, a key, a full ID or account number.

Every message the command line prints about a database names it with
:func:`safe_url` (the password becomes ``***``), and every error text — a
refusal, a driver's message, an unexpected exception, even a traceback printed
for debugging — passes :func:`scrub` on its way out, which masks URL passwords,
``password=`` settings, the cipher key and any long number (first 4 and last 4
characters shown, as everywhere else in the ledger).
"""

from __future__ import annotations

import os
import re
from urllib.parse import unquote, urlsplit, urlunsplit

from ledger.domain.identity import mask_numbers

HIDDEN = "***"
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\s]*:)[^@\s]*(?=@)")
_KEY_VALUE = re.compile(r"(?i)(?P<head>\b(?:password|passwd|pwd|cipher_key)\s*[=:]\s*)"
                        r"(?P<q>['\"]?)[^'\"\s&;,)]+(?P=q)")


def safe_url(url: str) -> str:
    """The URL as it may be shown: user, host, port and database, never the password."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            userinfo, _, hostport = netloc.rpartition("@")
            user = userinfo.split(":", 1)[0]
            netloc = f"{user}:{HIDDEN}@{hostport}"
        query = _KEY_VALUE.sub(lambda m: m["head"] + HIDDEN, parts.query)
        if (netloc, query) == (parts.netloc, parts.query):
            return scrub(url)  # nothing to hide in the parts; keep sqlite:////abs/path as given
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:  # not even a URL (a bad port, brackets): mask by pattern only
        return scrub(url)


def _secrets_in_environment() -> list[str]:
    """The key, and the database password as given (and URL-decoded), wherever they appear."""
    found = [os.environ.get("LEDGER_CIPHER_KEY") or ""]
    try:
        password = urlsplit(os.environ.get("LEDGER_DATABASE_URL") or "").password or ""
    except ValueError:
        password = ""
    found += [password, unquote(password)]
    return sorted({s for s in found if len(s) >= 4}, key=len, reverse=True)


def scrub(text: str) -> str:
    """Mask whatever in ``text`` must never be printed (see the module docstring)."""
    text = _URL_PASSWORD.sub(lambda m: m["head"] + HIDDEN, text)
    text = _KEY_VALUE.sub(lambda m: m["head"] + HIDDEN, text)
    for secret in _secrets_in_environment():
        text = text.replace(secret, HIDDEN)
    return mask_numbers(text)
