"""A new case's read-model row read straight from its stored ``Case.Enrolled`` event.

A roster import records one ``Case.Enrolled`` per person, and catch-up (a rebuild
above all) projects every one of them. Through the library's mapper each costs a
frozen domain event, a transcoder walk with an object hook, a ``CaseRecord`` and its
``to_json``: about half the time of projecting a payment on top of the JSON parse.
Here the stored JSON is parsed once and the row, with the record's JSON, is written
from it directly. ``tests/integration/test_enrolment_rows.py`` holds the result to exactly what
the mapper's path makes (``Case.Enrolled.new_record().to_json()``), encrypted or not.

An event with a ``class_version`` (a future upcast) is left to the mapper, as
``payment_codec`` does for payments.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, Notification
from eventsourcing.utils import get_topic

from ledger.adapters.event_authentication import authenticator_of
from ledger.domain.case import Case

ENROLLED_TOPIC = get_topic(Case.Enrolled)
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def stored_state(mapper: Mapper[Any], n: Notification) -> dict[str, Any]:
    """The event's JSON object, authenticated, decrypted and decompressed as the mapper does."""
    authenticator = authenticator_of(mapper)
    data = authenticator.opened(n) if authenticator else n.state
    if mapper.cipher:
        data = mapper.cipher.decrypt(data)
    if mapper.compressor:
        data = mapper.compressor.decompress(data)
    state: dict[str, Any] = json.loads(data.decode())  # str: json skips sniffing the encoding
    return state


def enrolled_row(mapper: Mapper[Any], n: Notification, position: int) -> dict[str, Any] | None:
    """The ``rm_cases`` row of a new case (``record`` as JSON text); None: use the mapper."""
    s = stored_state(mapper, n)
    if "class_version" in s:
        return None
    case_id = n.originator_id.hex if isinstance(n.originator_id, UUID) else UUID(
        str(n.originator_id)).hex
    start = s["start_month"]["_data_"]
    # The keys in CaseRecord's field order, its defaults for a new case (CaseRecord.to_json).
    record = _dumps({
        "case_id": case_id, "programme": s["programme"], "name": s["name"],
        "id_number": s["id_number"], "birth_date": s["birth_date"]["_data_"],
        "town": s["town"], "village": s["village"], "registered_poor": s["registered_poor"],
        "bank_name": s["bank_name"], "bank_account": s["bank_account"], "start_month": start,
        "enrolment": {"area": s["area"], "household_size": s["household_size"],
                      "income_per_capita": s["income_per_capita"],
                      "disability_grade": s["disability_grade"], "care_level": s["care_level"]},
        "changes": [], "exit_month": None, "exit_reason": "", "graduations": [], "bands": [],
        "bank_changed_seq": 0, "seq": 1,
    })
    return {
        "case_id": case_id, "programme": s["programme"], "person_key": s["person_key"],
        "name": s["name"], "town": s["town"], "village": s["village"],
        "registered_poor": s["registered_poor"], "start_month": start, "exit_month": None,
        "record": record, "changed_position": position, "bank_changed_position": 0,
        "_record": None,
    }
