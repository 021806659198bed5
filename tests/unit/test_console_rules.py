"""Pure rules behind the console: the lockout window, the pay-by day, the chart's scale."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from ledger.console.chart import fund_chart
from ledger.domain.accounts import Account
from ledger.domain.calendar import Month

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def _account() -> Account:
    return Account(id=uuid4(), account="wang", role="clerk", towns=[], password_hash="x", by="t")


def test_five_failures_within_fifteen_minutes_lock_for_fifteen_minutes() -> None:
    a = _account()
    for k in range(5):
        a.fail_sign_in(T0 + timedelta(minutes=3 * k))  # the fifth at +12
    assert a.locked_until(T0 + timedelta(minutes=13)) == T0 + timedelta(minutes=27)
    assert a.locked_until(T0 + timedelta(minutes=27)) is None


def test_four_failures_or_five_spread_wider_do_not_lock() -> None:
    a = _account()
    for k in range(4):
        a.fail_sign_in(T0 + timedelta(minutes=k))
    assert a.locked_until(T0 + timedelta(minutes=5)) is None
    b = _account()
    for k in range(5):
        b.fail_sign_in(T0 + timedelta(minutes=4 * k))  # 16 minutes from first to fifth
    assert b.locked_until(T0 + timedelta(minutes=17)) is None


def test_a_successful_sign_in_clears_earlier_failures() -> None:
    a = _account()
    for k in range(4):
        a.fail_sign_in(T0 + timedelta(minutes=k))
    a.sign_in(T0 + timedelta(minutes=5))
    a.fail_sign_in(T0 + timedelta(minutes=6))
    assert a.locked_until(T0 + timedelta(minutes=7)) is None


def test_the_dashboard_words_what_is_late_in_chinese() -> None:
    from ledger.console.pages_home import _late_text
    from ledger.domain.pay_deadline import MonthStatus

    jan = MonthStatus(Month(2024, 1), None, "not run", date(2024, 1, 10), -20, ("late",))
    feb = MonthStatus(Month(2024, 2), "b", "approved", date(2024, 2, 10), -2, ("late",))
    assert _late_text(jan) == "2024-01 月度发放尚未生成，应于 2024-01-10 前审核并导出"
    assert _late_text(feb) == "2024-02 月度发放已审核，尚未导出银行文件（应于 2024-02-10 前）"


def test_the_chart_stacks_programmes_and_scales_to_the_highest_month() -> None:
    chart = fund_chart({"2024-01": {"dibao": 100_00, "tekun": 50_00}, "2024-02": {"dibao": 300_00}})
    heights = {b.label.split(" ")[0] + b.label.split(" ")[1]: b.height for b in chart.bars}
    full = max(heights.values())
    assert heights["2024-02最低生活保障"] == full
    assert abs(heights["2024-01最低生活保障"] - full / 3) < 0.2
    assert abs(heights["2024-01特困人员救助供养"] - full / 6) < 0.2
    assert chart.ticks[-1][1] == "300"


def test_amounts_in_chinese_capital_figures() -> None:
    from ledger.console.formats import rmb_upper

    assert rmb_upper(2907_00) == "贰仟玖佰零柒元整"
    assert rmb_upper(1_0000_00) == "壹万元整"
    assert rmb_upper(1_0001_0000_00) == "壹亿零壹万元整"
    assert rmb_upper(1005_30) == "壹仟零伍元叁角整"
    assert rmb_upper(12_05) == "壹拾贰元零伍分"
    assert rmb_upper(0) == "零元整"
    assert rmb_upper(1234_5678_90) == "壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角整"


def test_the_access_log_masks_id_numbers_in_request_lines() -> None:
    import logging

    from ledger.console.app import MaskedAccessLog

    def logged(path: str) -> str:
        record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                                   '%s - "%s %s HTTP/%s" %d', ("127.0.0.1:5", "GET", path,
                                                                "1.1", 200), None)
        assert MaskedAccessLog().filter(record)
        return record.getMessage()

    # A search's query string is personal data however it is typed: dropped whole
    for asked in ("431023197005170015", "431023+19700517+0015", "431023%2019700517%200015",
                  "%E5%BC%A0%E4%B8%89"):  # 张三
        line = logged(f"/people?q={asked}")
        assert "/people?…" in line and asked not in line and "0015" not in line, line
    # A number in the path itself is masked; a payment id (32 hex digits) is kept
    assert "4310**********0015" in logged("/people/431023197005170015")
    assert "0" * 32 in logged("/payments/" + "0" * 32)


def test_refusals_lead_with_a_chinese_headline_and_keep_the_detail() -> None:
    from ledger.console.refusals import refusal_text
    from ledger.domain.errors import MakerCheckerError
    from ledger.services.draft_freshness import StaleDraftError

    stale = StaleDraftError("facts changed since the 2024-02 draft")
    assert refusal_text(stale) == (
        "草稿生成后又登记了新的情况，请重新生成本月发放后再审核（facts changed since the 2024-02 draft）")
    assert refusal_text(MakerCheckerError("clerk ran this draft")).startswith("审核人不能是经办人本人（")
    assert refusal_text(ValueError("bad month")) == "bad month"
