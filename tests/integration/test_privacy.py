"""The privacy issue (PIPL), through the API: an HR agency acts for a person only under the
person's authorisation, and reads decisions without the category that qualified the person."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select

from api.app import create_app
from demo.generate import Generator
from jiuyuan import clock
from jiuyuan.settings import DatabaseSettings, Settings
from ledger import intake
from ledger.models import AgencyAuthorisation, AuditEntry, Claim, Placement, SubsidyDecision
from tests.conftest import bearer

READ = {"purpose": "补贴申领"}
SENSITIVE = re.compile(
    "残疾|低保|低边|最低生活保障|建档立卡|贫困|扶贫|就业困难|困难群体|困难家庭|零就业|大龄|认定|退休|户籍"
    "|disab|dibao|poverty"
)
"""What no agency or employer view may carry: the categories that qualify a person, and the
personal facts (retirement age, hukou place) behind a decision."""

POOR = {  # 建档立卡 2016–2020, 长沙县: the agency fee of 004 §2(2)2
    "id_number": "430121199511110358",
    "name": "李建国",
    "birth_date": "1995-11-11",
    "sex": "M",
    "hukou_region_code": "430121",
    "residence_region_code": "430121",
    "urban_rural": "rural",
    "poverty_registered_from": "2016-10-01",
    "poverty_registered_to": "2020-12-31",
}
DISABLED = {  # 持证残疾人 in 嘉善: the Jiaxing agency service of 003 §3(5)
    "id_number": "330421198806150021",
    "name": "王丽",
    "birth_date": "1988-06-15",
    "sex": "F",
    "hukou_region_code": "330421",
    "residence_region_code": "330421",
    "urban_rural": "urban",
    "disability_certificate": "33042119880615002143",
    "disability_grade": 3,
}


def _placement(person_id: int, start: str = "2019-03-01", **more) -> dict:
    return {
        "person_id": person_id,
        "kind": "employer_absorption",
        "start_date": start,
        "contract_months": 24,
        "full_time": True,
        **more,
    }


@pytest.fixture
def world(migrated_url, sessions):
    with sessions.begin() as s:
        poor = intake.add_person(s, POOR).id
        disabled = intake.add_person(s, DISABLED).id
        agencies = [intake.add_agency(s, r) for r in Generator(7, date(2019, 1, 1)).agencies(2)]
    app = create_app(Settings(db=DatabaseSettings(url=migrated_url)))
    with TestClient(app) as c:
        yield {
            "c": c,
            "url": migrated_url,
            "sessions": sessions,
            "poor": poor,
            "disabled": disabled,
            "agency": agencies[0],
            "other_agency": agencies[1],
            "as_agency": bearer(migrated_url, "agency", "甲机构", agency_uscc=agencies[0].uscc),
            "counter": bearer(migrated_url, "counter", "长沙县零工市场", region="430121"),
            "officer": bearer(migrated_url, "officer", "长沙县人社局", region="430121"),
        }


def _count(sessions, model) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def _grant(world, person_id: int, headers=None, **over):
    today = clock.today()
    body = {
        "agency_uscc": world["agency"].uscc,
        "valid_from": str(today - timedelta(days=1)),
        "valid_to": str(today + timedelta(days=365)),
        "purpose": "委托该机构推荐就业并申领服务补贴",
        **over,
    }
    return world["c"].post(
        f"/persons/{person_id}/agency-authorisations", json=body, headers=headers or world["counter"]
    )


def test_agency_without_authorisation_is_answered_as_for_an_unknown_person_and_writes_nothing(world):
    """CRITICAL: any agency token read anyone's sensitive status and could enumerate ids."""
    c, sessions = world["c"], world["sessions"]
    before = [_count(sessions, m) for m in (Placement, SubsidyDecision, AuditEntry)]
    real = c.post("/placements", json=_placement(world["poor"]), headers=world["as_agency"])
    unknown = c.post("/placements", json=_placement(987654), headers=world["as_agency"])
    assert real.status_code == unknown.status_code == 422
    assert real.json() == unknown.json()  # same status, same body: no way to tell who is registered
    assert "建档立卡" not in real.text
    # Another region, another person: the same answer.
    far = c.post("/placements", json=_placement(world["disabled"]), headers=world["as_agency"])
    assert far.status_code == 422 and far.json() == unknown.json()
    assert [_count(sessions, m) for m in (Placement, SubsidyDecision, AuditEntry)] == before


def test_an_authorisation_recorded_at_the_counter_lets_the_agency_act_until_revoked(world):
    c, sessions = world["c"], world["sessions"]
    granted = _grant(world, world["poor"])
    assert granted.status_code == 201, granted.text
    auth = granted.json()
    assert auth["agency_id"] == world["agency"].id and auth["source"] == "counter" and auth["revoked_at"] is None

    placed = c.post("/placements", json=_placement(world["poor"]), headers=world["as_agency"])
    assert placed.status_code == 201, placed.text
    placement = placed.json()
    fee = next(d for d in placement["decisions"] if d["scheme"] == "agency_fee")
    assert fee["status"] == "eligible" and fee["amount"] == "200.00"
    claim = c.post(
        "/claims",
        json={"placement_id": placement["id"]},
        headers={**world["as_agency"], "Idempotency-Key": f"k-{uuid.uuid4().hex}"},
    )
    assert claim.status_code == 201, claim.text

    # Another agency, not authorised, is not let in by the first one's authorisation.
    other = bearer(world["url"], "agency", "乙机构", agency_uscc=world["other_agency"].uscc)
    assert c.post("/placements", json=_placement(world["poor"]), headers=other).status_code == 422

    listed = c.get(
        f"/persons/{world['poor']}/agency-authorisations", params={"purpose": "服务授权管理"}, headers=world["counter"]
    )
    assert [a["id"] for a in listed.json()] == [auth["id"]]
    revoked = c.post(
        f"/persons/{world['poor']}/agency-authorisations/{auth['id']}/revoke",
        json={"reason": "本人到窗口撤回授权"},
        headers=world["counter"],
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None

    # Revoked: the placement reads as one that does not exist, and nothing more can be claimed or placed.
    gone = c.get(f"/placements/{placement['id']}", params=READ, headers=world["as_agency"])
    assert gone.status_code == 404 and gone.json()["detail"] == f"安置记录 {placement['id']} 不存在。"
    never = c.get("/placements/987654", params=READ, headers=world["as_agency"])
    assert never.status_code == 404 and never.json()["title"] == gone.json()["title"]
    again = c.post(
        "/claims",
        json={"placement_id": placement["id"]},
        headers={**world["as_agency"], "Idempotency-Key": f"k-{uuid.uuid4().hex}"},
    )
    assert again.status_code == 404 and again.json()["detail"] == f"安置记录 {placement['id']} 不存在或不是本机构介绍的"
    refused = c.post("/placements", json=_placement(world["poor"]), headers=world["as_agency"])
    unknown = c.post("/placements", json=_placement(987654), headers=world["as_agency"])
    assert refused.status_code == 422 and refused.json() == unknown.json()
    # The officer still sees it all.
    assert c.get(f"/placements/{placement['id']}", params=READ, headers=world["officer"]).status_code == 200
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Claim)) == 1
        actions = list(
            s.scalars(
                select(AuditEntry.action).where(AuditEntry.subject_person_id == world["poor"]).order_by(AuditEntry.id)
            )
        )
    assert actions[0] == "agency_authorisation_grant" and "agency_authorisation_revoke" in actions
    assert "agency_authorisation_list" in actions


def test_an_expired_or_future_authorisation_is_no_authorisation(world):
    sessions, c = world["sessions"], world["c"]
    today = clock.today()
    with sessions.begin() as s:
        for start, end in (
            (today - timedelta(days=400), today - timedelta(days=1)),
            (today + timedelta(days=1), today + timedelta(days=30)),
        ):
            s.add(
                AgencyAuthorisation(
                    person_id=world["poor"],
                    agency_id=world["agency"].id,
                    valid_from=start,
                    valid_to=end,
                    purpose="测试",
                    source="import",
                    proof="授权书 2025-001",
                    recorded_by="测试",
                )
            )
    unknown = c.post("/placements", json=_placement(987654), headers=world["as_agency"]).json()
    assert c.post("/placements", json=_placement(world["poor"]), headers=world["as_agency"]).json() == unknown


def test_who_may_record_an_authorisation_and_how(world):
    c = world["c"]
    elsewhere = bearer(world["url"], "counter", "嘉善县窗口", region="330421")
    assert _grant(world, world["poor"], headers=elsewhere).status_code == 404  # out of reach: as if unknown
    assert _grant(world, world["poor"], headers=world["as_agency"]).status_code == 403  # an agency never grants
    no_proof = _grant(world, world["poor"], source="import")
    assert no_proof.status_code == 422 and no_proof.json()["errors"][0]["field"] == "proof"
    backwards = _grant(
        world, world["poor"], valid_from=str(clock.today()), valid_to=str(clock.today() - timedelta(days=2))
    )
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "valid_to"
    unknown_agency = _grant(world, world["poor"], agency_uscc="91430100MA4L99999X")
    assert unknown_agency.status_code == 422
    imported = _grant(world, world["poor"], headers=world["officer"], source="import", proof="签字授权书 CS-2026-0001")
    assert imported.status_code == 201 and imported.json()["proof"] == "签字授权书 CS-2026-0001"
    assert (
        c.get(
            f"/persons/{world['poor']}/agency-authorisations",
            params={"purpose": "服务授权管理"},
            headers=world["as_agency"],
        ).status_code
        == 403
    )


def test_decisions_shown_to_an_agency_never_name_the_qualifying_category(world):
    """HIGH: the trace returned to the agency read 持证残疾人, 建档立卡贫困劳动力 …"""
    c = world["c"]
    jiaxing_counter = bearer(world["url"], "counter", "嘉善县窗口", region="330421")
    assert _grant(world, world["disabled"], headers=jiaxing_counter).status_code == 201
    assert _grant(world, world["poor"]).status_code == 201
    shown = {}
    for person, place in ((world["poor"], "2019-03-01"), (world["disabled"], "2023-04-01")):
        placed = c.post("/placements", json=_placement(person, place), headers=world["as_agency"])
        assert placed.status_code == 201, placed.text
        shown[person] = placed.json()
        assert not SENSITIVE.search(placed.text), placed.text
        again = c.get(f"/placements/{placed.json()['id']}", params=READ, headers=world["as_agency"])
        assert again.status_code == 200 and not SENSITIVE.search(again.text)
    fee = next(d for d in shown[world["poor"]]["decisions"] if d["scheme"] == "agency_fee")
    assert fee["status"] == "eligible" and fee["amount"] == "200.00" and fee["trace"]
    assert any("人员类别条件（仅经办人员可见）" in line for line in fee["trace"])
    jiaxing = next(d for d in shown[world["disabled"]]["decisions"] if d["scheme"] == "agency_service_jiaxing")
    assert jiaxing["trace"] and not SENSITIVE.search(str(jiaxing))
    # The officers see everything: the category is in their view.
    officer_view = c.get(f"/placements/{shown[world['poor']]['id']}", params=READ, headers=world["officer"]).text
    assert "建档立卡贫困劳动力" in officer_view
    jiaxing_officer = bearer(world["url"], "officer", "嘉善县人社局", region="330421")
    assert (
        "持证残疾人"
        in c.get(f"/placements/{shown[world['disabled']]['id']}", params=READ, headers=jiaxing_officer).text
    )
