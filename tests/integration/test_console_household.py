"""A dibao household's members one at a time in the console, on both backends.

Console county (tests/console_county.py): person 1 heads a rural dibao household in 城关镇
with no members recorded yet; the clock is 2024-02-05. The page lists members in the order
(start month, applicant first, name): the applicant is member 0, the spouse member 1.
"""

from __future__ import annotations

from pathlib import Path

from ledger.domain import ids
from ledger.domain.calendar import Month
from ledger.domain.identity import mask
from ledger.services.runtime import Runtime
from tests import console_county as cc
from tests import county


def test_a_clerk_adds_removes_and_classifies_members_named_only_by_masked_numbers(
        rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    web = cc.client(c)
    token = cc.sign_in(web, "clerk")
    case = ids.case_id(county.person(1), "dibao")
    url = f"/people/{case.hex}"
    spouse = county.person(11)

    def members() -> list[tuple[str, str, Month | None]]:
        record = rt.app.case(case).record
        return sorted((m.id_number, m.relation, m.effective) for m in record.members if m.added)

    before = cc.events(c)
    for bad in ({"id_number": "1234", "relation": "spouse"},
                {"id_number": spouse, "relation": "neighbour"},
                {"id_number": spouse, "relation": "spouse", "from": "2024-13"},
                {"id_number": spouse, "relation": "spouse", "classes": "rich"}):
        body = web.post(f"{url}/members/add", data={
            "name": "居民11", "from": "2024-02", **bad, "csrf_token": token}).text
        assert "未记录" in body and spouse not in body, bad
    assert cc.events(c) == before

    for person, relation, name in ((county.person(1), "self", "居民1"), (spouse, "spouse", "居民11")):
        body = web.post(f"{url}/members/add", data={
            "id_number": person, "name": name, "relation": relation, "from": "2024-02",
            "csrf_token": token}).text
        assert "已纳入" in body and person not in body
    assert members() == [(county.person(1), "self", Month(2024, 2)),
                         (spouse, "spouse", Month(2024, 2))]
    page = web.get(url).text
    assert f'name="masked" value="{mask(spouse)}"' in page and spouse not in page

    # The list changed since the page (a wrong masked number): refused, nothing recorded
    before = cc.events(c)
    body = web.post(f"{url}/members/1/remove", data={
        "masked": mask(county.person(1)), "from": "2024-04", "reason": "moved",
        "csrf_token": token}).text
    assert "名单已有变化" in body and cc.events(c) == before
    assert "没有这名家庭成员" in web.post(f"{url}/members/7/remove", data={
        "masked": mask(spouse), "from": "2024-04", "reason": "moved",
        "csrf_token": token}).text

    body = web.post(f"{url}/members/1/remove", data={
        "masked": mask(spouse), "from": "2024-04", "reason": "moved", "csrf_token": token}).text
    assert "自 2024-04 起移出" in body
    body = web.post(f"{url}/members/0/classify", data={
        "masked": mask(county.person(1)), "class": "severe_disability", "from": "2024-03",
        "csrf_token": token}).text
    assert "已记录分类" in body
    record = rt.app.case(case).record
    assert [(m.person_key, m.effective, m.reason) for m in record.members if not m.added] == [
        (rt.app.person_key(spouse), Month(2024, 4), "moved")]
    assert [(k.classification, k.start) for k in record.classes] == [
        ("severe_disability", Month(2024, 3))]
    assert cc.events(c) == before + 2

    auditor = cc.client(c)
    token = cc.sign_in(auditor, "auditor")
    assert auditor.post(f"{url}/members/add", data={
        "id_number": county.person(12), "name": "x", "relation": "child", "from": "2024-02",
        "csrf_token": token}).status_code == 403


def test_a_clerk_corrects_a_mistyped_member_name_even_after_they_left(
        rt: Runtime, tmp_path: Path) -> None:
    c = cc.build(rt, tmp_path)
    web = cc.client(c)
    token = cc.sign_in(web, "clerk")
    case = ids.case_id(county.person(1), "dibao")
    url = f"/people/{case.hex}"
    spouse = county.person(11)
    for person, relation, name in ((county.person(1), "self", "居民1"), (spouse, "child", "居民十")):
        assert "已纳入" in web.post(f"{url}/members/add", data={
            "id_number": person, "name": name, "relation": relation, "from": "2024-02",
            "csrf_token": token}).text
    assert "起移出" in web.post(f"{url}/members/1/remove", data={
        "masked": mask(spouse), "from": "2024-04", "reason": "moved", "csrf_token": token}).text
    page = web.get(url).text
    assert f'action="/people/{case.hex}/members/1/correct"' in page  # offered after leaving too

    def spouse_details() -> list[tuple[str, str]]:
        return [(m.name, m.relation) for m in rt.app.case(case).record.members
                if m.added and m.id_number == spouse]

    before = cc.events(c)
    for bad in ({"masked": mask(spouse), "name": "居民十一", "relation": "spouse", "reason": ""},
                {"masked": mask(spouse), "name": "", "relation": "spouse", "reason": "录入错误"},
                {"masked": mask(spouse), "name": "居民十一", "relation": "self", "reason": "录入错误"},
                {"masked": mask(spouse), "name": "居民十一", "relation": "boss", "reason": "录入错误"},
                {"masked": mask(county.person(1)), "name": "居民十一", "relation": "spouse",
                 "reason": "录入错误"}):
        body = web.post(f"{url}/members/1/correct", data={**bad, "csrf_token": token}).text
        assert ("未更正" in body or "名单已有变化" in body) and spouse not in body, bad
    assert cc.events(c) == before and spouse_details() == [("居民十", "child")]

    body = web.post(f"{url}/members/1/correct", data={
        "masked": mask(spouse), "name": "居民十一", "relation": "spouse", "reason": "户口本核对",
        "csrf_token": token}).text
    assert "已更正" in body and spouse not in body
    assert spouse_details() == [("居民十一", "spouse")] and cc.events(c) == before + 1
    assert "居民十一" in web.get(url).text

    auditor = cc.client(c)
    token = cc.sign_in(auditor, "auditor")
    assert auditor.post(f"{url}/members/1/correct", data={
        "masked": mask(spouse), "name": "x", "relation": "spouse", "reason": "x",
        "csrf_token": token}).status_code == 403
