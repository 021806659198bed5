"""A payroll projects each chunk it records from memory — only when nothing came in between.

Otherwise (another writer's event sits between the read model's position and the chunk,
or someone already projected the chunk) it must fall back to the ordinary catch-up, so
every event is still applied exactly once.
"""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy import func, select

from ledger.domain.calendar import Month
from ledger.domain.case import Case
from ledger.domain.identity import birth_date_of
from ledger.domain.payroll import Line
from ledger.services.batch_writer import BatchRun, Payee
from ledger.services.runtime import Runtime
from projections import schema
from projections.tracking import read_position
from tests import county

MONTH = Month(2024, 3)
PAYEE = Payee("测试", "431023197005170011", "农村信用社", "6217000000000000", "城关镇", "东村")


def _lines(n: int) -> list[tuple[Line, Payee]]:
    return [(Line(uuid4(), "dibao", "regular", MONTH, 100_00, 100_00, "test"), PAYEE)
            for _ in range(n)]


def _counts(rt: Runtime) -> tuple[int, int, int]:
    with rt.engine.connect() as conn:
        cases = conn.execute(select(func.count()).select_from(schema.cases)).scalar_one()
        payments = conn.execute(select(func.count()).select_from(schema.payments)).scalar_one()
        return cases, payments, read_position(conn, "read_model")


def test_an_event_of_another_writer_in_between_is_projected_too(rt: Runtime) -> None:
    run = BatchRun(rt, MONTH, "regular", "clerk")
    run.start(0)
    rt.read_model.catch_up()
    # Another writer enrols a case: recorded, not yet projected.
    rt.app.save(Case.enrol(uuid4(), by="clerk", programme="dibao", name="李四",
                           id_number=county.person(1), person_key="k1",
                           birth_date=birth_date_of(county.person(1)), town="城关镇", village="东村", area="rural",
                           household_size=1, income_per_capita=0, disability_grade=None,
                           care_level=None, registered_poor=False, bank_name="农村信用社",
                           bank_account=county.card(1), start_month=MONTH))
    run.record(_lines(5), {})
    assert _counts(rt) == (1, 5, rt.app.recorder.max_notification_id())


def test_a_chunk_projected_by_someone_else_is_not_applied_twice(rt: Runtime) -> None:
    run = BatchRun(rt, MONTH, "regular", "clerk")
    run.start(0)
    projected = rt.read_model.apply_recorded
    calls = []

    def after_a_follower(notifications, known):  # noqa: ANN001, ANN202
        rt.read_model.catch_up()  # a follower process got there first
        calls.append(len(notifications))
        return projected(notifications, known)

    rt.read_model.apply_recorded = after_a_follower  # type: ignore[method-assign]
    run.record(_lines(4), {})
    assert calls == [5]  # four payments and the batch's LinesRecorded
    assert _counts(rt) == (0, 4, rt.app.recorder.max_notification_id())
