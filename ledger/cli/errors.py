"""The last line of defence of the command line: no traceback reaches a user.

Expected failures are mapped where they happen (``cli_support.handled``: exit 1
or 2). What is left is caught here, around every command:

* Ctrl-C (``KeyboardInterrupt``): one line on stderr, exit 130 (128 + SIGINT,
  what a shell reports). The step in progress is one transaction and is rolled
  back; commands that record in chunks are finished by running them again.
* anything unexpected: ``internal error: <type>: <message>`` with the message
  scrubbed (no password, key, full ID or account number), exit 70 (EX_SOFTWARE,
  so scripts can tell a bug from a refusal). With ``LEDGER_DEBUG=1`` the
  traceback is printed too — scrubbed the same way.
* a usage error under ``--json`` is JSON on stdout like every other error.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any

import click

from ledger.cli.support import fail
from ledger.domain.safe_text import scrub

INTERRUPTED = 130
INTERNAL_ERROR = 70


class LedgerGroup(click.Group):
    """The ``ledger`` group: every command runs inside the handler above."""

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        self._json = "--json" in argv
        return super().main(args, *rest, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except click.UsageError as e:
            if not getattr(self, "_json", False):
                raise
            fail(f"usage: {e.format_message()}", e.exit_code, True)
        except click.ClickException:
            raise
        except KeyboardInterrupt:
            click.echo("interrupted: stopped before finishing; what was not saved was rolled "
                       "back (run the command again to finish it)", err=True)
            sys.exit(INTERRUPTED)
        except Exception as e:  # noqa: BLE001 - the point: nothing unexpected prints raw
            if os.environ.get("LEDGER_DEBUG"):
                click.echo(scrub("".join(traceback.format_exception(e))), err=True)
            fail(f"internal error: {type(e).__name__}: {e} (a bug: please report it; "
                 "LEDGER_DEBUG=1 shows where)", INTERNAL_ERROR, getattr(self, "_json", False))
