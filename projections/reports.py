"""Reports read from the projections: fund totals (from the journal) and the monthly roster.

``paid`` is what approved batches spent (Σ expense postings at approval, whatever
happened since); ``returned`` what the bank sent back to the fund; ``net`` is
``paid − returned``; ``payments`` the number of approved payment lines.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, func, select

from ledger.domain.calendar import Month
from ledger.domain.campaign import persons_of
from ledger.domain.identity import mask
from ledger.domain.money import format_yuan, parse_yuan
from ledger.domain.programme_names import KIND_NAMES, STATUS_NAMES, programme_name
from ledger.domain.statuses import PAID
from projections import schema
from projections.payment_lines import LINES
from projections.people import case_records, people_for

j = schema.journal.c


def _totals() -> dict[str, int]:
    return {"paid": 0, "returned": 0, "payments": 0}


def _as_yuan(t: dict[str, int]) -> dict[str, Any]:
    return {"paid": format_yuan(t["paid"]), "returned": format_yuan(t["returned"]),
            "net": format_yuan(t["paid"] - t["returned"]), "payments": t["payments"]}


def fund_totals(conn: Connection, year: int) -> dict[str, Any]:
    """Totals by programme, by month × programme and by town × programme, in fen."""
    expense = j.account.like("expense:%")
    query = (
        select(j.programme, j.month, j.town, j.kind,
               func.sum(j.debit - j.credit), func.count(func.distinct(j.payment_id)))
        .where(expense, j.month.like(f"{year:04d}-%"), j.kind.in_(("paid", "returned")))
        .group_by(j.programme, j.month, j.town, j.kind)
    )
    programmes: dict[str, dict[str, int]] = defaultdict(_totals)
    months: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(_totals))
    towns: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(_totals))
    for programme, month, town, kind, net, count in conn.execute(query):
        for bucket in (programmes[programme], months[month][programme], towns[town][programme]):
            if kind == "paid":
                bucket["paid"] += int(net)
                bucket["payments"] += int(count)
            else:
                bucket["returned"] += -int(net)
    return {"programmes": programmes, "months": months, "towns": towns}


def registered_poor(conn: Connection, year: int) -> dict[str, dict[str, int]]:
    """People in payment flagged registered-poor (建档立卡), per month and programme."""
    p, c = LINES.c, schema.cases.c
    rows = conn.execute(
        select(p.batch_month, p.programme, func.count(func.distinct(p.case_id)))
        .join(schema.cases, c.case_id == p.case_id)
        .where(p.batch_month.like(f"{year:04d}-%"), p.batch_kind == "regular",
               p.kind.in_(("regular", "graduation")), p.status.in_(PAID),
               c.registered_poor.is_(True))
        .group_by(p.batch_month, p.programme)
    )
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for month, programme, count in rows:
        out[month][programme] = int(count)
    return {m: dict(sorted(v.items())) for m, v in sorted(out.items())}


def funds_report(conn: Connection, year: int) -> dict[str, Any]:
    """The spec's `report funds --json` shape (money as yuan strings)."""
    totals = fund_totals(conn, year)
    return {
        "year": year,
        "programmes": {k: _as_yuan(v) for k, v in sorted(totals["programmes"].items())},
        "months": {m: {k: _as_yuan(v) for k, v in sorted(by.items())}
                   for m, by in sorted(totals["months"].items())},
        "towns": {t: {k: _as_yuan(v) for k, v in sorted(by.items())}
                  for t, by in sorted(totals["towns"].items())},
        "registered_poor": registered_poor(conn, year),
    }


def journal_balance(conn: Connection) -> tuple[int, int]:
    """(Σ debits, Σ credits) over the whole journal: equal to the fen, always."""
    debit, credit = conn.execute(select(func.sum(j.debit), func.sum(j.credit))).one()
    return int(debit or 0), int(credit or 0)


ROSTER_HEADER = ("乡镇", "村居", "姓名", "身份证号", "开户银行", "银行账号", "项目", "类别", "所属月份",
                 "金额", "保障人数", "状态")


def roster_rows(conn: Connection, month: str) -> list[tuple[str, ...]]:
    """The month's approved payments (花名册), ID and account masked, by town, village, name.

    Drafts are not on the roster: it lists what the bureau decided to pay. Programme, line
    kind and status are written in Chinese (the clerks' file); 保障人数 is how many people
    the line is for (projections.people).
    """
    p = LINES.c
    rows = conn.execute(
        select(p.town, p.village, p.name, p.id_number, p.bank_name, p.bank_account, p.programme,
               p.kind, p.for_month, p.amount, p.status, p.case_id, p.formula)
        .where(p.batch_month == month, p.status.in_(PAID))
    ).all()
    records = case_records(conn, {r.case_id for r in rows
                                  if r.programme not in ("temporary", "campaign")})
    keyed = sorted(rows, key=lambda r: (r.town, r.village, r.name, r.programme, r.for_month,
                                        r.kind))
    return [(r.town, r.village, r.name, mask(r.id_number), r.bank_name, mask(r.bank_account),
             programme_name(r.programme), KIND_NAMES.get(r.kind, r.kind), r.for_month,
             format_yuan(r.amount),
             str(persons_of(r.formula) if r.programme == "campaign" else
                 people_for(records.get(r.case_id), Month.parse(r.for_month))),
             STATUS_NAMES.get(r.status, r.status)) for r in keyed]


def roster_total(rows: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The 合计 line: lines (人次), Σ 金额 and Σ 保障人数, in the header's columns."""
    amount, people = ROSTER_HEADER.index("金额"), ROSTER_HEADER.index("保障人数")
    total = [""] * len(ROSTER_HEADER)
    total[0], total[2] = "合计", f"{len(rows)}人次"
    total[amount] = format_yuan(sum(parse_yuan(r[amount]) for r in rows))
    total[people] = str(sum(int(r[people]) for r in rows))
    return tuple(total)
