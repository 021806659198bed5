"""Projecting campaigns into ``rm_campaigns`` and their hand-overs into ``rm_campaign_handovers``.

Kept apart from the read model's big module, which registers these handlers. The campaign's
payments are ordinary payment rows (programme and kind ``campaign``) and post to the
journal like any other line.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert

from projections import schema


def campaign_created(page: Any, e: Any, pos: int) -> None:
    page.flush()
    page.conn.execute(insert(schema.campaigns), [{
        "campaign_id": e.originator_id.hex, "name": e.name, "month": str(e.month),
        "per": e.per, "amount": e.amount, "items": e.items,
        "programmes": json.dumps(list(e.programmes)), "towns": json.dumps(list(e.towns),
                                                                          ensure_ascii=False),
        "ref": e.ref, "created_by": e.by, "created_at": e.timestamp.isoformat(),
        "position": pos,
    }])


def campaign_handed_over(page: Any, e: Any, pos: int) -> None:
    page.flush()
    page.conn.execute(insert(schema.campaign_handovers), [{
        "campaign_id": e.originator_id.hex, "person_key": e.person_key,
        "handed_on": e.on.isoformat(), "received_by": e.received_by, "recorded_by": e.by,
    }])
