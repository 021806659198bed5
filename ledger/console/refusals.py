"""Refusals in the office's words: a Chinese headline per kind of refusal, the detail after.

The domain's messages are precise but English (they also serve the command line); the
console leads with what the clerk must know and keeps the detail for the record.
"""

from __future__ import annotations

from ledger.domain.accounts import AccountError
from ledger.domain.campaign import CampaignError
from ledger.domain.errors import (
    BatchStateError,
    CaseStateError,
    DuplicateEnrolmentError,
    MakerCheckerError,
    NotFoundError,
    ReliefError,
    StandardBelowMinimumError,
)
from ledger.services.approved_lines import LinesMismatchError
from ledger.services.draft_freshness import StaleDraftError
from ledger.services.payroll_months import MonthOrderError

HEADLINES: tuple[tuple[type[Exception], str], ...] = (
    (StaleDraftError, "草稿生成后又登记了新的情况，请重新生成本月发放后再审核"),
    (MonthOrderError, "须按月份顺序发放，且不能超过下个月"),
    (LinesMismatchError, "发放明细与事件日志不一致，已拒绝；请审计人员执行校验"),
    (MakerCheckerError, "审核人不能是经办人本人"),
    (BatchStateError, "批次当前状态不允许此操作"),
    (DuplicateEnrolmentError, "同一人不能同时享受低保（申请人）和特困供养"),
    (StandardBelowMinimumError, "特困基本生活标准低于低保标准的1.3倍"),
    (ReliefError, "临时救助不符合规定"),
    (CampaignError, "救助活动发放登记被拒绝"),
    (CaseStateError, "对象当前状态不允许此变更"),
    (NotFoundError, "没有找到"),
    (AccountError, "账户操作被拒绝"),
)


def refusal_text(error: Exception) -> str:
    """``headline（detail）`` for a known refusal; the detail alone otherwise."""
    for kind, headline in HEADLINES:
        if isinstance(error, kind):
            return f"{headline}（{error}）"
    return str(error)
