"""A small demo county run end to end; its summary agrees with the ledger's own reports."""

from __future__ import annotations

import csv
import io
import sys
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from ledger.adapters.bankfiles.pain001 import validate_pain001
from ledger.bootstrap import open_runtime
from ledger.cli.main import main
from projections.reports import funds_report, journal_balance


def test_small_demo_runs_twelve_months_and_its_files_match_the_reports(
        tmp_path: Path, monkeypatch) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("LEDGER_DATABASE_URL", url)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["demo", "--cases", "300", "--out", str(out)])
    assert result.exit_code == 0, result.output + str(result.exception)
    assert "demo finished: 12 months" in result.stdout
    rt = open_runtime(url)
    try:
        with rt.engine.connect() as conn:
            report = funds_report(conn, 2024)
            debit, credit = journal_balance(conn)
    finally:
        rt.close()
    assert debit == credit > 0
    # the printed per-programme yuan equal the journal's paid totals
    printed = {}
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] in report["programmes"]:
            printed[parts[0]] = parts[3]
    assert printed == {k: v["paid"] for k, v in report["programmes"].items()}
    assert "price_subsidy" in report["programmes"]
    # last month's bank files: GBK CSV whose 合计 equals its lines; pain.001 valid against the XSD
    text = (out / "2024-12-regular.csv").read_bytes().decode("gbk")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == "序号,姓名,身份证号,银行账号,开户银行,金额,项目,发放月份,付款编号".split(",")
    body, last = rows[1:-1], rows[-1]
    assert last[0] == "合计" and int(last[1]) == len(body)
    assert Decimal(last[2]) == sum(Decimal(r[5]) for r in body)
    validate_pain001((out / "2024-12-regular.xml").read_bytes())
    for name in ("funds-2024.xlsx", "roster-2024-12.xlsx", "spending-2024.png"):
        assert (out / name).stat().st_size > 0
    assert (out / "spending-2024.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_demo_runs_without_matplotlib_and_says_the_chart_was_skipped(
        tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib raises ImportError
    monkeypatch.setenv("LEDGER_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["demo", "--cases", "10", "--months", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output + str(result.exception)
    assert "skipped: spending chart (matplotlib not installed: pip install -e '.[chart]')" \
        in result.stdout
    assert "demo finished: 1 months" in result.stdout
    assert not (out / "spending-2024.png").exists()
    assert (out / "funds-2024.xlsx").stat().st_size > 0
