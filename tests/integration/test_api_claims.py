"""Placements through scoring and HR agencies' claims (API issue): decisions stored with their
trace; claims idempotent; 004 §2(2)2 "每人每年只享受一次" kept by the database under concurrency;
an officer's decision final and audited."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select

from api.app import create_app
from demo.generate import Generator
from jiuyuan.settings import DatabaseSettings, Settings
from ledger import intake
from ledger.models import AuditEntry, Claim, HrAgency, SubsidyDecision
from tests.conftest import authorise, bearer
from tests.live import live_server

POOR = {
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

READ = {"purpose": "补贴申领"}  # what an agency reads a placement for (jiuyuan/purposes.yaml roles:)
CLAIMS = {"purpose": "补贴申领"}


def _agencies(sessions, n: int, seed: int = 7) -> list[HrAgency]:
    rows = Generator(seed, date(2019, 1, 1)).agencies(n)  # licences run at least to 2019-04-01
    with sessions.begin() as s:
        return [intake.add_agency(s, r) for r in rows]


@pytest.fixture
def world(migrated_url, sessions):
    with sessions.begin() as s:
        person = intake.add_person(s, POOR)
    agency = _agencies(sessions, 1)[0]
    authorise(sessions, person.id, agency.id)  # the person's authorisation of the agency (PIPL issue)
    return {"url": migrated_url, "person_id": person.id, "agency": agency}


def _client(url):
    return TestClient(create_app(Settings(db=DatabaseSettings(url=url))))


def _placement(person_id, agency_id=None, start="2019-03-01"):
    return {
        "person_id": person_id,
        "kind": "employer_absorption",
        "start_date": start,
        "contract_months": 24,
        "agency_id": agency_id,
        "full_time": True,
    }


def test_004_s2_2_2_a_placement_is_scored_at_once_and_its_decisions_stored(world, sessions):
    agency_auth = bearer(world["url"], "agency", "某人力资源公司", agency_uscc=world["agency"].uscc)
    with _client(world["url"]) as c:
        created = c.post("/placements", json=_placement(world["person_id"]), headers=agency_auth)
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["agency_id"] == world["agency"].id  # an agency's placement is its own, whatever was sent
        fee = next(d for d in body["decisions"] if d["scheme"] == "agency_fee")
        assert fee["status"] == "eligible" and fee["amount"] == "200.00" and fee["legal_basis"] == "004 §2(2)2"
        assert fee["matures_on"] == "2019-09-01" and fee["trace"] and fee["ruleset_version"]
        again = c.get(f"/placements/{body['id']}", params=READ, headers=agency_auth).json()
        assert {d["scheme"] for d in again["decisions"]} == {d["scheme"] for d in body["decisions"]}
        bad = c.post(
            "/placements", json={**_placement(world["person_id"]), "end_date": "2018-01-01"}, headers=agency_auth
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "end_date"
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(SubsidyDecision)) == len(body["decisions"])
        assert s.scalar(select(func.count()).where(AuditEntry.action == "placement_record")) == 1


def test_claims_are_idempotent_and_an_officers_decision_is_final(world, sessions):
    agency_auth = bearer(world["url"], "agency", "某人力资源公司", agency_uscc=world["agency"].uscc)
    officer = bearer(world["url"], "officer", "长沙县人社局", region="430121")
    with _client(world["url"]) as c:
        placement = c.post("/placements", json=_placement(world["person_id"]), headers=agency_auth).json()
        key = {"Idempotency-Key": f"claim-{uuid.uuid4().hex}"}
        first = c.post("/claims", json={"placement_id": placement["id"]}, headers={**agency_auth, **key})
        assert first.status_code == 201 and first.json()["amount"] == "200.00" and first.json()["claim_year"] == 2019
        replay = c.post("/claims", json={"placement_id": placement["id"]}, headers={**agency_auth, **key})
        assert replay.status_code == 200 and replay.json()["id"] == first.json()["id"]
        no_key = c.post("/claims", json={"placement_id": placement["id"]}, headers=agency_auth)
        assert no_key.status_code == 400
        other_key = c.post(
            "/claims",
            json={"placement_id": placement["id"]},
            headers={**agency_auth, "Idempotency-Key": f"claim-{uuid.uuid4().hex}"},
        )
        assert other_key.status_code == 409 and "每人每年一次" in other_key.json()["detail"]
        # A second placement of hers that year: its fee decision failed the once-a-year condition,
        # and the refusal names the condition as what failed, not as the reason (a new user's report).
        second = c.post("/placements", json=_placement(world["person_id"]), headers=agency_auth).json()
        again = c.post(
            "/claims", json={"placement_id": second["id"]}, headers={**agency_auth, "Idempotency-Key": "second-1"}
        )
        assert again.status_code == 409, again.text
        assert again.json()["detail"].startswith("不符合申领条件。未满足的条件："), again.text
        assert f"已由安置 {placement['id']} 享受" in again.json()["detail"]
        claim_id = first.json()["id"]
        assert c.post(f"/claims/{claim_id}/decision", json={"approve": True}, headers=agency_auth).status_code == 403
        reject_without_reason = c.post(f"/claims/{claim_id}/decision", json={"approve": False}, headers=officer)
        assert reject_without_reason.status_code == 422
        approved = c.post(f"/claims/{claim_id}/decision", json={"approve": True, "reason": "材料齐全"}, headers=officer)
        assert approved.status_code == 200 and approved.json()["status"] == "approved"
        final = c.post(f"/claims/{claim_id}/decision", json={"approve": False, "reason": "改判"}, headers=officer)
        assert final.status_code == 409 and final.json()["detail"] == "该申领已审结，决定不可更改"
        elsewhere = bearer(world["url"], "officer", "岳阳市人社局", region="4306")
        assert c.post(f"/claims/{claim_id}/decision", json={"approve": True}, headers=elsewhere).status_code == 404
        assert [x["id"] for x in c.get("/claims", params=CLAIMS, headers=agency_auth).json()] == [claim_id]
        assert c.get("/claims", params=CLAIMS, headers=elsewhere).json() == []
    with sessions() as s:
        claim = s.get(Claim, claim_id)
        assert claim.status.value == "approved" and claim.decided_by.startswith("长沙县人社局")
        actions = set(s.scalars(select(AuditEntry.action).where(AuditEntry.subject_person_id == world["person_id"])))
        assert {"claim_submit", "claim_approved"} <= actions


def test_an_agency_sees_and_claims_only_its_own_placements(world):
    other = _agencies_for(world)
    mine = bearer(world["url"], "agency", "甲机构", agency_uscc=world["agency"].uscc)
    theirs = bearer(world["url"], "agency", "乙机构", agency_uscc=other.uscc)
    with _client(world["url"]) as c:
        placement = c.post("/placements", json=_placement(world["person_id"]), headers=mine).json()
        assert c.get(f"/placements/{placement['id']}", params=READ, headers=theirs).status_code == 404
        stolen = c.post(
            "/claims", json={"placement_id": placement["id"]}, headers={**theirs, "Idempotency-Key": "steal-attempt-1"}
        )
        assert stolen.status_code == 404
        not_yet = c.post("/placements", json=_placement(world["person_id"], start="2020-10-01"), headers=theirs).json()
        refused = c.post(
            "/claims", json={"placement_id": not_yet["id"]}, headers={**theirs, "Idempotency-Key": "too-late-claim-1"}
        )
        # matures 2021-04-01, after 004 ended on 2020-12-31: nothing to claim, and it says why
        assert refused.status_code == 409 and "不符合" in refused.json()["detail"]


def _agencies_for(world):
    from ledger import db

    eng = db.make_engine(world["url"])
    try:
        agency = _agencies(db.session_factory(eng), 1, seed=8)[0]
        authorise(db.session_factory(eng), world["person_id"], agency.id)
        return agency
    finally:
        eng.dispose()


@pytest.mark.postgres
@pytest.mark.slow
def test_50_concurrent_claims_on_postgresql(migrated_url, sessions):
    if not migrated_url.startswith("postgresql"):
        pytest.skip("the concurrency check runs on PostgreSQL, as production does")
    with sessions.begin() as s:
        person_id = intake.add_person(s, POOR).id
    agencies = _agencies(sessions, 51)
    for a in agencies:
        authorise(sessions, person_id, a.id)
    tokens = [bearer(migrated_url, "agency", f"机构{i}", agency_uscc=a.uscc) for i, a in enumerate(agencies)]
    with live_server(migrated_url) as base, httpx.Client(base_url=base, timeout=60) as http:
        placements = [http.post("/placements", json=_placement(person_id), headers=t).json()["id"] for t in tokens]

        # 50 identical submissions (one agency, one key) → exactly one claim, the same one for all.
        same = {**tokens[0], "Idempotency-Key": "same-key-for-all-50"}
        with ThreadPoolExecutor(50) as pool:
            answers = list(
                pool.map(lambda _: http.post("/claims", json={"placement_id": placements[0]}, headers=same), range(50))
            )
        assert {r.status_code for r in answers} <= {200, 201}
        assert [r.status_code for r in answers].count(201) == 1
        assert len({r.json()["id"] for r in answers}) == 1

        # That claim is rejected, so the year is open again. The engine gives it to the earliest
        # placement (004 §2(2)2, once a person a year); 50 submissions for it race under different
        # keys, and the database's unique index, the second line, lets exactly one through.
        officer = bearer(migrated_url, "officer", "长沙县人社局", region="430121")
        http.post(
            f"/claims/{answers[0].json()['id']}/decision",
            json={"approve": False, "reason": "测试驳回"},
            headers=officer,
        ).raise_for_status()
        with ThreadPoolExecutor(50) as pool:
            race = list(
                pool.map(
                    lambda i: http.post(
                        "/claims",
                        json={"placement_id": placements[0]},
                        headers={**tokens[0], "Idempotency-Key": f"agency-0-retry-{i}"},
                    ),
                    range(1, 51),
                )
            )
        codes = sorted(r.status_code for r in race)
        assert codes.count(201) == 1 and set(codes) == {201, 409}, codes
        # Another agency's placement of the same person that year is refused by the engine itself.
        other = http.post(
            "/claims", json={"placement_id": placements[1]}, headers={**tokens[1], "Idempotency-Key": "agency-1-claim"}
        )
        assert other.status_code == 409 and "每人每年一次" in other.text, other.text
    with sessions() as s:
        live = s.scalar(select(func.count()).select_from(Claim).where(Claim.status != "rejected"))
        assert live == 1 and s.scalar(select(func.count()).select_from(Claim)) == 2
