"""What happens in the demo county through the year: graduations, exits (deaths), temporary
relief, and accounts corrected after the bank returned a payment."""

from __future__ import annotations

import random
from typing import Any
from uuid import UUID

from ledger.domain.calendar import Month
from ledger.domain.identity import generate_card_number
from ledger.services.case_changes import exit_case, update_case
from ledger.services.demo_county import CHECKER, MAKER
from ledger.services.runtime import Runtime
from ledger.services.temporary_relief import approve_relief, grant_relief


def correct_accounts(rt: Runtime, returned: list[str], month: Month, rng: random.Random) -> None:
    """Half of last month's returns get a corrected account (so they are reissued); half wait."""
    from ledger.domain.errors import LedgerRefusal

    keep = []
    for case_id in returned:
        if rng.random() < 0.5:
            keep.append(case_id)
            continue
        try:
            update_case(rt.app, UUID(case_id), month, MAKER,
                        bank_account=generate_card_number("622848", rng.randrange(10**6)),
                        bank_name="中国农业银行")
        except LedgerRefusal:
            continue
    returned[:] = keep
    rt.read_model.catch_up()


def graduate_some(rt: Runtime, dibao: list[str], month: Month, rng: random.Random) -> int:
    chosen = rng.sample(dibao, k=max(1, len(dibao) // 200)) if dibao else []
    done = 0
    for case_id in chosen:
        try:
            said = update_case(rt.app, UUID(case_id), month, MAKER, income_per_capita=60000)
        except Exception:  # noqa: BLE001 - an exited case cannot graduate; skip it
            continue
        done += any("graduation" in s for s in said)
    rt.read_model.catch_up()
    return done


def exit_some(rt: Runtime, case_ids: dict[str, list[str]], month: Month, rng: random.Random) -> int:
    from ledger.domain.errors import CaseStateError

    done = 0
    for programme in ("elderly", "tekun", "disability_living"):
        pool = case_ids.get(programme, [])
        for case_id in rng.sample(pool, k=min(len(pool), max(1, len(pool) // 300))):
            try:
                exit_case(rt.app, UUID(case_id), month, "死亡注销", MAKER)
                done += 1
            except CaseStateError:
                continue
    rt.read_model.catch_up()
    return done


def grant_some_relief(rt: Runtime, rows: list[dict[str, Any]], month: Month, rng: random.Random) -> int:
    person = rng.choice([r for r in rows if r["programme"] == "dibao"])
    small = grant_relief(rt, person["id_number"], 2, "因病支出型困难", month.first_day, MAKER)
    approve_relief(rt, small.id, CHECKER)
    big = grant_relief(rt, rng.choice(rows)["id_number"], 6, "火灾", month.first_day, MAKER)
    approve_relief(rt, big.id, CHECKER)
    approve_relief(rt, big.id, "director.zhao")
    return 2
