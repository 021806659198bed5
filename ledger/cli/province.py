"""`ledger province report`: every county's monthly figures, read from its read model, summed.

The counties are named by their ledger URLs (``--counties URL1,URL2``) or by a TOML
file of ``name = "URL"`` lines under ``[counties]`` (``--config``). Each county is read
through a read-only connection and never caught up, so the report shows what each
county has projected (its ``position``); run any county command to bring one up to date.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import click

from ledger.bootstrap import read_only_engine
from ledger.cli.support import BadInput, emit, handled, json_option
from ledger.domain.calendar import Month
from ledger.domain.safe_text import safe_url


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


def counties_from(urls: str | None, config: Path | None) -> list[tuple[str, str]]:
    """(name, URL) of each county, in the order given; the same ledger twice is bad input."""
    if bool(urls) == bool(config):
        raise BadInput("name the counties with --counties URL1,URL2,... or --config FILE")
    if config:
        try:
            table = tomllib.loads(config.read_text(encoding="utf-8")).get("counties")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise BadInput(f"{config}: cannot be read as TOML ({type(e).__name__})") from None
        if not isinstance(table, dict) or not table or not all(
                isinstance(v, str) for v in table.values()):
            raise BadInput(f'{config}: needs a [counties] table of name = "URL" lines')
        pairs = [(str(k), v) for k, v in table.items()]
    else:
        pairs = [(county_name(u.strip()), u.strip()) for u in (urls or "").split(",") if u.strip()]
    seen: dict[str, str] = {}
    for name, url in pairs:
        if url in seen or name in seen.values():
            raise BadInput(f"county {name} ({safe_url(url)}) is named twice: it would count twice")
        seen[url] = name
    return pairs


@province.command("report")
@click.option("--month", required=True)
@click.option("--counties", "urls", default=None, help="county ledger URLs, comma-separated")
@click.option("--config", type=click.Path(path_type=Path), default=None,
              help='TOML file: [counties] name = "URL"')
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
    protected = [f for _, url in counties for f in ledger_files(load_settings(url, ""))]
    check_outputs((xlsx_path,), force=force, protected=protected)
    figures = []
    for name, url in counties:
        with read_only_engine(url) as engine, engine.connect() as conn:
            figures.append((name, county_figures(conn, when)))
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
