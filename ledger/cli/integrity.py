"""`ledger key generate`, `ledger verify` and `ledger audit`."""

from __future__ import annotations

import sys

import click

from ledger.cli.support import emit, handled, json_option, runtime
from ledger.domain.calendar import parse_date


@click.group()
def key() -> None:
    """Encryption keys for personal data in stored events."""


@key.command("generate")
def key_generate() -> None:
    """Print a new random AES-256 key for LEDGER_CIPHER_KEY (keep it in a secrets store)."""
    from eventsourcing.cryptography import AESCipher

    click.echo(AESCipher.create_key(num_bytes=32))


@click.command()
@json_option
@handled
def verify(as_json: bool) -> None:
    """Check the log's hash chain, re-project the log to check the read model, and the journal."""
    from ledger.adapters.event_authentication import EventAuthenticationError, authenticator_of
    from projections.chain import verify as verify_chain
    from projections.read_model_check import Difference, ReadModelCheck, check_read_model
    from projections.reports import journal_balance

    with runtime() as rt:
        try:
            rt.read_model.catch_up()
        except EventAuthenticationError:
            pass  # the chain check below names the event
        result = verify_chain(rt.app.recorder, rt.engine,
                              authenticator=authenticator_of(rt.app.mapper))
        try:
            tables = check_read_model(rt.app, rt.engine)
        except EventAuthenticationError as e:  # the log itself is bad: named above
            tables = ReadModelCheck(0, differences=[Difference("(all)", "-", str(e))])
        with rt.engine.connect() as conn:
            debit, credit = journal_balance(conn)
    data = {"ok": result.ok and tables.ok and debit == credit, "events": result.events,
            "last_link": result.last_link, "first_bad_position": result.first_bad_position,
            "first_bad_aggregate": result.first_bad_originator, "problem": result.problem,
            "read_model_ok": tables.ok, "read_model_rows": tables.rows,
            "read_model_differences": [
                {"table": d.table, "key": d.key, "problem": d.problem, "columns": list(d.columns)}
                for d in tables.differences],
            "journal_debits": debit, "journal_credits": credit}

    def text() -> None:
        if result.ok:
            click.echo(f"ok: {result.events} events chained; last link {result.last_link}")
        else:
            aggregate = (f" (aggregate {result.first_bad_originator})"
                         if result.first_bad_originator else "")
            click.echo(f"TAMPERED: event at position {result.first_bad_position}{aggregate}: "
                       f"{result.problem}")
        if tables.ok:
            click.echo(f"read model: matches the log re-projected to position {tables.position} "
                       f"({tables.rows} rows)")
        else:
            click.echo(f"READ MODEL DIFFERS FROM THE LOG (re-projected to position "
                       f"{tables.position}); `ledger projections rebuild` restores it:")
            for d in tables.differences:
                click.echo(f"  {d}")
            if tables.more:
                click.echo("  … and more")
        click.echo(f"journal: debits {debit} = credits {credit} fen" if debit == credit
                   else f"JOURNAL UNBALANCED: debits {debit} ≠ credits {credit} fen")

    emit(data, as_json, text)
    if not data["ok"]:
        sys.exit(1)


@click.command()
@click.option("--since", required=True, help="YYYY-MM-DD (UTC)")
@click.option("--user", default=None)
@json_option
@handled
def audit(since: str, user: str | None, as_json: bool) -> None:
    """Every state change since a date: when, who, what."""
    from ledger.services.audit import audit_entries

    with runtime() as rt:
        entries = list(audit_entries(rt.app, parse_date(since), user))

    def text() -> None:
        for e in entries:
            extra = " ".join(f"{k}={v}" for k, v in e.items()
                             if k not in ("position", "recorded_at", "user", "event",
                                          "aggregate_id"))
            click.echo(f"{e['recorded_at'][:19]}  {e['user'] or '-':<14} {e['event']:<28} "
                       f"{e['aggregate_id']}  {extra}")

    emit({"entries": entries}, as_json, text)
