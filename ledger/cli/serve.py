"""`ledger serve`: the finance office's web console over the same ledger as the command line."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from ledger.cli.support import BadInput, handled, runtime


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--with-scheduler", is_flag=True, help="also run the scheduled jobs in this process")
@click.option("--secure-cookies", is_flag=True,
              help="mark the session cookie Secure (behind an HTTPS reverse proxy)")
@click.option("--province", "province_config", type=click.Path(path_type=Path), default=None,
              help="the province office's console: a TOML file of the county ledgers its "
                   "全省汇总 page reads ([counties], as for `ledger province report --config`)")
@handled
def serve(host: str, port: int, with_scheduler: bool, secure_cookies: bool,
          province_config: Path | None) -> None:
    """Serve the console (Chinese, signed-in, role-checked) until stopped."""
    from ledger.adapters.county_list import CountyListError, counties_from
    from ledger.console.app import serve as run_console
    from ledger.services.account_service import accounts_exist

    try:  # read before serving: a console started with a broken list would fail every view
        counties = counties_from(None, province_config) if province_config else []
    except CountyListError as e:
        raise BadInput(str(e)) from None

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with runtime() as rt:
        if not accounts_exist(rt):
            click.echo("no accounts yet: create one with "
                       "`ledger user add admin --role admin --password-stdin`", err=True)
        click.echo(f"console on http://{host}:{port}/ over {rt.settings.url}", err=True)
        if counties:
            click.echo(f"全省汇总 over {len(counties)} counties: "
                       + ", ".join(c.name for c in counties), err=True)
        run_console(rt, host, port, with_scheduler, secure_cookies, counties)
