"""Employers (issue 19): counter staff register a company by its USCC (GB 32100 checked), find it
by USCC or name, a USCC registered twice answers 409 naming the employer; an employer's key reads
and changes its own profile only; the region picker's county search; the CLI; an employer invites
a candidate it was shown, and the counter sees the invitation. SQLite, and PostgreSQL with
JIUYUAN_TEST_PG_URL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select
from stdnum.cn import uscc as uscc_lib

from api.app import create_app
from cli.main import main as cli
from jiuyuan import clock
from jiuyuan.settings import DatabaseSettings, Settings
from jiuyuan.vocab import ConsentScope, Role
from ledger import access, audit, db, intake
from ledger.models import AuditEntry, ConsentRecord, Employer, JobPosting
from matcher.people import PERSON_REF_SECRET, person_ref
from services.employers import Employers
from tests.conftest import bearer


def _uscc(body: str) -> str:
    return body + uscc_lib.calc_check_digit(body)


XINGSHA = _uscc("91430121MA4L0ABC1")
FURONG = _uscc("91430102MA4M0DEF2")
COMPANY = {
    "uscc": XINGSHA,
    "name": "长沙县星沙物业管理有限公司",
    "region_code": "430121",
    "address": "长沙县星沙街道开元东路1号",
    "contact_phone": "0731-84012345",
}


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture
def api(migrated_url):
    with TestClient(create_app(Settings(db=DatabaseSettings(url=migrated_url)), follow=False)) as client:
        yield {
            "client": client,
            "url": migrated_url,
            "counter": bearer(migrated_url, "counter", "长沙县零工市场", region="430121"),
            "officer": bearer(migrated_url, "officer", "长沙市人社局", region="4301"),
            "furong": bearer(migrated_url, "counter", "芙蓉区零工市场", region="430102"),
        }


def test_counter_registers_an_employer_and_finds_it_by_uscc_or_name(api):
    c = api["client"]
    made = c.post("/employers", json=COMPANY, headers=api["counter"])
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["uscc"] == XINGSHA and body["region_name"] == "湖南省长沙市长沙县"
    assert body["address"] == COMPANY["address"] and body["contact_phone"] == "073184012345"
    by_code = c.get("/employers", params={"uscc": XINGSHA.lower()}, headers=api["officer"]).json()["items"]
    assert [e["id"] for e in by_code] == [body["id"]]
    by_name = c.get("/employers", params={"q": "星沙物业"}, headers=api["furong"]).json()["items"]
    assert [e["name"] for e in by_name] == [COMPANY["name"]]  # any counter may find it, to post for it
    assert c.get("/employers", params={"q": "没有这家"}, headers=api["counter"]).json()["items"] == []


def test_a_uscc_registered_twice_answers_409_naming_the_employer(api):
    c = api["client"]
    first = c.post("/employers", json=COMPANY, headers=api["counter"]).json()
    again = c.post("/employers", json={**COMPANY, "name": "另一个名字"}, headers=api["officer"])
    assert again.status_code == 409
    problem = again.json()
    assert COMPANY["name"] in problem["detail"] and str(first["id"]) in problem["detail"]
    assert "无需重复登记" in problem["detail"] and problem["errors"][0]["field"] == "uscc"
    with api["client"].app.state.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Employer)) == 1


def test_wrong_fields_are_answered_at_once_in_chinese_and_nothing_is_written(api):
    c = api["client"]
    bad = {**COMPANY, "uscc": XINGSHA[:-1] + ("0" if XINGSHA[-1] != "0" else "1"), "name": "", "contact_phone": "12"}
    answer = c.post("/employers", json=bad, headers=api["counter"])
    assert answer.status_code == 422
    errors = {e["field"]: e["message"] for e in answer.json()["errors"]}
    assert set(errors) == {"uscc", "name", "contact_phone"}
    assert "校验位" in errors["uscc"] and all(_chinese(m) for m in errors.values())
    no_region = c.post("/employers", json={**COMPANY, "region_code": "", "address": None}, headers=api["counter"])
    assert no_region.status_code == 422 and "或在地址中写明区县" in no_region.json()["errors"][0]["message"]
    elsewhere_address = c.post("/employers", json={**COMPANY, "address": "芙蓉区五一大道1号"}, headers=api["counter"])
    assert elsewhere_address.status_code == 422 and elsewhere_address.json()["errors"][0]["field"] == "address"
    both = c.get("/employers", headers=api["counter"])
    assert both.status_code == 422 and "二者选一" in both.json()["errors"][0]["message"]
    elsewhere = c.post(
        "/employers", json={**COMPANY, "uscc": FURONG, "region_code": "430102", "address": None}, headers=api["counter"]
    )
    assert elsewhere.status_code == 403 and "单位所在地的窗口" in elsewhere.json()["detail"]
    with api["client"].app.state.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Employer)) == 0


def test_the_address_names_the_county_when_no_code_is_given(api):
    c = api["client"]
    made = c.post("/employers", json={**COMPANY, "region_code": None}, headers=api["counter"])
    assert made.status_code == 201, made.text
    assert made.json()["region_code"] == "430121" and made.json()["address"] == COMPANY["address"]


def test_an_employer_reads_and_changes_only_its_own_profile(api):
    c = api["client"]
    own = c.post("/employers", json=COMPANY, headers=api["counter"]).json()
    other = c.post("/employers", json={**COMPANY, "uscc": FURONG, "name": "芙蓉家政"}, headers=api["counter"]).json()
    employer = bearer(api["url"], "employer", "星沙物业 人事", employer_uscc=XINGSHA)
    assert c.get("/me", headers=employer).json()["employer_id"] == own["id"]
    assert c.get(f"/employers/{own['id']}", headers=employer).json()["name"] == COMPANY["name"]
    hidden = c.get(f"/employers/{other['id']}", headers=employer)
    assert hidden.status_code == 404 and _chinese(hidden.json()["detail"])
    changed = c.patch(
        f"/employers/{own['id']}", json={"address": "星沙街道2号", "contact_phone": None}, headers=employer
    )
    assert changed.status_code == 200 and changed.json()["address"] == "星沙街道2号"
    assert changed.json()["contact_phone"] is None and changed.json()["uscc"] == XINGSHA
    assert c.patch(f"/employers/{other['id']}", json={"address": "x"}, headers=employer).status_code == 404
    again = c.post("/employers", json=COMPANY, headers=employer)
    assert again.status_code == 409 and "贵单位已登记" in again.json()["detail"]
    assert c.get("/employers", params={"q": "物业"}, headers=employer).status_code == 403
    wrong = c.patch(f"/employers/{own['id']}", json={"region_code": "999999"}, headers=employer)
    assert wrong.status_code == 422 and _chinese(wrong.json()["errors"][0]["message"])
    hidden_text = c.patch(f"/employers/{own['id']}", json={"name": "南恒达\u202e司公限有\u202c"}, headers=employer)
    assert hidden_text.status_code == 422 and "文字方向" in hidden_text.json()["errors"][0]["message"]


def test_staff_change_only_employers_of_their_county_and_each_change_is_kept(api):
    c = api["client"]
    own = c.post("/employers", json=COMPANY, headers=api["counter"]).json()
    # Another county's counter can neither rename it nor pull it into its own county by address.
    for change in ({"name": "芙蓉区新名字"}, {"address": "长沙市芙蓉区五一大道1号"}):
        taken = c.patch(f"/employers/{own['id']}", json=change, headers=api["furong"])
        assert taken.status_code == 403 and "修改" in taken.json()["detail"]
    assert c.get(f"/employers/{own['id']}", headers=api["counter"]).json()["region_code"] == "430121"
    renamed = c.patch(f"/employers/{own['id']}", json={"name": "星沙物业（新）"}, headers=api["counter"])
    assert renamed.status_code == 200
    engine = db.make_engine(api["url"])
    with engine.connect() as conn:
        kept = conn.execute(
            select(AuditEntry.fields, AuditEntry.purpose).where(AuditEntry.action == "employer.update")
        ).all()
    engine.dispose()
    assert kept == [(["name"], f"单位{own['id']}（{XINGSHA}）信息变更：名称“{COMPANY['name']}”→“星沙物业（新）”")]
    assert c.get("/employers", params={"q": "%"}, headers=api["counter"]).status_code == 422


def test_regions_are_found_by_county_name(api):
    c = api["client"]
    hits = c.get("/regions", params={"q": "长沙县"}, headers=api["counter"]).json()
    assert hits[0] == {"code": "430121", "name": "长沙县", "full_name": "湖南省长沙市长沙县"}
    first = c.get("/regions", params={"q": "芙蓉", "within": "4301"}, headers=api["counter"]).json()[0]
    assert first["code"] == "430102"
    blank = c.get("/regions", params={"q": " "}, headers=api["counter"])
    assert blank.status_code == 422 and "区县名称" in blank.json()["errors"][0]["message"]
    # an officer's jurisdiction as a list: every county of 长沙市 in use today, by code
    province = c.get("/regions", params={"within": "43"}, headers=api["counter"]).json()
    assert len(province) > 100  # every county of 湖南, not the 20 a name search stops at
    one_digit = c.get("/regions", params={"within": "4"}, headers=api["counter"])
    assert one_digit.status_code == 422 and "省（2位）" in one_digit.json()["errors"][0]["message"]
    city = c.get("/regions", params={"within": "4301"}, headers=api["counter"]).json()
    codes = [h["code"] for h in city]
    assert codes == sorted(codes) and {"430102", "430121", "430181"} <= set(codes)
    assert all(code.startswith("4301") for code in codes) and len(codes) == len(set(codes))


def test_the_cli_adds_and_finds_employers(migrated_url, capsys):
    args = ["--database-url", migrated_url, "employers"]
    assert cli([*args, "add", "--uscc", XINGSHA, "--name", COMPANY["name"], "--region", "430121"]) == 0
    assert "已登记用人单位" in capsys.readouterr().out
    assert cli([*args, "add", "--uscc", XINGSHA, "--name", "重复", "--region", "430121"]) == 2
    assert "已登记为“长沙县星沙物业管理有限公司”" in capsys.readouterr().err
    assert cli([*args, "find", "星沙"]) == 0
    assert XINGSHA in capsys.readouterr().out
    assert cli([*args, "find", "--uscc", "123"]) == 2
    assert "统一社会信用代码" in capsys.readouterr().err
    assert cli([*args, "find", "没有"]) == 1


def test_an_invitation_reaches_the_counter_and_names_no_one_to_the_employer(sessions):
    with sessions.begin() as s:
        employer = intake.add_employer(s, COMPANY)
        posting = intake.add_posting(
            s,
            {
                "ref": "XS-1",
                "employer_id": employer.id,
                "title": "小区保洁员",
                "kind": "ordinary",
                "schedule": "full_time",
                "wage_unit": "month",
                "wage_min": "2400",
                "region_code": "430121",
                "valid_from": f"{clock.today()}",
                "valid_until": f"{clock.today() + timedelta(days=30)}",
            },
        )
        person = intake.add_person(
            s,
            {
                "id_number": "430121197003071234",
                "name": "王建国",
                "hukou_region_code": "430121",
                "urban_rural": "urban",
            },
        )
        s.add(
            ConsentRecord(person_id=person.id, scope=ConsentScope.SHOW_TO_EMPLOYERS, granted=True, recorded_by="窗口")
        )
        _, key = access.issue(s, Role.EMPLOYER, "星沙物业 人事", employer_uscc=XINGSHA)
        who = access.Principal(key.key_id, key.name, Role.EMPLOYER, employer_id=employer.id)
        ids = {"posting": posting.id, "person": person.id}
    with sessions.begin() as s:
        employers = Employers(s, who)
        ref = person_ref(access.server_secret(s, PERSON_REF_SECRET), ids["posting"], ids["person"])
        with pytest.raises(Exception, match="先在“找人”中查看"):  # never shown to this employer
            employers.invite(ids["posting"], ref)
    with sessions.begin() as s:
        audit.record(s, who, "view_candidate", ids["person"], ["masked_name"], "用人单位招聘")
    with sessions.begin() as s:
        made = Employers(s, who).invite(ids["posting"], ref, "周一上午面试")
        assert made.posting.title == "小区保洁员"
    with pytest.raises(Exception, match="无需重复邀约"), sessions.begin() as s:
        Employers(s, who).invite(ids["posting"], ref)
    counter = access.Principal("k", "长沙县零工市场", Role.COUNTER, region_prefix="430121")
    elsewhere = access.Principal("k2", "芙蓉区零工市场", Role.COUNTER, region_prefix="430102")
    with sessions.begin() as s:
        seen = Employers(s, counter).invitations("窗口求职登记")
        assert [(i.person.id, i.employer, i.note) for i in seen] == [(ids["person"], COMPANY["name"], "周一上午面试")]
        assert Employers(s, elsewhere).invitations("窗口求职登记") == []
    with sessions() as s:
        listed = s.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "list", AuditEntry.actor == counter.actor)
        )
        assert listed == 1  # the counter's read of the invited person is audited
    # A withdrawal of consent (PIPL) ends invitations, though the card was shown before.
    with sessions.begin() as s:
        s.add(
            ConsentRecord(
                person_id=ids["person"], scope=ConsentScope.SHOW_TO_EMPLOYERS, granted=False, recorded_by="窗口"
            )
        )
        s.get_one(JobPosting, ids["posting"]).title = "小区保洁员；留言：请带银行卡交押金"
    with pytest.raises(Exception, match="先在“找人”中查看"), sessions.begin() as s:
        Employers(s, who).invite(
            ids["posting"], person_ref(access.server_secret(s, PERSON_REF_SECRET), ids["posting"], ids["person"])
        )
    with sessions.begin() as s:  # a title cannot pose as the employer's note
        assert [i.note for i in Employers(s, counter).invitations("窗口求职登记")] == ["周一上午面试"]
