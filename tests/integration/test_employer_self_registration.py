"""An employer registers its own company (issue 19, "Employers: register their company (USCC
checked)"): an administrator issues an employer key for a USCC not yet registered; that key
reaches only who-am-I, the region picker and registering that one company, which binds the key.
SQLite, and PostgreSQL with JIUYUAN_TEST_PG_URL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import select
from stdnum.cn import uscc as uscc_lib

from api.app import create_app
from cli.main import main as cli
from jiuyuan import clock
from jiuyuan.errors import InvalidInput
from jiuyuan.settings import DatabaseSettings, Settings
from jiuyuan.vocab import Role
from ledger import access, db
from ledger.models import ApiKey, AuditEntry
from tests.conftest import bearer

NEW_COMPANY = "91430121MA4L0NEW1" + uscc_lib.calc_check_digit("91430121MA4L0NEW1")
OTHER_COMPANY = "91430102MA4M0PQR2" + uscc_lib.calc_check_digit("91430102MA4M0PQR2")
FORM = {
    "uscc": NEW_COMPANY.lower() + " ",
    "name": "长沙县星沙家政服务有限公司",
    "address": "长沙县星沙街道开元东路9号",
    "contact_phone": "0731-84019999",
}


@pytest.fixture
def api(migrated_url):
    with TestClient(create_app(Settings(db=DatabaseSettings(url=migrated_url)), follow=False)) as client:
        yield client, migrated_url


def _gig() -> dict:
    today = clock.today()
    return {
        "title": "家政保洁员",
        "kind": "gig",
        "schedule": "daily",
        "wage_unit": "day",
        "wage_min": "160",
        "region_code": "430121",
        "valid_from": f"{today}",
        "valid_until": f"{today + timedelta(days=30)}",
    }


def test_an_unregistered_employer_reaches_only_registration_then_registers_and_posts(api):
    c, url = api
    employer = bearer(url, "employer", "星沙家政 人事", employer_uscc=NEW_COMPANY)
    me = c.get("/me", headers=employer).json()
    assert me["employer_id"] is None and me["employer_uscc"] == NEW_COMPANY

    refused = c.post("/postings", json=_gig(), headers=employer)
    assert refused.status_code == 403 and "尚未登记" in refused.json()["detail"]
    assert c.get("/postings", headers=employer).status_code == 403
    assert c.get("/regions", params={"q": "长沙县"}, headers=employer).json()[0]["code"] == "430121"
    assert c.get("/purposes", headers=employer).status_code == 200  # the page reads them on login

    not_mine = c.post("/employers", json={**FORM, "uscc": OTHER_COMPANY}, headers=employer)
    assert not_mine.status_code == 422 and "本令牌所属单位" in not_mine.json()["errors"][0]["message"]
    mistyped = c.post("/employers", json={**FORM, "uscc": NEW_COMPANY[:-1] + "0"}, headers=employer)
    assert mistyped.status_code == 422 and "校验位" in mistyped.json()["errors"][0]["message"]
    declared = c.post("/employers", json={**FORM, "small_micro": True, "insured_headcount": 12}, headers=employer)
    assert declared.status_code == 422
    assert {e["field"] for e in declared.json()["errors"]} == {"small_micro", "insured_headcount"}
    none_insured = c.post("/employers", json={**FORM, "insured_headcount": 0}, headers=employer)  # 0 is a figure too
    assert none_insured.status_code == 422 and none_insured.json()["errors"][0]["field"] == "insured_headcount"
    bad = c.post("/employers", json={**FORM, "name": "", "address": "门口那条街"}, headers=employer)
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} >= {"name", "region_code"}

    hyphenated = NEW_COMPANY[:8] + "-" + NEW_COMPANY[8:]  # the key's own code, written as some forms print it
    made = c.post("/employers", json={**FORM, "uscc": hyphenated}, headers=employer)
    assert made.status_code == 201, made.text
    company = made.json()
    assert company["uscc"] == NEW_COMPANY and company["region_code"] == "430121"
    assert company["small_micro"] is False and company["insured_headcount"] is None
    me = c.get("/me", headers=employer).json()
    assert (me["employer_id"], me["employer_uscc"]) == (company["id"], NEW_COMPANY)  # its code stays in view

    posted = c.post("/postings", json=_gig(), headers=employer)
    assert posted.status_code == 201, posted.text
    assert posted.json()["employer_name"] == FORM["name"]
    again = c.post("/employers", json=FORM, headers=employer)
    assert again.status_code == 409 and "贵单位已登记" in again.json()["detail"]

    eng = db.make_engine(url)
    try:
        with db.session_factory(eng)() as s:
            key = s.scalar(select(ApiKey).where(ApiKey.employer_id == company["id"]))
            assert key is not None and key.employer_uscc is None
            entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "employer.register"))
            assert (
                entry.actor_role == "employer"
                and NEW_COMPANY in entry.purpose
                and "绑定该单位的密钥1个" in entry.purpose
            )
    finally:
        eng.dispose()


def test_a_key_whose_company_a_counter_registered_meanwhile_acts_for_it(api):
    c, url = api
    employer = bearer(url, "employer", "星沙家政 人事", employer_uscc=NEW_COMPANY)
    counter = bearer(url, "counter", "长沙县零工市场", region="430121")
    made = c.post(
        "/employers", json={**FORM, "uscc": NEW_COMPANY, "small_micro": True, "insured_headcount": 12}, headers=counter
    )
    assert made.status_code == 201, made.text
    assert made.json()["small_micro"] is True and made.json()["insured_headcount"] == 12
    assert c.get("/me", headers=employer).json()["employer_id"] == made.json()["id"]
    assert c.post("/postings", json=_gig(), headers=employer).status_code == 201


def test_only_live_keys_are_bound_and_the_key_list_shows_the_pending_company(api, capsys):
    c, url = api
    employer = bearer(url, "employer", "星沙家政 人事", employer_uscc=NEW_COMPANY)
    eng = db.make_engine(url)
    try:
        with db.session_factory(eng).begin() as s:
            _, stale = access.issue(s, Role.EMPLOYER, "离职的人事", employer_uscc=NEW_COMPANY)
            access.revoke(s, stale.key_id)
        assert cli(["--database-url", url, "keys", "list"]) == 0
        assert f"待登记单位 {NEW_COMPANY}" in capsys.readouterr().out
        counter = bearer(url, "counter", "长沙县零工市场", region="430121")
        made = c.post("/employers", json={**FORM, "uscc": NEW_COMPANY}, headers=counter)
        assert made.status_code == 201, made.text
        assert c.get("/me", headers=employer).json()["employer_id"] == made.json()["id"]
        with db.session_factory(eng)() as s:
            entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "employer.register"))
            assert entry.actor_role == "counter" and "绑定该单位的密钥1个" in entry.purpose
            assert s.scalar(select(ApiKey).where(ApiKey.key_id == stale.key_id)).employer_id is None
    finally:
        eng.dispose()


def test_the_region_list_refuses_what_is_not_a_code_prefix_or_hides_characters(api):
    c, url = api
    counter = bearer(url, "counter", "长沙县零工市场", region="430121")
    for params, field in (({"within": "4301\n"}, "within"), ({"within": "43", "q": "长沙\u200b"}, "q")):
        refused = c.get("/regions", params=params, headers=counter)
        assert refused.status_code in (400, 422) and refused.json()["errors"][0]["field"] == field, refused.text
    assert c.get("/regions", params={"within": "4301", "q": " "}, headers=counter).json()[0]["code"] == "430102"


def test_an_employer_key_needs_a_valid_uscc(migrated_url):
    eng = db.make_engine(migrated_url)
    try:
        with db.session_factory(eng).begin() as s:
            for wrong in ("", NEW_COMPANY[:-1] + ("0" if NEW_COMPANY[-1] != "0" else "1")):
                with pytest.raises(InvalidInput) as caught:
                    access.issue(s, Role.EMPLOYER, "某单位", employer_uscc=wrong)
                assert caught.value.errors[0].field == "employer"
    finally:
        eng.dispose()


def test_the_cli_says_an_issued_key_is_for_a_company_yet_to_register(migrated_url, capsys):
    code = cli(
        [
            "--database-url",
            migrated_url,
            "keys",
            "issue",
            "--role",
            "employer",
            "--name",
            "星沙家政 人事",
            "--employer-uscc",
            NEW_COMPANY,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "尚未登记" in out and "登记本单位" in out and out.strip().splitlines()[-1].startswith("jy_")


def test_staff_record_the_verified_facts_an_employer_may_not_declare(api):
    c, url = api
    counter = bearer(url, "counter", "长沙县零工市场", region="430121")
    company = c.post("/employers", json={**FORM, "uscc": NEW_COMPANY}, headers=counter).json()
    employer = bearer(url, "employer", "星沙家政 人事", employer_uscc=NEW_COMPANY)
    declared = c.patch(f"/employers/{company['id']}", json={"small_micro": True}, headers=employer)
    assert declared.status_code == 422 and declared.json()["errors"][0]["field"] == "small_micro"
    verified = c.patch(
        f"/employers/{company['id']}", json={"small_micro": True, "insured_headcount": 30}, headers=counter
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["small_micro"] is True and verified.json()["insured_headcount"] == 30
    cleared = c.patch(f"/employers/{company['id']}", json={"insured_headcount": None}, headers=counter)
    assert cleared.status_code == 200 and cleared.json()["insured_headcount"] is None
