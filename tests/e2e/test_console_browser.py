"""End to end in a real headless Chromium: the month's work, one role after another.

`ledger serve` runs as a subprocess on a free port over a fresh SQLite ledger whose
accounts were made with `ledger user add`. A clerk imports a roster and runs the
month's payroll; an approver approves it; finance exports and downloads the bank
file and imports the bank's results; an auditor finds a person and opens a
payment's trace. Screenshots go to $LEDGER_SCREENSHOTS (e.g. docs/screenshots), or
to the test's temporary folder.
"""

from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ledger.bootstrap import open_runtime
from tests import county

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
pytestmark = pytest.mark.browser


def _need_chromium() -> None:
    problem = None if CHROMIUM.exists() else f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problem = "the playwright package is not installed"
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the browser test: {problem}")
        pytest.skip(problem)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ledger(*args: str, env: dict[str, str], stdin: str | None = None) -> None:
    done = subprocess.run([sys.executable, "-m", "ledger.cli.main", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    _need_chromium()
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    env = {**os.environ, "LEDGER_DATABASE_URL": url}
    env.pop("LEDGER_CIPHER_KEY", None)
    _ledger("init", env=env)
    rt = open_runtime(url)
    try:
        county.set_standards(rt.app)
    finally:
        rt.close()
    # The first account needs no one to prove it (a new ledger); the next ones are made by
    # that administrator, proven by their password on the first line.
    _ledger("user", "add", "admin.he", "--role", "admin", "--password-stdin", "--by", "setup",
            env=env, stdin="admin.he-password\n")
    for name, role in (("clerk.wang", "clerk"), ("chief.li", "approver"),
                       ("finance.zhou", "finance"), ("audit.chen", "auditor")):
        _ledger("user", "add", name, "--role", role, "--password-stdin", "--by", "admin.he",
                env=env, stdin=f"admin.he-password\n{name}-password\n")
    month = date.today().strftime("%Y-%m")
    rows = [county.row(i, "dibao", name=name, start_month=month, town=town)
            for i, name, town in ((1, "张秀英", "城关镇"), (2, "李建国", "城关镇"),
                                  (3, "王桂兰", "新市镇"))]
    roster = county.write(tmp_path / "花名册.csv", rows)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "ledger.cli.main", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("ledger serve did not start")
        yield base, roster
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_month_of_work_in_a_real_browser(server: tuple[str, Path], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    base, roster = server
    shots = Path(os.environ.get("LEDGER_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN",
                                      accept_downloads=True)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        def shot(name: str) -> None:
            page.screenshot(path=str(shots / f"{name}.png"))

        def sign_in(name: str) -> None:
            page.goto(f"{base}/login")
            page.fill("input[name=username]", name)
            page.fill("input[name=password]", f"{name}-password")
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")

        def sign_out() -> None:
            page.click("form.who button")
            page.wait_for_url(f"{base}/login")

        page.goto(f"{base}/")
        assert page.url == f"{base}/login"
        shot("01-login")
        # the clerk: roster (dry run, then for real), then the month's payroll
        sign_in("clerk.wang")
        page.goto(f"{base}/roster")
        page.set_input_files("input[name=file]", str(roster))
        page.click("form.card button[type=submit]")
        assert "预检通过" in page.inner_text("main")
        page.set_input_files("input[name=file]", str(roster))
        page.uncheck("input[name=dry_run]")
        page.click("form.card button[type=submit]")
        assert "已导入 3 条" in page.inner_text("main")
        shot("02-roster-import")
        page.goto(f"{base}/payroll")
        page.click("text=生成（或重新生成）月度发放草稿")
        page.wait_for_url(f"{base}/payroll/*", timeout=60_000)
        assert "草稿" in page.inner_text("main")
        batch_url = page.url
        shot("03-batch-draft")
        sign_out()
        # the approver: confirm the total, approve
        sign_in("chief.li")
        shot("04-home")
        page.goto(batch_url)
        page.click("text=审核本批次")
        assert "2,907.00" in page.inner_text("main")  # 3 × (443.00 − 120.00) × 3
        shot("05-approve-confirm")
        page.check("input[name=confirm]")
        page.click("button:has-text('确认审核')")
        page.wait_for_url(batch_url)
        assert "审核通过" in page.inner_text("main")
        sign_out()
        # finance: export and download the bank file, import the bank's results
        sign_in("finance.zhou")
        page.goto(batch_url)
        page.select_option("select[name=encoding]", "utf-8")
        with page.expect_download() as download:
            page.click("text=导出并下载银行文件")
        bank_file = Path(download.value.path()).read_text("utf-8")
        assert county.person(1) in bank_file  # the bank file is the one place with full numbers
        ids = [row["付款编号"] for row in csv.DictReader(io.StringIO(bank_file))
               if row["序号"] != "合计"]
        assert len(ids) == 3
        results = tmp_path / "回盘.csv"
        results.write_text("付款编号,状态,原因\n" + "".join(f"{i},成功,\n" for i in ids), "utf-8")
        page.goto(batch_url)
        page.set_input_files("input[name=file]", str(results))
        page.click("text=导入银行回盘")
        assert "成功 3" in page.inner_text("main")
        assert "已对账" in page.inner_text("main")
        shot("06-batch-reconciled")
        sign_out()
        # the auditor: find a person, open a payment's trace, read the audit log
        sign_in("audit.chen")
        page.goto(f"{base}/people?q=秀英")
        shot("07-people-search")
        page.click("td a:has-text('张秀英')")
        assert "最低生活保障" in page.inner_text("main")
        shot("08-person")
        page.click("td a:has-text('追溯')")
        page.wait_for_url(f"{base}/payments/*")
        assert "形成这笔付款的全部记录" in page.inner_text("main")
        shot("09-payment-trace")
        page.goto(f"{base}/audit?since=2000-01-01")
        assert "Batch.Approved" in page.inner_text("main")
        shot("10-audit")
        # the 月报 of this month (the server's clock is today): 3 households × 3 people,
        # 2,907.00 for 9 people = 323.00 each, all new
        page.goto(f"{base}/reports/funds")
        page.click(".tabs a:has-text('月报')")
        page.wait_for_url(f"{base}/reports/monthly")
        rural = page.locator("tr", has_text="农村").first.inner_text().split()
        assert rural == ["最低生活保障", "农村", "3", "9", "2,907.00", "323.00", "3", "0"], rural
        with page.expect_download() as download:
            page.click("text=下载 XLSX")
        assert download.value.suggested_filename == f"monthly-{date.today():%Y-%m}.xlsx"
        shot("10b-monthly-report")
        page.goto(f"{base}/")
        shot("11-home-after")
        for path in ("/", "/payroll", batch_url, "/audit?since=2000-01-01"):
            page.goto(path if path.startswith("http") else base + path)
            html = page.content()
            assert county.person(1) not in html and county.card(1) not in html
        assert not errors, errors  # no CSP violations or script errors
        browser.close()
