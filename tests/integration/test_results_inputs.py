"""Bank results files that are not results: devices, junk, endless bad lines."""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

from ledger.adapters.bankfiles.results import read_bank_results
from ledger.services.runtime import Runtime
from tests.integration.test_bank_roundtrip import events, run


def problems(path: Path) -> list[str]:
    results, found = read_bank_results(path)
    assert results == []
    return [str(p) for p in found]


def test_dev_zero_is_refused_at_once(rt: Runtime) -> None:
    before = events(rt)
    started = time.monotonic()
    code, _, err = run("bankfile", "import-results", "/dev/zero", by="cashier")
    assert code == 2
    assert "/dev/zero:1: file: is a device, not a regular file" in err
    assert "nothing recorded" in err and "Traceback" not in err
    assert time.monotonic() - started < 5
    assert events(rt) == before


def test_junk_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    binary = tmp_path / "junk.bin"
    binary.write_bytes(b"\xff\xfe" + os.urandom(12 << 20))
    one_line = tmp_path / "one_line.csv"
    one_line.write_bytes("付款编号,状态,原因\n".encode() + b"a" * (3 << 20))
    tracemalloc.start()
    try:
        assert problems(binary) == [f"{binary}:1: file: neither UTF-8 nor GBK text"]
        assert problems(one_line) == [f"{one_line}:1: file: line 2 is longer than 64 KiB: not a "
                                      "text table (is it the right file?)"]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20, peak


def test_only_the_first_200_bad_lines_are_listed_and_the_rest_counted(rt: Runtime,
                                                                     tmp_path: Path) -> None:
    path = tmp_path / "res.csv"
    path.write_text("付款编号,状态,原因\n" + "".join(f"junk{i},成功,\n" for i in range(1000)),
                    encoding="utf-8")
    found = problems(path)
    assert len(found) == 201
    assert found[0].startswith(f"{path}:2: 付款编号: ")
    assert found[199].startswith(f"{path}:201: 付款编号: ")
    assert found[200] == f"{path}:1001: file: and 800 more problem(s) not listed (the first 200 are)"
    before = events(rt)
    code, _, err = run("bankfile", "import-results", str(path), by="cashier")
    assert code == 2
    assert f"{path}: no line could be read as a bank result (1000 problem(s)); nothing recorded" in err
    assert len(err.splitlines()) == 202
    assert events(rt) == before


def test_a_banks_reason_is_kept_on_one_line_short_and_without_a_full_number(
        tmp_path: Path) -> None:
    """A reason that clears a terminal (ESC [2J), quotes the payee's ID number and runs on
    for 500 characters: kept as one line, the number masked, cut at 200 characters. The
    failure itself is never refused for its reason (a returned payment must not be lost)."""
    from uuid import uuid4

    number = "431023195611040086"
    paid_back = uuid4()
    path = tmp_path / "results.csv"
    path.write_text("付款编号,状态,原因\n"
                    f'{paid_back.hex},失败,"\x1b[2J户名不符\t{number}\u2028' + "因" * 500 + '"\n',
                    encoding="utf-8")
    results, found = read_bank_results(path)
    assert found == []
    [result] = results
    assert (result.payment_id, result.ok) == (paid_back, False)
    # By hand: ESC becomes a space, "[2J" stays as text; the tab and the line separator become
    # spaces; runs of spaces fold; the number is masked 4 + 10 + 4; the rest cut to 200.
    kept = " [2J户名不符 4310**********0086 " + "因" * 500
    assert result.reason == kept.strip()[:199] + "…"
    assert len(result.reason) == 200 and number not in result.reason
