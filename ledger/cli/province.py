"""`ledger province report`: every county's monthly figures, read from its read model, summed.

The counties are named by their ledger URLs (``--counties URL1,URL2``) or by a TOML
file of ``name = "URL"`` lines under ``[counties]`` (``--config``). Each county is read
through a read-only connection and never caught up, so the report shows what each
county has projected (its ``position``); run any county command to bring one up to date.

Each county may have its own cipher key (``ledger.adapters.county_list``). The console shows
the same report as 全省汇总 when served with ``--province FILE``.
"""

from __future__ import annotations

from pathlib import Path

import click

from ledger.adapters.county_list import CountyListError, counties_from
from ledger.cli.support import BadInput, emit, handled, json_option
from ledger.domain.calendar import Month


@click.group()
def province() -> None:
    """The province's view over several county ledgers (read only)."""


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
    from ledger.bootstrap import province_figures

    when = Month.parse(month)
    try:
        counties = counties_from(urls, config)
        protected = [f for c in counties for f in ledger_files(load_settings(c.url, ""))]
        check_outputs((xlsx_path,), force=force, protected=protected)
        data = province_figures(counties, when)
    except CountyListError as e:
        raise BadInput(str(e)) from None
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
