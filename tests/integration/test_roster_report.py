"""The roster report (花名册) speaks Chinese, counts people and ends with 合计; both backends.

January of tests/integration/test_reports.py: dibao household of 3 in 太平镇 一村 969.00 (settled),
tekun in 城关镇 二村 608.33 (returned by the bank), disability_living in 城关镇 一村
100.00 (settled). Total 969.00 + 608.33 + 100.00 = 1677.33 for 3 + 1 + 1 = 5 people.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from click.testing import CliRunner

from ledger.cli.main import main
from ledger.services.runtime import Runtime
from tests.integration.test_reports import _january_paid_with_one_return


def test_roster_names_programmes_kinds_and_statuses_in_chinese_with_people_and_a_total(
        rt: Runtime, tmp_path: Path) -> None:
    rows = _january_paid_with_one_return(rt, tmp_path)
    out = tmp_path / "roster.csv"
    result = CliRunner().invoke(main, ["report", "roster", "--month", "2024-01", "--csv", str(out)])
    assert result.exit_code == 0, result.stderr
    table = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert table[0] == ["乡镇", "村居", "姓名", "身份证号", "开户银行", "银行账号", "项目", "类别",
                        "所属月份", "金额", "保障人数", "状态"]
    assert [(t[0], t[1], t[6], t[7], t[8], t[9], t[10], t[11]) for t in table[1:]] == [
        ("城关镇", "一村", "困难残疾人生活补贴", "正常发放", "2024-01", "100.00", "1", "已到账"),
        ("城关镇", "二村", "特困人员救助供养", "正常发放", "2024-01", "608.33", "1", "已退回"),
        ("太平镇", "一村", "最低生活保障", "正常发放", "2024-01", "969.00", "3", "已到账"),
        ("合计", "", "", "", "", "1677.33", "5", ""),
    ]
    assert table[-1][2] == "3人次"
    text = CliRunner().invoke(main, ["report", "roster", "--month", "2024-01"]).stdout
    assert text.splitlines()[-1] == "合计,,3人次,,,,,,,1677.33,5,"
    for r in rows:
        assert r["id_number"] not in text
