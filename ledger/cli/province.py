"""`ledger province report`: every county's monthly figures, read from its read model, summed.

The counties are named by their ledger URLs (``--counties URL1,URL2``) or by a TOML
file of ``name = "URL"`` lines under ``[counties]`` (``--config``). Each county is read
through a read-only connection and never caught up, so the report shows what each
county has projected (its ``position``); run any county command to bring one up to date.

Each county may have its own cipher key: in the TOML file, ``name = {url = "URL", key_env =
"VAR"}`` reads that county with the key in the environment variable ``VAR`` (the key itself
is never written in the file, and no message shows it). A county without ``key_env`` is read
with ``LEDGER_CIPHER_KEY``, as every county named by ``--counties`` is.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

import click

from ledger.adapters.sealing import CipherKeyError
from ledger.bootstrap import read_only_engine
from ledger.cli.support import BadInput, emit, handled, json_option
from ledger.domain.calendar import Month
from ledger.domain.safe_text import safe_url

_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,63}")


class County(NamedTuple):
    name: str
    url: str
    key_env: str | None = None
    """The environment variable holding this county's cipher key (None: LEDGER_CIPHER_KEY)."""


@click.group()
def province() -> None:
    """The province's view over several county ledgers (read only)."""


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
        raise BadInput("name the counties with --counties URL1,URL2,... or --config FILE")
    if config:
        try:
            table = tomllib.loads(config.read_text(encoding="utf-8")).get("counties")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise BadInput(f"{config}: cannot be read as TOML ({type(e).__name__})") from None
        if not isinstance(table, dict) or not table:
            raise BadInput(f'{config}: needs a [counties] table of name = "URL" lines')
        counties = [_county(config, str(name), entry) for name, entry in table.items()]
    else:
        counties = [County(county_name(u.strip()), u.strip())
                    for u in (urls or "").split(",") if u.strip()]
    seen: dict[str, str] = {}
    for county in counties:
        if county.url in seen or county.name in seen.values():
            raise BadInput(f"county {county.name} ({safe_url(county.url)}) is named twice: "
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
        raise BadInput(f'{config}: county {name} must be "URL" or {{url = "URL", '
                       'key_env = "VARIABLE"}')
    key_env = entry.get("key_env")
    if key_env is not None and not (isinstance(key_env, str) and _ENV_NAME.fullmatch(key_env)):
        raise BadInput(f"{config}: county {name}: key_env must name an environment variable "
                       "(capital letters, digits and _)")
    return County(name, entry["url"], key_env)


def _key(county: County) -> str | None:
    """The county's key from its own variable (None: the default, LEDGER_CIPHER_KEY)."""
    if county.key_env is None:
        return None
    key = os.environ.get(county.key_env)
    if not key:
        raise BadInput(f"county {county.name}: its key variable {county.key_env} is not set")
    return key


@province.command("report")
@click.option("--month", required=True)
@click.option("--counties", "urls", default=None, help="county ledger URLs, comma-separated")
@click.option("--config", type=click.Path(path_type=Path), default=None,
              help='TOML file: [counties] name = "URL", or name = {url = "URL", '
                   'key_env = "VARIABLE"} for a county with its own key')
@json_option
@click.option("--xlsx", "xlsx_path", type=click.Path(path_type=Path), default=None)
@click.option("--force", is_flag=True, help="replace an existing --xlsx file")
@handled
def province_report_command(month: str, urls: str | None, config: Path | None, as_json: bool,
                            xlsx_path: Path | None, force: bool) -> None:
    """Households, people and money paid per programme: each county, then the province."""
    from ledger.adapters.output_files import check_outputs, ledger_files
    from ledger.adapters.province_report_file import province_xlsx
    from ledger.adapters.settings import load_settings
    from projections.province import county_figures, province_report

    when = Month.parse(month)
    counties = counties_from(urls, config)
    protected = [f for c in counties for f in ledger_files(load_settings(c.url, ""))]
    check_outputs((xlsx_path,), force=force, protected=protected)
    figures = []
    for county in counties:
        try:
            with read_only_engine(county.url, _key(county)) as engine, engine.connect() as conn:
                figures.append((county.name, county_figures(conn, when)))
        except CipherKeyError as e:  # named for this county and where its key came from
            source = county.key_env or "LEDGER_CIPHER_KEY"
            raise BadInput(f"county {county.name}: "
                           + str(e).replace("LEDGER_CIPHER_KEY", source)) from None
    data = province_report(when, figures)
    if xlsx_path:
        province_xlsx(xlsx_path, data, force=force, protected=protected)

    def text() -> None:
        click.echo(f"{'county':<20} {'programme':<16} {'households':>10} {'people':>8} "
                   f"{'paid':>16}")
        for block, name in [*((c, c["county"]) for c in data["counties"]),
                            (data["province"], "province")]:
            for programme, f in block["programmes"].items():
                click.echo(f"{name:<20} {programme:<16} {f['households']:>10} {f['people']:>8} "
                           f"{f['paid']:>16}")
            click.echo(f"{name:<20} {'total':<16} {'':>10} {'':>8} {block['total']['paid']:>16}")

    emit(data, as_json, text)
