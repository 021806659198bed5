"""The counties a province reads: named by their ledger URLs or by a TOML file.

``--counties URL1,URL2`` or a file of ``name = "URL"`` lines under ``[counties]``; a county
may have its own cipher key: ``name = {url = "URL", key_env = "VAR"}`` reads that county
with the key in the environment variable ``VAR`` (the key itself is never written in the
file, and no message shows it). A county without ``key_env`` is read with
``LEDGER_CIPHER_KEY``, as every county named by URL is. The province report
(``ledger province report``) and the console's 全省汇总 read the same list.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

from ledger.domain.safe_text import safe_url


class CountyListError(ValueError):
    """The counties cannot be read as named: the message says which and why (no key)."""


_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,63}")


class County(NamedTuple):
    name: str
    url: str
    key_env: str | None = None
    """The environment variable holding this county's cipher key (None: LEDGER_CIPHER_KEY)."""


def county_name(url: str) -> str:
    """A county's label from its URL: the schema, else the database, else the file's stem."""
    parts = urlsplit(url)
    schema = dict(parse_qsl(parts.query)).get("schema")
    if schema:
        return schema
    return Path(parts.path).stem if url.startswith("sqlite") else parts.path.strip("/")


def counties_from(urls: str | None, config: Path | None) -> list[County]:
    """Each county, in the order given; the same ledger twice is bad input."""
    if bool(urls) == bool(config):
        raise CountyListError("name the counties with --counties URL1,URL2,... or --config FILE")
    if config:
        try:
            table = tomllib.loads(config.read_text(encoding="utf-8")).get("counties")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise CountyListError(f"{config}: cannot be read as TOML ({type(e).__name__})") from None
        if not isinstance(table, dict) or not table:
            raise CountyListError(f'{config}: needs a [counties] table of name = "URL" lines')
        counties = [_county(config, str(name), entry) for name, entry in table.items()]
    else:
        counties = [County(county_name(u.strip()), u.strip())
                    for u in (urls or "").split(",") if u.strip()]
    seen: dict[str, str] = {}
    for county in counties:
        if county.url in seen or county.name in seen.values():
            raise CountyListError(f"county {county.name} ({safe_url(county.url)}) is named twice: "
                           "it would count twice")
        seen[county.url] = county.name
    return counties


def _county(config: Path, name: str, entry: Any) -> County:
    """One ``[counties]`` entry: ``"URL"`` or ``{url = "URL", key_env = "VAR"}``; a misspelt
    field is refused rather than read with the default key."""
    if isinstance(entry, str):
        return County(name, entry)
    if not isinstance(entry, dict) or not isinstance(entry.get("url"), str) or \
            set(entry) - {"url", "key_env"}:
        raise CountyListError(f'{config}: county {name} must be "URL" or {{url = "URL", '
                       'key_env = "VARIABLE"}')
    key_env = entry.get("key_env")
    if key_env is not None and not (isinstance(key_env, str) and _ENV_NAME.fullmatch(key_env)):
        raise CountyListError(f"{config}: county {name}: key_env must name an environment variable "
                       "(capital letters, digits and _)")
    return County(name, entry["url"], key_env)


def county_key(county: County) -> str | None:
    """The county's key from its own variable (None: the default, LEDGER_CIPHER_KEY)."""
    if county.key_env is None:
        return None
    key = os.environ.get(county.key_env)
    if not key:
        raise CountyListError(f"county {county.name}: its key variable {county.key_env} is not set")
    return key
