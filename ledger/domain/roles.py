"""Which role may do what: the one table the console and the command line both consult.

Reading (people, payroll, reports, traces) is open to every signed-in account;
the actions below change something, or (audit, verify) read what only the
office's auditors and administrators should read.
"""

from __future__ import annotations

ACTIONS: dict[str, str] = {
    "roster.import": "导入花名册",
    "payroll.run": "生成发放草稿",
    "relief.grant": "临时救助登记",
    "case.change": "记录对象变更（收入、人数、账户、退出）",
    "review.record": "记录动态管理复核",
    "deaths.import": "导入死亡名单",
    "campaign.deliver": "登记救助活动物资发放",
    "campaign.create": "登记救助活动",
    "institution.add": "添加机构",
    "institution.grant": "登记机构补助",
    "institution.account": "更正机构银行账户",
    "institution.rename": "更正机构名称",
    "relief.account": "更正临时救助银行账户",
    "payroll.approve": "审核发放批次",
    "relief.approve": "审核临时救助",
    "bank.export": "导出银行文件",
    "bank.import": "导入银行回盘",
    "audit.read": "查看审计日志",
    "verify": "完整性校验",
    "standard.set": "设定保障标准",
    "policy.set": "设定政策参数",
    "cpi.record": "登记物价指数",
    "user.manage": "管理用户",
}

ALLOWED: dict[str, frozenset[str]] = {
    "clerk": frozenset({"roster.import", "payroll.run", "relief.grant", "case.change",
                        "review.record", "deaths.import",
                        "campaign.deliver", "campaign.create", "institution.add",
                        "institution.grant", "institution.account", "institution.rename",
                        "relief.account"}),
    "approver": frozenset({"payroll.approve", "relief.approve"}),
    "finance": frozenset({"bank.export", "bank.import"}),
    "auditor": frozenset({"audit.read", "verify"}),
    "admin": frozenset({"standard.set", "policy.set", "cpi.record", "user.manage",
                        "audit.read", "verify"}),
}


def allowed(role: str, action: str) -> bool:
    """True when ``role`` may perform ``action`` (unknown roles and actions: never)."""
    return action in ALLOWED.get(role, frozenset())
