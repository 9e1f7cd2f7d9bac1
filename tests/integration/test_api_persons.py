"""Persons and recognition routes (API issue): registration with consent, PIPL audit of every read,
masked lists, jurisdiction, the 002 §2 recognition workflow on working days, 002 §4 tiers, service
contacts. Each test runs on SQLite and, with JIUYUAN_TEST_PG_URL, on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select
from stdnum.cn import ric

from api.app import create_app
from demo.generate import Generator
from jiuyuan.settings import DatabaseSettings, Settings
from jiuyuan.validation import MAX_ID
from jiuyuan.vocab import AssistanceStatus, ConsentScope, RecognitionStatus, UrbanRural
from ledger import intake
from ledger.models import AuditEntry, ConsentRecord, Household, Person, Recognition, TierAssignment
from tests.conftest import bearer

PURPOSE = {"purpose": "窗口求职登记"}


def _id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


WANG = {
    "id_number": _id("43012119700307123"),
    "name": "王建国",
    "hukou_region_code": "430121",
    "urban_rural": "urban",
    "phone": "13812345678",
    "disability_grade": 3,
    "disability_certificate": "43012119700307123443",
    "skills": ["保洁"],
    "wished_schedules": ["daily"],
    "registered_unemployed_since": "2025-01-06",
}
ZHANG = {
    "id_number": _id("43012119800512456"),
    "name": "张桂芳",
    "hukou_region_code": "430121",
    "urban_rural": "rural",
    "phone": "13912345678",
}
CHEN = {"id_number": _id("44030519900101234"), "name": "陈志强", "hukou_region_code": "440305", "urban_rural": "urban"}


@pytest.fixture
def api(migrated_url):
    with TestClient(create_app(Settings(db=DatabaseSettings(url=migrated_url)))) as client:
        yield {
            "client": client,
            "url": migrated_url,
            "counter": bearer(migrated_url, "counter", "长沙县零工市场", region="430121"),
            "officer": bearer(migrated_url, "officer", "长沙县人社局", region="430121"),
            "furong": bearer(migrated_url, "counter", "芙蓉区零工市场", region="430102"),
            "admin": bearer(migrated_url),
        }


def _problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def _register(api, body, who="counter"):
    response = api["client"].post("/persons", json=body, headers=api[who])
    assert response.status_code == 201, response.text
    return response.json()


def _entries(sessions, person_id=None):
    with sessions() as s:
        query = select(AuditEntry).order_by(AuditEntry.id)
        if person_id is not None:
            query = query.where(AuditEntry.subject_person_id == person_id)
        return list(s.scalars(query))


def test_register_is_201_with_consent_rows_and_an_audit_entry(api, sessions):
    body = _register(api, {**WANG, "consents": {"data_processing": True, "show_to_employers": False}})
    assert body["id_number"] == WANG["id_number"] and body["sex"] == "M" and body["birth_date"] == "1970-03-07"
    assert body["hukou_region_name"] == "湖南省长沙市长沙县" and body["residence_region_code"] == "430121"
    assert {c["scope"]: c["granted"] for c in body["consents"]} == {"data_processing": True, "show_to_employers": False}
    with sessions() as s:
        rows = s.scalars(select(ConsentRecord).where(ConsentRecord.person_id == body["id"])).all()
    assert {(r.scope, r.granted) for r in rows} == {
        (ConsentScope.DATA_PROCESSING, True),
        (ConsentScope.SHOW_TO_EMPLOYERS, False),
    }  # job_push not asked
    assert all(r.recorded_by.startswith("长沙县零工市场（") for r in rows)
    [entry] = _entries(sessions, body["id"])
    assert entry.action == "register" and entry.actor_role == "counter" and "id_number" in entry.fields


def test_wrong_id_checksum_is_422_in_chinese_and_writes_nothing(api, sessions):
    bad = WANG["id_number"][:-1] + ("0" if WANG["id_number"][-1] != "0" else "1")
    body = _problem(
        api["client"].post(
            "/persons",
            headers=api["counter"],
            json={**WANG, "id_number": bad, "phone": "123", "consents": {"data_processing": True}},
        ),
        422,
    )
    assert {"field": "id_number", "message": "身份证号码校验位不正确，请核对"} in body["errors"]
    assert {e["field"] for e in body["errors"]} == {"id_number", "phone"}  # every wrong field at once
    with sessions() as s:
        assert [s.scalar(select(func.count()).select_from(m)) for m in (Person, ConsentRecord, AuditEntry)] == [0, 0, 0]


def test_duplicate_id_number_is_409_and_writes_nothing_more(api, sessions):
    _register(api, {**WANG, "consents": {"data_processing": True}})
    body = _problem(
        api["client"].post(
            "/persons", json={**WANG, "name": "王建民", "consents": {"job_push": True}}, headers=api["officer"]
        ),
        409,
    )
    assert body["errors"] == [{"field": "id_number", "message": "该身份证号码已登记（人员编号 1）"}]
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(ConsentRecord)) == 1
        assert s.scalar(select(func.count()).select_from(Person)) == 1


def test_employer_and_agency_tokens_get_403_on_a_full_record(api, sessions):
    person = _register(api, WANG)
    gen = Generator(5, date(2025, 1, 1))
    with sessions.begin() as s:
        employer = intake.add_employer(s, gen.employers(1)[0])
        agency = intake.add_agency(s, gen.agencies(1)[0])
    as_employer = bearer(api["url"], "employer", "某家政公司人事", employer_uscc=employer.uscc)
    as_agency = bearer(api["url"], "agency", "某人力资源公司", agency_uscc=agency.uscc)
    for token in (as_employer, as_agency):
        body = _problem(api["client"].get(f"/persons/{person['id']}", params=PURPOSE, headers=token), 403)
        assert "无权" in body["detail"]
        _problem(api["client"].get("/persons", params=PURPOSE, headers=token), 403)
        _problem(api["client"].post("/persons", json=ZHANG, headers=token), 403)
    assert [e.action for e in _entries(sessions, person["id"])] == ["register"]  # refused reads leave no entry


def test_outside_jurisdiction_register_is_403_and_read_is_404(api, sessions):
    body = _problem(api["client"].post("/persons", json=CHEN, headers=api["counter"]), 403)
    assert "管辖范围" in body["detail"]
    person = _register(api, WANG)
    body = _problem(api["client"].get(f"/persons/{person['id']}", params=PURPOSE, headers=api["furong"]), 404)
    assert "不在您的管辖范围" in body["detail"]
    _problem(api["client"].get(f"/persons/{person['id'] + 1000}", params=PURPOSE, headers=api["counter"]), 404)
    _problem(
        api["client"].post(
            f"/persons/{person['id']}/contacts",
            headers=api["furong"],
            json={"contacted_on": "2025-10-15", "channel": "visit"},
        ),
        404,
    )
    # 002 §4: the residence county's office serves the person too.
    moved = _register(api, {**CHEN, "residence_region_code": "430102"}, who="furong")
    assert api["client"].get(f"/persons/{moved['id']}", params=PURPOSE, headers=api["furong"]).status_code == 200


def test_full_read_returns_sensitive_fields_and_commits_an_audit_entry(api, sessions):
    with sessions.begin() as s:
        household = Household(
            ref="HH-1",
            region_code="430121",
            urban_rural=UrbanRural.URBAN,
            assistance=AssistanceStatus.DIBAO,
            member_count=2,
        )
        s.add(household)
        s.flush()
        household_id = household.id
    person = _register(api, {**WANG, "household_id": household_id})
    response = api["client"].get(
        f"/persons/{person['id']}", params={"purpose": "岗位推荐：推荐保洁岗位前核对信息"}, headers=api["officer"]
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["phone"], body["disability_grade"], body["household_assistance"]) == (
        "王建国",
        "13812345678",
        3,
        "dibao",
    )
    entry = _entries(sessions, person["id"])[-1]
    assert (entry.action, entry.actor_role, entry.purpose) == ("read", "officer", "岗位推荐：推荐保洁岗位前核对信息")
    assert entry.actor.startswith("长沙县人社局（")
    assert {"name", "id_number", "phone", "disability_grade", "household_assistance"} <= set(entry.fields)


def test_missing_or_blank_purpose_is_refused_and_not_audited(api, sessions):
    person = _register(api, WANG)
    url = f"/persons/{person['id']}"
    assert _problem(api["client"].get(url, headers=api["counter"]), 400)["title"] == "请求参数有误"
    body = _problem(api["client"].get(url, params={"purpose": "x"}, headers=api["counter"]), 400)
    assert body["errors"][0]["field"] == "purpose"
    # Blank, outside the office's vocabulary, a short note, hidden characters: 422 naming the field.
    for blank in (
        "   ",
        "核对信息",
        "岗位推荐：核对",
        "岗位推荐\x00",
        "岗位推荐\u200b",
        "岗位推荐：核对\u202e信息无误",
    ):
        body = _problem(api["client"].get(url, params={"purpose": blank}, headers=api["counter"]), 422)
        assert body["errors"][0]["field"] == "purpose" and "查阅目的" in body["errors"][0]["message"]
    assert [e.action for e in _entries(sessions, person["id"])] == ["register"]


def test_officer_lists_the_audit_trail_newest_first_and_counter_cannot(api, sessions):
    person = _register(api, WANG)
    trail_url = f"/persons/{person['id']}/audit"
    api["client"].get(f"/persons/{person['id']}", params=PURPOSE, headers=api["counter"])
    body = _problem(api["client"].get(trail_url, params={"purpose": "个人信息查阅申请"}, headers=api["counter"]), 403)
    assert "人社经办人员" in body["detail"]
    response = api["client"].get(trail_url, params={"purpose": "个人信息查阅申请"}, headers=api["officer"])
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == 3
    assert [e["action"] for e in page["items"]] == ["audit.read", "read", "register"]  # this read is on it too
    assert page["items"][1]["purpose"] == "窗口求职登记" and page["items"][1]["actor_role"] == "counter"
    second = (
        api["client"]
        .get(trail_url, params={"purpose": "个人信息查阅申请", "limit": 1, "offset": 1}, headers=api["officer"])
        .json()
    )
    assert second["total"] == 4 and [e["action"] for e in second["items"]] == ["audit.read"]
    _problem(api["client"].get(trail_url, params={"purpose": "核查", "limit": 0}, headers=api["officer"]), 400)


def test_list_view_is_masked_within_jurisdiction_and_audits_each_person(api, sessions):
    wang, zhang = _register(api, WANG), _register(api, ZHANG)
    chen = _register(api, CHEN, who="admin")
    response = api["client"].get("/persons", params=PURPOSE, headers=api["counter"])
    assert response.status_code == 200, response.text
    page = response.json()
    assert [p["id"] for p in page["items"]] == [wang["id"], zhang["id"]] and page["total"] == 2
    for full in (WANG, ZHANG, CHEN):
        assert full["name"] not in response.text and full["id_number"] not in response.text
        assert full.get("phone", "-") not in response.text
    assert page["items"][0]["masked_name"] == "王**"
    assert page["items"][0]["masked_id_number"] == WANG["id_number"][:6] + "********" + WANG["id_number"][-4:]
    assert page["items"][1]["age_band"].endswith("岁") and "disability_grade" not in page["items"][0]
    listed = [(e.subject_person_id, e.action) for e in _entries(sessions) if e.action == "list"]
    assert listed == [(wang["id"], "list"), (zhang["id"], "list")]
    assert chen["id"] not in {pid for pid, _ in listed}
    by_name = api["client"].get("/persons", params={**PURPOSE, "q": "桂"}, headers=api["counter"]).json()
    assert [p["id"] for p in by_name["items"]] == [zhang["id"]]
    by_id = api["client"].get("/persons", params={**PURPOSE, "q": WANG["id_number"]}, headers=api["officer"])
    assert _problem(by_id, 422)["errors"] == [{"field": "q", "message": "请使用 POST /persons/lookup 按身份证号码查找"}]
    body = _problem(api["client"].get("/persons", params={**PURPOSE, "region": "43"}, headers=api["counter"]), 403)
    assert "管辖范围" in body["detail"]
    _problem(api["client"].get("/persons", params={**PURPOSE, "region": "999"}, headers=api["counter"]), 400)
    _problem(api["client"].get("/persons", params={**PURPOSE, "region": "4399"}, headers=api["counter"]), 422)


def test_consent_withdrawal_is_in_force_and_audited(api, sessions):
    person = _register(api, {**WANG, "consents": {"data_processing": True, "show_to_employers": True}})
    url = f"/persons/{person['id']}/consents"
    response = api["client"].post(url, json={"scope": "show_to_employers", "granted": False}, headers=api["counter"])
    assert response.status_code == 201, response.text
    assert {c["scope"]: c["granted"] for c in response.json()} == {"data_processing": True, "show_to_employers": False}
    entry = _entries(sessions, person["id"])[-1]
    assert entry.action == "consent" and entry.fields == ["consent.show_to_employers"] and "撤回" in entry.purpose
    _problem(api["client"].post(url, json={"scope": "sell_data", "granted": True}, headers=api["counter"]), 400)


def test_002_s2_recognition_due_dates_skip_national_day_and_steps_go_in_order(api, sessions):
    person = _register(api, WANG)
    client, officer = api["client"], api["officer"]
    response = client.post(
        f"/persons/{person['id']}/recognitions",
        headers=api["counter"],
        json={"categories": [1, 4], "applied_on": "2025-09-29"},
    )
    assert response.status_code == 201, response.text
    rec = response.json()
    assert rec["status"] == "applied" and [c["clause"] for c in rec["categories"]] == ["002 §1(1)", "002 §1(4)"]
    first = rec["steps"][0]
    # 5 working days after 2025-09-29: 09-30, then 10-01..10-08 are the National Day holiday → 10-13.
    assert (first["step"], first["started_on"], first["due_on"]) == ("community_review", "2025-09-29", "2025-10-13")
    assert [s["status"] for s in rec["steps"][1:]] == ["未开始"] * 3
    with sessions() as s:
        assert len(s.get(Recognition, rec["id"]).steps) == 1  # later steps are a plan, not rows
    steps = f"/recognitions/{rec['id']}/steps"
    _problem(
        client.post(
            f"/persons/{person['id']}/recognitions",
            headers=officer,
            json={"categories": [6], "applied_on": "2025-10-01"},
        ),
        409,
    )
    body = _problem(
        client.post(
            f"{steps}/street_review", json={"outcome": "passed", "completed_on": "2025-10-10"}, headers=officer
        ),
        422,
    )
    assert body["errors"] == [
        {"field": "step", "message": "须按顺序办理：当前环节为“社区（行政村）受理调查”（002 §2）"}
    ]
    _problem(
        client.post(
            f"{steps}/community_review",
            json={"outcome": "passed", "completed_on": "2025-10-10"},
            headers=api["counter"],
        ),
        403,
    )  # officers decide
    late = client.get(f"/recognitions/{rec['id']}", params={**PURPOSE, "as_of": "2025-10-14"}, headers=api["counter"])
    assert late.json()["steps"][0]["overdue"] is True and late.json()["steps"][0]["status"] == "已逾期"
    done = client.post(
        f"{steps}/community_review",
        headers=officer,
        json={"outcome": "passed", "completed_on": "2025-10-10", "note": "经核实符合条件"},
    )
    assert done.status_code == 200, done.text
    publicity = done.json()["steps"][1]
    # Saturday 2025-10-11 is a make-up working day: 10-11, 13, 14, 15, 16.
    assert (publicity["started_on"], publicity["due_on"], publicity["outcome"]) == (
        "2025-10-10",
        "2025-10-16",
        "pending",
    )
    assert done.json()["status"] == "in_review" and done.json()["steps"][0]["status"] == "按时完成"
    again = _problem(
        client.post(
            f"{steps}/community_review",
            json={"outcome": "failed", "completed_on": "2025-10-11", "note": "重复"},
            headers=officer,
        ),
        409,
    )
    assert "不能再次办理" in again["detail"]
    view = client.get(f"/recognitions/{rec['id']}", params={**PURPOSE, "as_of": "2025-10-17"}, headers=officer).json()
    # Publicity is a minimum (002 §2 "公示5个工作日后"), not a deadline: over, never overdue.
    assert [s["overdue"] for s in view["steps"]] == [False, False, False, False]
    assert [s["status"] for s in view["steps"]] == ["按时完成", "公示期满", "未开始", "未开始"]
    for step, day in (("publicity", "2025-10-17"), ("street_review", "2025-10-20"), ("county_review", "2025-10-24")):
        response = client.post(f"{steps}/{step}", json={"outcome": "passed", "completed_on": day}, headers=officer)
        assert response.status_code == 200, response.text
    final = response.json()
    assert final["status"] == "recognised" and final["recognised_on"] == "2025-10-24"
    assert [s["status"] for s in final["steps"]] == ["按时完成", "已完成", "按时完成", "按时完成"]
    actions = [e.action for e in _entries(sessions, person["id"])]
    assert actions.count("recognition.step") == 4 and actions.count("recognition.read") == 2
    _problem(
        client.post(f"{steps}/no_such_step", json={"outcome": "passed", "completed_on": "2025-10-24"}, headers=officer),
        400,
    )


def test_002_s2_failed_step_rejects_with_a_reason_and_allows_a_new_application(api, sessions):
    person = _register(api, ZHANG)
    client, officer = api["client"], api["officer"]
    rec = client.post(
        f"/persons/{person['id']}/recognitions", headers=officer, json={"categories": [6], "applied_on": "2025-08-04"}
    ).json()
    steps = f"/recognitions/{rec['id']}/steps"
    body = _problem(
        client.post(
            f"{steps}/community_review", json={"outcome": "failed", "completed_on": "2025-08-01"}, headers=officer
        ),
        422,
    )
    assert {e["field"] for e in body["errors"]} == {"completed_on", "note"}
    response = client.post(
        f"{steps}/community_review",
        headers=officer,
        json={"outcome": "failed", "completed_on": "2025-08-06", "note": "失业未满一年"},
    )
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert len(response.json()["steps"]) == 1  # no plan after a rejection
    body = _problem(
        client.post(f"{steps}/publicity", json={"outcome": "passed", "completed_on": "2025-08-11"}, headers=officer),
        422,
    )
    assert body["errors"][0]["message"] == "该申请状态为“不予认定”，不能继续办理"
    again = client.post(
        f"/persons/{person['id']}/recognitions", headers=officer, json={"categories": [6], "applied_on": "2025-09-01"}
    )
    assert again.status_code == 201, again.text
    _problem(
        client.post(
            f"/persons/{person['id']}/recognitions",
            headers=officer,
            json={"categories": [6], "applied_on": "2025-09-02"},
        ),
        409,
    )
    with sessions() as s:
        assert s.scalar(select(Recognition.status).where(Recognition.id == rec["id"])) is RecognitionStatus.REJECTED


def test_002_s2_an_application_entered_without_step_rows_runs_from_its_first_step(api, sessions):
    person = _register(api, WANG)
    with sessions.begin() as s:  # as demo data and imports enter them
        rec = Recognition(person_id=person["id"], region_code="430121", categories=[1], applied_on=date(2025, 9, 29))
        s.add(rec)
        s.flush()
        rec_id = rec.id
    view = (
        api["client"]
        .get(f"/recognitions/{rec_id}", params={**PURPOSE, "as_of": "2025-10-14"}, headers=api["officer"])
        .json()
    )
    # Not started: "未开始", planned from as_of (the late step cannot end before it), so no past due date.
    assert [(s["status"], s["due_on"]) for s in view["steps"][:2]] == [
        ("已逾期", "2025-10-13"),
        ("未开始", "2025-10-21"),
    ]
    steps = f"/recognitions/{rec_id}/steps"
    _problem(
        api["client"].post(
            f"{steps}/publicity", json={"outcome": "passed", "completed_on": "2025-10-10"}, headers=api["officer"]
        ),
        422,
    )
    done = api["client"].post(
        f"{steps}/community_review", json={"outcome": "passed", "completed_on": "2025-10-10"}, headers=api["officer"]
    )
    assert done.status_code == 200, done.text
    assert [(s["step"], s["outcome"]) for s in done.json()["steps"][:2]] == [
        ("community_review", "passed"),
        ("publicity", "pending"),
    ]


def test_recognition_bad_dates_are_422_not_500(api):
    person = _register(api, ZHANG)
    url = f"/persons/{person['id']}/recognitions"
    body = _problem(
        api["client"].post(url, json={"categories": [6], "applied_on": "1999-06-02"}, headers=api["officer"]), 422
    )
    assert body["errors"][0]["field"] == "applied_on"
    assert body["errors"][0]["message"] == "认定程序（002 §2）自 2025-07-18 起施行，申请日期不能早于该日"
    _problem(api["client"].post(url, json={"categories": [6], "applied_on": "2999-01-01"}, headers=api["officer"]), 422)
    _problem(api["client"].post(url, json={"categories": [8], "applied_on": "2025-06-02"}, headers=api["officer"]), 400)
    _problem(
        api["client"].post(
            url, json={"categories": [6], "applied_on": "2025-06-02", "region_code": "430102"}, headers=api["officer"]
        ),
        422,
    )


def test_002_s4_tier_assignment_ends_the_previous_one(api, sessions):
    person = _register(api, WANG)
    url, officer = f"/persons/{person['id']}/tier", api["officer"]
    body = _problem(api["client"].post(url, json={"tier": 2, "effective_from": "2025-11-01"}, headers=officer), 422)
    assert "尚未认定" in body["errors"][0]["message"]
    with sessions.begin() as s:
        s.add(
            Recognition(
                person_id=person["id"],
                region_code="430121",
                categories=[1],
                applied_on=date(2025, 9, 29),
                recognised_on=date(2025, 10, 24),
                status=RecognitionStatus.RECOGNISED,
            )
        )
    _problem(api["client"].post(url, json={"tier": 2, "effective_from": "2025-11-01"}, headers=api["counter"]), 403)
    _problem(api["client"].post(url, json={"tier": 4, "effective_from": "2025-11-01"}, headers=officer), 400)
    _problem(api["client"].post(url, json={"tier": 2, "effective_from": "2025-10-01"}, headers=officer), 422)
    first = api["client"].post(url, json={"tier": 2, "effective_from": "2025-11-01"}, headers=officer)
    assert first.status_code == 201 and first.json()["ended"] is None
    assert "至少3次" in first.json()["assigned"]["duties"]
    _problem(api["client"].post(url, json={"tier": 2, "effective_from": "2025-11-15"}, headers=officer), 409)
    _problem(api["client"].post(url, json={"tier": 3, "effective_from": "2025-11-01"}, headers=officer), 422)
    second = (
        api["client"]
        .post(url, json={"tier": 3, "effective_from": "2025-12-01", "reason": "生活困难"}, headers=officer)
        .json()
    )
    assert second["ended"]["tier"] == 2 and second["ended"]["effective_to"] == "2025-11-30"
    assert second["assigned"]["effective_to"] is None and "每月" in second["assigned"]["duties"]
    with sessions() as s:
        rows = s.scalars(select(TierAssignment).order_by(TierAssignment.effective_from)).all()
    assert [(r.tier, r.effective_to) for r in rows] == [(2, date(2025, 11, 30)), (3, None)]
    full = api["client"].get(f"/persons/{person['id']}", params=PURPOSE, headers=officer).json()
    assert full["tier"] == 3
    assert [e.action for e in _entries(sessions, person["id"])].count("tier") == 2


def test_service_contacts_are_recorded_listed_newest_first_and_audited(api, sessions):
    person = _register(api, WANG)
    url = f"/persons/{person['id']}/contacts"
    for day, channel in (("2025-10-15", "visit"), ("2025-11-03", "phone")):
        response = api["client"].post(
            url, json={"contacted_on": day, "channel": channel, "note": "推荐保洁岗位"}, headers=api["counter"]
        )
        assert response.status_code == 201, response.text
    assert response.json()["channel_label"] == "电话" and response.json()["staff"].startswith("长沙县零工市场")
    body = _problem(
        api["client"].post(url, json={"contacted_on": "2999-01-01", "channel": "visit"}, headers=api["counter"]), 422
    )
    assert body["errors"] == [{"field": "contacted_on", "message": "服务日期不能晚于今天"}]
    _problem(
        api["client"].post(url, json={"contacted_on": "2025-10-15", "channel": "pigeon"}, headers=api["counter"]), 400
    )
    page = api["client"].get(url, params=PURPOSE, headers=api["officer"]).json()
    assert page["total"] == 2 and [c["contacted_on"] for c in page["items"]] == ["2025-11-03", "2025-10-15"]
    actions = [e.action for e in _entries(sessions, person["id"])]
    assert actions == ["register", "contact", "contact", "contacts.read"]


def test_bad_person_input_is_a_chinese_problem_never_a_500(api, sessions):
    client, counter = api["client"], api["counter"]
    body = _problem(client.post("/persons", json={**WANG, "name": "王\x00建国"}, headers=counter), 400)
    assert body["errors"][0]["field"] == "name"  # PostgreSQL would refuse the NUL: refused at the edge
    _problem(client.post("/persons", json={**WANG, "skills": ["保洁" * 11]}, headers=counter), 400)
    body = _problem(client.post("/persons", json={**WANG, "household_id": 999}, headers=counter), 422)
    assert body["errors"] == [{"field": "household_id", "message": "家庭不存在，请先登记家庭"}]
    assert (
        _problem(client.post("/persons", json={**WANG, "latitude": 28.2}, headers=counter), 422)["errors"][0]["message"]
        == "经纬度须同时填写"
    )
    _problem(client.post("/persons", json={**WANG, "disability_grade": 5}, headers=counter), 400)
    _problem(
        client.post("/persons", content=b"{not json", headers={**counter, "content-type": "application/json"}), 400
    )
    _problem(client.get(f"/persons/{MAX_ID}", params=PURPOSE, headers=counter), 404)
    _problem(client.get(f"/persons/{MAX_ID + 1}", params=PURPOSE, headers=counter), 400)  # INTEGER column
    _problem(client.post("/persons", json={**WANG, "household_id": MAX_ID + 1}, headers=counter), 400)
    _problem(client.get("/persons/0", params=PURPOSE, headers=counter), 400)
    _problem(client.get("/recognitions/5", params=PURPOSE, headers=counter), 404)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 0


def test_openapi_lists_the_person_routes_with_examples_and_problems(api):
    spec = api["client"].get("/schema/openapi.json").json()
    paths = spec["paths"]
    assert {
        "/persons",
        "/persons/{person_id}",
        "/persons/{person_id}/consents",
        "/persons/{person_id}/contacts",
        "/persons/{person_id}/audit",
        "/persons/{person_id}/recognitions",
        "/persons/{person_id}/tier",
        "/recognitions/{recognition_id}",
        "/recognitions/{recognition_id}/steps/{step}",
    } <= paths.keys()
    register = paths["/persons"]["post"]
    assert register["requestBody"]["content"]["application/json"]["schema"]["examples"][0]["name"] == "李秀英"
    assert {"401", "403", "409", "422"} <= register["responses"].keys()
    assert "application/problem+json" in paths["/persons/{person_id}"]["get"]["responses"]["404"]["content"]
    purpose = next(p for p in paths["/persons/{person_id}"]["get"]["parameters"] if p["name"] == "purpose")
    assert purpose["required"] is True and purpose["schema"]["minLength"] == 2
    assert {"persons", "recognition"} <= {t["name"] for t in spec["tags"]}


def test_parser_errors_are_said_in_chinese_with_the_field_named(api):
    client, counter = api["client"], api["counter"]
    cases = [
        ({"purpose": ""}, "purpose", "长度应不少于2个字符"),
        ({**PURPOSE, "limit": "abc"}, "limit", "应为整数"),
        ({**PURPOSE, "limit": "100000"}, "limit", "应不大于200"),
        ({**PURPOSE, "region": "abc"}, "region", "格式不正确"),
    ]
    for params, field, message in cases:
        body = _problem(client.get("/persons", params=params, headers=counter), 400)
        assert {"field": field, "message": message} in body["errors"], body
        assert "Expected" not in str(body)
    person = _register(api, ZHANG)
    body = _problem(
        client.post(
            f"/persons/{person['id']}/recognitions",
            headers=api["officer"],
            json={"categories": [6], "applied_on": "2025-13-01"},
        ),
        400,
    )
    assert body["errors"][0]["message"] == "日期格式应为 YYYY-MM-DD，如 2026-12-01", body
