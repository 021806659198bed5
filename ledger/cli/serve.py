"""`ledger serve`: the finance office's web console over the same ledger as the command line."""

from __future__ import annotations

import logging

import click

from ledger.cli.support import handled, runtime


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--with-scheduler", is_flag=True, help="also run the scheduled jobs in this process")
@click.option("--secure-cookies", is_flag=True,
              help="mark the session cookie Secure (behind an HTTPS reverse proxy)")
@handled
def serve(host: str, port: int, with_scheduler: bool, secure_cookies: bool) -> None:
    """Serve the console (Chinese, signed-in, role-checked) until stopped."""
    from ledger.console.app import serve as run_console
    from ledger.services.account_service import accounts_exist

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with runtime() as rt:
        if not accounts_exist(rt):
            click.echo("no accounts yet: create one with "
                       "`ledger user add admin --role admin --password-stdin`", err=True)
        click.echo(f"console on http://{host}:{port}/ over {rt.settings.url}", err=True)
        run_console(rt, host, port, with_scheduler, secure_cookies)
