"""A ledger is encrypted from `ledger init` on, or never: the key can be neither dropped nor added.

Before the marker, `init` with a key on an empty ledger recorded nothing that said so,
and the next command without the key wrote names, ID and account numbers in plain
text. Now every command on an encrypted ledger without its key is refused (exit 2)
and changes nothing, and a plain ledger opened with a key is refused too.
"""

from __future__ import annotations

from click.testing import CliRunner, Result
from sqlalchemy import delete

from ledger.adapters.encryption_marker import events_encrypted, ledger_meta, read_marker
from ledger.bootstrap import open_runtime
from tests.integration.test_encryption import KEY, OTHER_KEY

STANDARD = ["standard", "set", "dibao", "--category", "rural", "--amount", "443",
            "--per", "month", "--from", "2024-01-01", "--by", "admin"]


def ledger(*args: str, key: str = "") -> Result:
    from ledger.cli.main import main

    return CliRunner().invoke(main, list(args), env={"LEDGER_CIPHER_KEY": key})


def events(url: str, key: str = "") -> int:
    rt = open_runtime(url, cipher_key=key)
    try:
        return rt.app.recorder.max_notification_id() or 0
    finally:
        rt.close()


def test_an_empty_ledger_made_with_a_key_refuses_every_command_without_it(ledger_url: str) -> None:
    assert ledger("init", key=KEY).exit_code == 0
    for args in (STANDARD, ["standard", "list"], ["payroll", "list", "--json"], ["init"]):
        refused = ledger(*args)
        assert refused.exit_code == 2, (args, refused.output)
        assert "this ledger is encrypted: set LEDGER_CIPHER_KEY" in refused.output
        assert "Traceback" not in refused.output
    assert events(ledger_url, KEY) == 0  # nothing was recorded in plain text

    assert ledger(*STANDARD, key=KEY).exit_code == 0
    rt = open_runtime(ledger_url, cipher_key=KEY)
    try:
        assert events_encrypted(rt.app) is True
    finally:
        rt.close()


def test_a_wrong_key_is_refused_even_before_any_event(ledger_url: str) -> None:
    assert ledger("init", key=KEY).exit_code == 0
    wrong = ledger(*STANDARD, key=OTHER_KEY)
    assert wrong.exit_code == 2 and "not the key" in wrong.stderr
    assert events(ledger_url, KEY) == 0


def test_a_plain_ledger_opened_with_a_key_is_refused_and_unchanged(ledger_url: str) -> None:
    assert ledger("init").exit_code == 0
    for args in (STANDARD, ["init"]):
        refused = ledger(*args, key=KEY)
        assert refused.exit_code == 2, refused.output
        assert "made without a key" in refused.stderr and KEY not in refused.output
    assert events(ledger_url) == 0
    assert ledger(*STANDARD).exit_code == 0 and events(ledger_url) > 0


def test_init_again_and_a_rebuild_keep_the_marker(ledger_url: str) -> None:
    assert ledger("init", key=KEY).exit_code == 0
    assert ledger("init", key=KEY).exit_code == 0
    assert ledger("projections", "rebuild", key=KEY).exit_code == 0
    rt = open_runtime(ledger_url, cipher_key=KEY)
    try:
        assert read_marker(rt.engine)["encryption"] == "on"
        assert KEY not in "".join(read_marker(rt.engine).values())
    finally:
        rt.close()
    assert ledger(*STANDARD).exit_code == 2


def _forget_marker(url: str, key: str) -> None:
    """As a ledger made before the marker existed."""
    rt = open_runtime(url, cipher_key=key)
    try:
        with rt.engine.begin() as conn:
            conn.execute(delete(ledger_meta))
    finally:
        rt.close()


def test_a_ledger_from_before_the_marker_is_judged_by_its_events(ledger_url: str) -> None:
    assert ledger("init", key=KEY).exit_code == 0
    assert ledger(*STANDARD, key=KEY).exit_code == 0
    _forget_marker(ledger_url, KEY)
    before = events(ledger_url, KEY)
    refused = ledger(*STANDARD[:-2], "--by", "clerk")
    assert refused.exit_code == 2 and "set LEDGER_CIPHER_KEY" in refused.stderr
    assert events(ledger_url, KEY) == before
    # `init` with the key records the marker from the events.
    assert ledger("init", key=KEY).exit_code == 0
    rt = open_runtime(ledger_url, cipher_key=KEY)
    try:
        assert read_marker(rt.engine)["encryption"] == "on"
    finally:
        rt.close()


def test_a_plain_ledger_from_before_the_marker_refuses_a_key(ledger_url: str) -> None:
    assert ledger("init").exit_code == 0
    assert ledger(*STANDARD).exit_code == 0
    _forget_marker(ledger_url, "")
    before = events(ledger_url)
    refused = ledger(*STANDARD, key=KEY)
    assert refused.exit_code == 2 and "made without a key" in refused.stderr
    assert events(ledger_url) == before
