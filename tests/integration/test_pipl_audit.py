"""PIPL audit and oracles (issue 17): the purpose vocabulary, one audit entry per person per
disclosure with the caller's real role and the fields sent, the registry oracle, lookup by ID
number as a POST, claims filtered by authorisation, and revocation on every worker."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from litestar.testing import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from api.app import create_app
from cli.main import main
from demo.generate import Generator
from jiuyuan import clock
from jiuyuan.settings import DatabaseSettings, SearchSettings, Settings
from ledger import intake
from ledger.models import AuditEntry, Person
from tests.conftest import authorise, bearer

POOR = {  # 建档立卡 2016–2020, 长沙县: the agency fee of 004 §2(2)2
    "id_number": "430121199511110358",
    "name": "李建国",
    "hukou_region_code": "430121",
    "urban_rural": "rural",
    "poverty_registered_from": "2016-10-01",
    "poverty_registered_to": "2020-12-31",
    "skills": ["保洁"],
    "wished_work": ["保洁员"],
    "latitude": 28.25,
    "longitude": 113.08,
    "consents": {"data_processing": True, "show_to_employers": True, "job_push": True},
}
ELSEWHERE = {"id_number": "330421198806150021", "name": "王丽", "hukou_region_code": "330421", "urban_rural": "urban"}


def _search(tmp_path, model_path) -> SearchSettings:
    return SearchSettings(index_dir=tmp_path / "index", model_dir=model_path, ranker_path=tmp_path / "ranker.json")


@pytest.fixture
def office(migrated_url, sessions, tmp_path, model_path):
    with sessions.begin() as s:
        gen = Generator(7, clock.today())
        agency = intake.add_agency(s, gen.agencies(1)[0])
        employer = intake.add_employer(s, gen.employers(1)[0])
        posting = intake.add_posting(
            s,
            {
                "ref": "PIPL-1",
                "title": "保洁员",
                "description": "小区保洁",
                "kind": "ordinary",
                "schedule": "full_time",
                "wage_unit": "month",
                "wage_min": "2300",
                "region_code": "430121",
                "latitude": 28.26,
                "longitude": 113.09,
                "skills_required": ["保洁"],
                "employer_id": employer.id,
                "valid_from": str(clock.today() - timedelta(days=5)),
                "valid_until": str(clock.today() + timedelta(days=60)),
            },
        )
        far = intake.add_person(s, ELSEWHERE).id
    search = _search(tmp_path, model_path)
    with TestClient(create_app(Settings(db=DatabaseSettings(url=migrated_url), search=search))) as c:
        yield {
            "c": c,
            "url": migrated_url,
            "sessions": sessions,
            "search": search,
            "agency": agency,
            "employer": employer,
            "posting": posting.id,
            "far": far,
            "counter": bearer(migrated_url, "counter", "长沙县零工市场", region="430121"),
            "officer": bearer(migrated_url, "officer", "长沙县人社局", region="430121"),
            "admin": bearer(migrated_url, "admin", "系统管理员"),
            "as_agency": bearer(migrated_url, "agency", "甲机构", agency_uscc=agency.uscc),
            "as_employer": bearer(migrated_url, "employer", "某公司人事", employer_uscc=employer.uscc),
        }


def _ok(response, status=200):
    assert response.status_code == status, response.text
    return response


def _problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def _trail(sessions, person_id: int) -> list[AuditEntry]:
    with sessions() as s:
        return list(
            s.scalars(select(AuditEntry).where(AuditEntry.subject_person_id == person_id).order_by(AuditEntry.id))
        )


def _rebuild(office) -> None:
    args = ["--database-url", office["url"], "index", "rebuild", "--path", str(office["search"].index_dir)]
    assert main([*args, "--model", str(office["search"].model_dir), "--quiet"]) == 0


def test_audit_completeness_over_a_full_flow(office):
    """Register, match, push, place, claim, list claims, export, duty list: the person's trail has one
    entry per disclosure, with the caller's real role, its purpose and the fields sent."""
    c, sessions = office["c"], office["sessions"]
    person = _ok(c.post("/persons", json=POOR, headers=office["counter"]), 201).json()["id"]
    _rebuild(office)
    found = _ok(
        c.post(
            "/persons/lookup", json={"id_number": POOR["id_number"], "purpose": "岗位推荐"}, headers=office["counter"]
        )
    )
    assert found.json()["id"] == person and POOR["name"] not in found.text
    _ok(
        c.get(f"/persons/{person}/matches", params={"purpose": "岗位推荐：为其推荐保洁岗位"}, headers=office["counter"])
    )
    push = {"person_id": person, "posting_id": office["posting"], "channel": "counter"}
    _ok(c.post("/pushes", json=push, headers=office["counter"]), 201)
    _ok(c.get(f"/persons/{person}/pushes", params={"purpose": "就业服务跟踪"}, headers=office["counter"]))
    cards = _ok(
        c.get(
            f"/postings/{office['posting']}/candidates",
            params={"purpose": "用人单位招聘"},
            headers=office["as_employer"],
        )
    ).json()["candidates"]
    assert cards, "the registered person consented and lives next to the post"
    # An officer records the agency's placement (started 2019: backdated, with a reason), the agency reads and claims.
    authorise(sessions, person, office["agency"].id)
    placement = {
        "person_id": person,
        "kind": "employer_absorption",
        "start_date": "2019-03-01",
        "contract_months": 24,
        "full_time": True,
        "agency_id": office["agency"].id,
        "backdate_reason": "纸质台账补录入系统",
    }
    placed = _ok(c.post("/placements", json=placement, headers=office["officer"]), 201).json()
    _ok(c.get(f"/placements/{placed['id']}", params={"purpose": "补贴申领"}, headers=office["as_agency"]))
    claim = {"placement_id": placed["id"], "scheme": "agency_fee"}
    _ok(c.post("/claims", json=claim, headers={**office["as_agency"], "Idempotency-Key": uuid.uuid4().hex}), 201)
    assert len(_ok(c.get("/claims", params={"purpose": "补贴审核"}, headers=office["officer"])).json()) == 1
    _ok(c.get(f"/persons/{person}", params={"purpose": "认定审核"}, headers=office["admin"]))
    duties = {"region": "430121", "as_of": str(clock.today()), "purpose": "就业援助责任清单"}
    listed = _ok(c.get("/reports/duties", params=duties, headers=office["admin"])).json()["items"]
    export = {"purpose": "个人信息查阅申请：本人申请查阅处理记录"}
    body = _ok(c.get(f"/persons/{person}/audit/export", params=export, headers=office["officer"])).json()

    trail = _trail(sessions, person)
    by_action = {}
    for e in trail:
        by_action.setdefault(e.action, []).append(e)
    expected = {  # action: (role, purpose, fields)
        "register": ("counter", "登记求职人员信息", None),
        "lookup": ("counter", "岗位推荐", None),
        "match_posts": ("counter", "岗位推荐：为其推荐保洁岗位", None),
        "push_posting": ("counter", "岗位推送", ["job_pushes"]),
        "push_history": ("counter", "就业服务跟踪", ["job_pushes"]),
        "placement_record": ("officer", "就业安置登记", ["placement", "subsidy_decisions"]),
        "placement_read": ("agency", "补贴申领", ["placement", "subsidy_decisions(redacted)"]),
        "claim_submit": ("agency", "申领agency_fee", None),
        "claim_read": ("officer", "补贴审核", ["claim"]),
        "read": ("admin", "认定审核", None),  # an administrator is logged as one, not as an officer
        "audit.export": ("officer", export["purpose"], ["audit_log"]),
    }
    for action, (role, purpose, fields) in expected.items():
        assert len(by_action.get(action, [])) == 1, (action, [e.action for e in trail])
        entry = by_action[action][0]
        assert (entry.actor_role, entry.purpose) == (role, purpose), action
        assert fields is None or entry.fields == sorted(fields), (action, entry.fields)
    # Every card an employer saw: one entry for its person, naming what that card carried.
    with sessions() as s:
        seen = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "view_candidate")))
    assert len(seen) == len(cards) and {(e.actor_role, e.purpose) for e in seen} == {("employer", "用人单位招聘")}
    carried = sorted(sorted(k for k, v in card.items() if k != "score" and v not in (None, [], "")) for card in cards)
    assert sorted(e.fields for e in seen) == carried
    mine = [e for e in seen if e.subject_person_id == person]
    assert len(mine) == 1 and {"masked_name", "age_band", "person_ref", "distance_band"} <= set(mine[0].fields)
    # Duty lists: one entry per person listed, with the administrator's own role.
    with sessions() as s:
        duty = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "duty_list")))
    assert sorted(e.subject_person_id for e in duty) == sorted({i["person_id"] for i in listed})
    assert {(e.actor_role, e.purpose) for e in duty} <= {("admin", "就业援助责任清单")}
    # The export is the whole trail, oldest first, itself last.
    assert [i["action"] for i in body["items"]] == [e.action for e in trail]
    assert body["items"][-1]["action"] == "audit.export" and body["total"] == len(trail)


def test_the_trail_exports_as_xlsx_for_officers_only_with_text_cells(office):
    c, sessions = office["c"], office["sessions"]
    person = _ok(c.post("/persons", json=POOR, headers=office["counter"]), 201).json()["id"]
    url = f"/persons/{person}/audit/export"
    purpose = {"purpose": "个人信息查阅申请", "format": "xlsx"}
    _problem(c.get(url, params=purpose, headers=office["counter"]), 403)
    sheet = _ok(c.get(url, params=purpose, headers=office["officer"]))
    assert "attachment" in sheet.headers["content-disposition"]
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[1][:4] == ("时间（UTC）", "操作人", "角色", "操作")
    assert [r[3] for r in rows[2:]] == ["register", "audit.export"]
    assert [e.action for e in _trail(sessions, person)] == ["register", "audit.export"]


@pytest.mark.parametrize(
    "purpose",
    [
        "",
        "   ",
        "xx",
        "核对信息",
        "岗位推荐：核对",
        "岗位推荐\x00",
        "岗位推荐\u200b",
        "岗位推荐\u2066",
        "岗位推荐：核对\u202e信息无误",
    ],
)
def test_purpose_outside_the_vocabulary_or_with_hidden_characters_is_refused(office, purpose):
    c = office["c"]
    person = _ok(c.post("/persons", json=POOR, headers=office["counter"]), 201).json()["id"]
    for url in (f"/persons/{person}", f"/persons/{person}/pushes", f"/postings/{office['posting']}/candidates"):
        answer = c.get(url, params={"purpose": purpose}, headers=office["counter"])
        assert answer.status_code in (400, 422), answer.text
        assert answer.json()["errors"][0]["field"] == "purpose"
    assert [e.action for e in _trail(office["sessions"], person)] == ["register"]
    vocabulary = _ok(c.get("/purposes", headers=office["counter"])).json()["purposes"]
    assert {"窗口求职登记", "岗位推荐", "就业援助责任清单", "个人信息查阅申请"} <= set(vocabulary)


def test_an_employer_or_agency_may_give_only_its_own_business_as_purpose(office):
    """PIPL art. 6 (purpose limited to the caller's business), jiuyuan/purposes.yaml ``roles:``:
    an employer browsing candidates cannot log the read as 认定审核, an agency not as 补贴审核."""
    c, sessions = office["c"], office["sessions"]
    person = _ok(c.post("/persons", json=POOR, headers=office["counter"]), 201).json()["id"]
    assert _ok(c.get("/purposes", headers=office["as_employer"])).json()["purposes"] == ["用人单位招聘"]
    assert "补贴审核" not in _ok(c.get("/purposes", headers=office["as_agency"])).json()["purposes"]
    cards = f"/postings/{office['posting']}/candidates"
    for purpose in ("认定审核", "补贴审核：核对本人信息"):
        refused = _problem(c.get(cards, params={"purpose": purpose}, headers=office["as_employer"]), 422)
        assert refused["errors"] == [{"field": "purpose", "message": "用人单位查阅个人信息只能出于：用人单位招聘"}]
    refused = _problem(c.get("/claims", params={"purpose": "补贴审核"}, headers=office["as_agency"]), 422)
    assert refused["errors"][0]["field"] == "purpose" and "补贴申领" in refused["errors"][0]["message"]
    _problem(c.get("/agency/persons", params={"purpose": "认定审核"}, headers=office["as_agency"]), 422)
    # Nor in the note, where the log would read it as the purpose.
    noted = _problem(c.get(cards, params={"purpose": "用人单位招聘：认定审核核查"}, headers=office["as_employer"]), 422)
    assert noted["errors"][0]["message"].startswith("说明中不能写“认定审核”")
    assert "用人单位招聘：" in _ok(c.get("/purposes", headers=office["as_employer"])).json()["note"]
    assert [e.action for e in _trail(sessions, person)] == ["register"]
    # Staff keep the whole vocabulary on the same route.
    _rebuild(office)
    _ok(c.get(cards, params={"purpose": "认定审核"}, headers=office["counter"]))
    _ok(c.get(cards, params={"purpose": "用人单位招聘"}, headers=office["as_employer"]))


@pytest.mark.parametrize(
    "roles",
    ["  counter: [岗位推荐]\n", "  employer: [不在清单中的目的]\n", "  employer: []\n", "  employer: 用人单位招聘\n"],
)
def test_a_purposes_file_narrowing_staff_or_naming_unknown_entries_is_refused(office, tmp_path, monkeypatch, roles):
    """Staff routes pass no role, so narrowing a staff role would look enforced and not be."""
    from jiuyuan.settings import get_settings

    own = tmp_path / "purposes.yaml"
    own.write_text(f"purposes:\n  - 岗位推荐\n  - 用人单位招聘\nroles:\n{roles}", encoding="utf-8")
    monkeypatch.setenv("JIUYUAN_PURPOSES", str(own))
    get_settings.cache_clear()
    try:
        body = _problem(office["c"].get("/purposes", headers=office["counter"]), 503)
        assert "roles:" in body["detail"]
    finally:
        get_settings.cache_clear()


def test_the_vocabulary_is_the_office_file_named_by_the_setting(office, tmp_path, monkeypatch):
    from jiuyuan.settings import get_settings

    own = tmp_path / "purposes.yaml"
    own.write_text("purposes:\n  - 本所专用目的\n", encoding="utf-8")
    monkeypatch.setenv("JIUYUAN_PURPOSES", str(own))
    get_settings.cache_clear()
    try:
        c = office["c"]
        assert _ok(c.get("/purposes", headers=office["counter"])).json()["purposes"] == ["本所专用目的"]
        person = _ok(c.post("/persons", json=POOR, headers=office["counter"]), 201).json()["id"]
        _problem(c.get(f"/persons/{person}", params={"purpose": "岗位推荐"}, headers=office["counter"]), 422)
        _ok(c.get(f"/persons/{person}", params={"purpose": "本所专用目的"}, headers=office["counter"]))
        # A file without roles: (an office's copy from before they existed) fails closed for an employer.
        assert _ok(c.get("/purposes", headers=office["as_employer"])).json()["purposes"] == []
        cards = f"/postings/{office['posting']}/candidates"
        refused = _problem(c.get(cards, params={"purpose": "本所专用目的"}, headers=office["as_employer"]), 422)
        assert "roles:" in refused["errors"][0]["message"]
    finally:
        get_settings.cache_clear()


def test_oracle_registering_or_importing_an_id_registered_elsewhere_is_a_generic_refusal_with_an_audit_entry(office):
    c, sessions, far = office["c"], office["sessions"], office["far"]
    body = {**ELSEWHERE, "hukou_region_code": "430121", "name": "王丽"}
    refused = _problem(c.post("/persons", json=body, headers=office["counter"]), 422)
    assert refused["errors"] == [{"field": "id_number", "message": "无法登记，请联系户籍地经办机构"}]
    assert "已登记" not in str(refused)
    csv = f"公民身份号码,姓名,户籍地区划代码,城乡类别\n{ELSEWHERE['id_number']},王丽,430121,城镇\n".encode()
    for check in ("true", "false"):
        answer = c.post(
            "/imports/persons",
            params={"check": check},
            headers=office["counter"],
            files={"file": ("表.csv", csv, "text/csv")},
        )
        errors = _problem(answer, 422)["errors"]
        assert [e["message"] for e in errors] == ["无法登记，请联系户籍地经办机构"] and "已登记" not in answer.text
    trail = _trail(sessions, far)
    assert [(e.action, e.actor_role, e.purpose, e.fields) for e in trail] == [
        ("register_refused", "counter", "登记查重", ["id_number"])
    ] * 3
    with sessions() as s:
        assert s.scalar(select(Person.id).where(Person.id_number == ELSEWHERE["id_number"])) == far
    # Within reach the duplicate says so, and names the person.
    mine = _ok(c.post("/persons", json=POOR, headers=office["counter"]), 201).json()["id"]
    again = _problem(c.post("/persons", json=POOR, headers=office["counter"]), 409)
    assert again["errors"] == [{"field": "id_number", "message": f"该身份证号码已登记（人员编号 {mine}）"}]


def test_lookup_by_id_number_is_a_post_and_q_never_takes_an_id_number(office):
    c = office["c"]
    person = _ok(c.post("/persons", json=POOR, headers=office["counter"]), 201).json()["id"]
    url, purpose = "/persons/lookup", "窗口求职登记"
    assert (
        _ok(c.post(url, json={"id_number": POOR["id_number"], "purpose": purpose}, headers=office["counter"])).json()[
            "id"
        ]
        == person
    )
    outside = _problem(
        c.post(url, json={"id_number": ELSEWHERE["id_number"], "purpose": purpose}, headers=office["counter"]), 404
    )
    unknown = _problem(
        c.post(url, json={"id_number": "430121199001010011", "purpose": purpose}, headers=office["counter"]), 404
    )
    assert outside == {**unknown, "instance": outside["instance"]}
    _problem(c.post(url, json={"id_number": POOR["id_number"], "purpose": "xx"}, headers=office["counter"]), 422)
    _problem(c.post(url, json={"id_number": POOR["id_number"], "purpose": purpose}, headers=office["as_employer"]), 403)
    for q in (POOR["id_number"], "4301211995"):
        body = _problem(c.get("/persons", params={"q": q, "purpose": purpose}, headers=office["counter"]), 422)
        assert body["errors"] == [{"field": "q", "message": "请使用 POST /persons/lookup 按身份证号码查找"}]
    assert [
        p["id"]
        for p in c.get("/persons", params={"q": "建国", "purpose": purpose}, headers=office["counter"]).json()["items"]
    ] == [person]
    actions = [e.action for e in _trail(office["sessions"], person)]
    assert actions == ["register", "lookup", "list"]


def test_an_agency_lists_only_claims_of_persons_it_is_authorised_for_now(office):
    c, sessions = office["c"], office["sessions"]
    person = _ok(c.post("/persons", json=POOR, headers=office["counter"]), 201).json()["id"]
    grant = authorise(sessions, person, office["agency"].id)
    placement = {
        "person_id": person,
        "kind": "employer_absorption",
        "start_date": "2019-03-01",
        "contract_months": 24,
        "agency_id": office["agency"].id,
        "backdate_reason": "纸质台账补录入系统",
    }
    placed = _ok(c.post("/placements", json=placement, headers=office["officer"]), 201).json()
    claim = {"placement_id": placed["id"], "scheme": "agency_fee"}
    _ok(c.post("/claims", json=claim, headers={**office["as_agency"], "Idempotency-Key": uuid.uuid4().hex}), 201)
    purpose = {"purpose": "补贴申领"}
    assert len(_ok(c.get("/claims", params=purpose, headers=office["as_agency"])).json()) == 1
    from ledger.base import utcnow
    from ledger.models import AgencyAuthorisation

    with sessions.begin() as s:
        s.get(AgencyAuthorisation, grant).revoked_at = utcnow()
    assert _ok(c.get("/claims", params=purpose, headers=office["as_agency"])).json() == []
    assert len(_ok(c.get("/claims", params={"purpose": "补贴审核"}, headers=office["officer"])).json()) == 1


def test_a_revoked_key_stops_at_once_on_every_worker(office):
    """Two app instances over one ledger stand for two worker processes: neither caches the key."""
    headers = bearer(office["url"], "counter", "窗口", region="430121")
    key_id = headers["Authorization"].split("jy_")[1].split(".")[0]
    other = create_app(Settings(db=DatabaseSettings(url=office["url"]), search=office["search"]))
    with TestClient(other) as second:
        for client in (office["c"], second):
            assert client.get("/purposes", headers=headers).status_code == 200
        assert main(["--database-url", office["url"], "keys", "revoke", "--key-id", key_id]) == 0
        for client in (office["c"], second):
            assert client.get("/purposes", headers=headers).status_code == 401
