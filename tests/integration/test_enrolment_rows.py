"""Catch-up's fast path for new cases makes exactly the row the mapper's path makes.

The reference is the library's own decoding (``mapper.to_domain_event``) and the
domain's ``Case.Enrolled.new_record().to_json()``; Hypothesis draws the facts,
including empty, non-ASCII and quote-bearing texts, with and without a key.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import Notification
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.bootstrap import open_runtime
from ledger.domain.calendar import Month
from ledger.domain.case import Case
from projections.enrolment_rows import enrolled_row

text = st.text(min_size=0, max_size=10)
maybe_int = st.none() | st.integers(0, 10**7)


@pytest.fixture(scope="module", params=["plain", "encrypted"])
def mapper(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    key = AESCipher.create_key(32) if request.param == "encrypted" else ""
    path: Path = tmp_path_factory.mktemp("rows") / "ledger.db"
    rt = open_runtime(f"sqlite:///{path}", init=True, cipher_key=key)
    yield rt.app.mapper
    rt.close()


@settings(max_examples=60, deadline=None)
@given(programme=st.sampled_from(["dibao", "tekun", "elderly", "orphan"]), name=text,
       town=text, village=text, bank_name=text, area=st.none() | st.sampled_from(["urban", "rural"]),
       household=maybe_int, income=maybe_int, grade=st.none() | st.integers(1, 4),
       care=st.none() | st.sampled_from(["self", "partial", "full"]), poor=st.booleans(),
       birth=st.dates(date(1900, 1, 1), date(2024, 12, 31)),
       start=st.tuples(st.integers(2000, 2099), st.integers(1, 12)))
def test_a_new_case_row_equals_the_mapper_path(mapper: Any, programme: str, name: str,
                                               town: str, village: str, bank_name: str,
                                               area: str | None, household: int | None,
                                               income: int | None, grade: int | None,
                                               care: str | None, poor: bool, birth: date,
                                               start: tuple[int, int]) -> None:
    case = Case.enrol(uuid4(), by="clerk", programme=programme, name=name,
                      id_number="431023197005170011", person_key="k" + name, birth_date=birth,
                      town=town, village=village, area=area, household_size=household,
                      income_per_capita=income, disability_grade=grade, care_level=care,
                      registered_poor=poor, bank_name=bank_name, bank_account="6217990000000000063",
                      start_month=Month(*start))
    [stored] = [mapper.to_stored_event(e) for e in case.collect_events()]
    n = Notification(id=41, originator_id=stored.originator_id,
                     originator_version=stored.originator_version, topic=stored.topic,
                     state=stored.state)
    event = mapper.to_domain_event(n)
    row = enrolled_row(mapper, n, 41)
    assert row is not None
    assert row["record"] == event.new_record().to_json()
    assert {k: v for k, v in row.items() if k not in ("record", "_record")} == {
        "case_id": event.originator_id.hex, "programme": programme, "person_key": "k" + name,
        "name": name, "town": town, "village": village, "registered_poor": poor,
        "start_month": str(Month(*start)), "exit_month": None, "changed_position": 41,
        "bank_changed_position": 0}
