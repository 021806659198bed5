"""The console's 救助活动 page: campaigns, an in-kind campaign's hand-over list, and the
hand-over form (role-checked, CSRF, the signed-in account as the actor, masked numbers).

Console county (tests/console_county.py): five dibao households, 城关镇 1–3 and 新市镇 4–5, and
the in-kind campaign 棉被发放 of 2024-02 for every dibao household, none served yet.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from ledger.services.runtime import Runtime
from projections import schema
from tests import console_county as cc
from tests import county


def _handovers(c: cc.County) -> list[tuple[str, str, str]]:
    h = schema.campaign_handovers.c
    with c.rt.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(  # type: ignore[misc]
            select(h.handed_on, h.received_by, h.recorded_by))]


def test_the_campaign_page_records_a_hand_over_and_lists_who_has_not_received(
        rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    web = cc.client(c)
    token = cc.sign_in(web, "clerk")
    listing = web.get("/campaigns").text
    assert "棉被发放" in listing and f"/campaigns/{c.campaign}" in listing and "实物" in listing
    page = web.get(f"/campaigns/{c.campaign}").text
    assert page.count("未发放</strong>") == 5 and 'action="/campaigns/' in page

    # Without the session's CSRF token: 403, nothing recorded.
    before = cc.events(c)
    refused = web.post(f"/campaigns/{c.campaign}/deliver",
                       data={"id_number": county.person(4), "date": "2024-02-05",
                             "received_by": "居民4"})
    assert refused.status_code == 403 and cc.events(c) == before

    done = web.post(f"/campaigns/{c.campaign}/deliver",
                    data={"csrf_token": token, "id_number": county.person(4),
                          "date": "2024-02-05", "received_by": "居民4之妻", "by": "approver"})
    assert done.status_code == 200 and "已登记发放" in done.text
    assert _handovers(c) == [("2024-02-05", "居民4之妻", "clerk")]  # the session's account
    assert done.text.count("未发放</strong>") == 4 and "已发放 2024-02-05，领取人 居民4之妻" in done.text
    for number in c.id_numbers:
        assert number not in done.text  # masked everywhere

    # The same household again: refused with a message, nothing more recorded.
    again = web.post(f"/campaigns/{c.campaign}/deliver",
                     data={"csrf_token": token, "id_number": county.person(4),
                           "date": "2024-02-06", "received_by": "居民4"})
    assert "未登记" in again.text and len(_handovers(c)) == 1


def test_an_auditor_sees_the_list_but_cannot_record_and_a_town_clerk_only_its_towns(
        rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    auditor = cc.client(c)
    token = cc.sign_in(auditor, "auditor")
    page = auditor.get(f"/campaigns/{c.campaign}").text
    assert "未发放" in page and "登记发放</button>" not in page
    denied = auditor.post(f"/campaigns/{c.campaign}/deliver",
                          data={"csrf_token": token, "id_number": county.person(1),
                                "date": "2024-02-05", "received_by": "居民1"})
    assert denied.status_code == 403 and _handovers(c) == []

    town = cc.client(c)
    token = cc.sign_in(town, "town-clerk")  # 城关镇 only
    page = town.get(f"/campaigns/{c.campaign}").text
    assert page.count("未发放</strong>") == 3 and "新市镇" not in page
    elsewhere = town.post(f"/campaigns/{c.campaign}/deliver",
                          data={"csrf_token": token, "id_number": county.person(5),
                                "date": "2024-02-05", "received_by": "居民5"})
    assert "未登记" in elsewhere.text and _handovers(c) == []


def test_a_persons_page_lists_their_campaign_payment(rt: Runtime, tmp_path: Path) -> None:
    from ledger.domain.calendar import Month
    from ledger.services.campaign_run import run_campaign_batch
    from ledger.services.campaigns import create_campaign

    c = cc.build(rt, tmp_path)
    # 城关镇 households 1–3 at 300.00 each (per household).
    create_campaign(rt, "冬春救助", Month(2024, 2), "household", 300_00, None, ("dibao",),
                    ("城关镇",), "", "clerk")
    run_campaign_batch(rt, Month(2024, 2), "clerk")
    web = cc.client(c)
    cc.sign_in(web, "auditor")
    from ledger.domain import ids

    page = web.get(f"/people/{ids.case_id(county.person(2), 'dibao').hex}").text
    assert "救助活动" in page and "300.00" in page
    other = web.get(f"/people/{ids.case_id(county.person(4), 'dibao').hex}").text
    assert "300.00" not in other
    listing = web.get(f"/campaigns/{ids.campaign_id(Month(2024, 2), '冬春救助').hex}").text
    assert listing.count("草稿") == 3 and "900.00" in listing
