"""Issue 19's walk-in pieces over the API and the CLI: demo keys (made by the demo loader, refused
by ``serve --production``, their prefix reserved), a person changed later at the counter (phone,
residence county, skills, wishes, schedules: validated, in reach, audited), a lookup by phone in
a request body, and the job slip (pay without stray decimals, the market's name and phone, a QR
code, nothing "null")."""

from __future__ import annotations

from datetime import date

import pytest
from litestar.testing import TestClient
from sqlalchemy import select
from stdnum.cn import ric

from api.app import create_app
from cli.main import main as jiuyuan
from demo.generate import generate
from demo.load import DEMO_KEY_PREFIX, demo_tokens, live_demo_keys, load, load_demo_keys
from jiuyuan import clock
from jiuyuan.settings import DatabaseSettings, Settings, get_settings
from ledger import db
from ledger.models import AuditEntry
from services.persons import FULL_FIELDS
from tests.conftest import bearer

PURPOSE = "窗口求职登记"
LIU = {
    "id_number": (lambda b: b + ric.calc_check_digit(b + "0"))("43012119750315632"),
    "name": "刘桂兰",
    "hukou_region_code": "430121",
    "urban_rural": "rural",
    "phone": "13807311234",
    "consents": {"data_processing": True},
}


@pytest.fixture
def demo_url(migrated_url):
    engine = db.make_engine(migrated_url)
    with db.session_factory(engine).begin() as s:
        load(s, generate(7, 40, 20, date.today()))
        load_demo_keys(s)
    engine.dispose()
    return migrated_url


def test_demo_keys_one_per_role_let_their_holder_in_and_block_a_production_start(demo_url, capsys):
    engine = db.make_engine(demo_url)
    with db.session_factory(engine).begin() as s:
        tokens = demo_tokens(s)
        assert {r.value for r in tokens} == {"counter", "officer", "agency", "employer", "admin"}
        assert all(k.name.startswith(DEMO_KEY_PREFIX) for k in live_demo_keys(s))
        again = load_demo_keys(s)  # a second demo load: the same tokens, nothing doubled
        assert again == tokens and len(live_demo_keys(s)) == 5
    engine.dispose()
    with TestClient(create_app(Settings(db=DatabaseSettings(url=demo_url)))) as client:
        me = client.get("/me", headers={"Authorization": f"Bearer {tokens[next(iter(tokens))]}"}).json()
        assert me["name"].startswith(DEMO_KEY_PREFIX)

    assert jiuyuan(["--database-url", demo_url, "serve", "--production"]) == 2
    refused = capsys.readouterr().err
    assert "拒绝以生产模式启动" in refused and "jiuyuan keys revoke --demo" in refused
    assert jiuyuan(["--database-url", demo_url, "keys", "issue", "--role", "admin", "--name", "【演示】假冒"]) == 2
    assert "演示密钥专用" in capsys.readouterr().err
    assert jiuyuan(["--database-url", demo_url, "keys", "revoke", "--demo"]) == 0
    assert jiuyuan(["--database-url", demo_url, "keys", "demo"]) == 1  # none left to print
    assert "请先运行 jiuyuan demo" in capsys.readouterr().err
    # With no live demo key the production check passes (serving itself is not started here).
    from cli.main import _no_demo_keys

    assert _no_demo_keys(demo_url)


@pytest.fixture
def api(demo_url):
    with TestClient(create_app(Settings(db=DatabaseSettings(url=demo_url)))) as client:
        yield client, bearer(demo_url, "counter", "长沙县零工市场", region="430121"), demo_url


def test_a_person_is_changed_later_validated_in_reach_and_audited(api):
    client, counter, url = api
    person = client.post("/persons", json=LIU, headers=counter).json()
    change = {
        "skills": ["保洁", "收纳"],
        "wished_work": ["保洁员"],
        "wished_schedules": ["daily"],
        "phone": "139 0731 1111",
    }
    changed = client.patch(f"/persons/{person['id']}", json=change, headers=counter)
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["skills"], body["wished_schedules"], body["phone"]) == (["保洁", "收纳"], ["daily"], "13907311111")
    bad = client.patch(
        f"/persons/{person['id']}", json={"phone": "123", "residence_region_code": "999999"}, headers=counter
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"phone", "residence_region_code"}
    away = client.patch(f"/persons/{person['id']}", json={"residence_region_code": "440305"}, headers=counter)
    assert away.status_code == 200  # the hukou keeps her in reach
    assert client.patch(f"/persons/{person['id']}", json={}, headers=counter).status_code == 422
    # Only the listed keys change here: a name (fixed by the ID number) is not one of them, and says so.
    renamed = client.patch(f"/persons/{person['id']}", json={"name": "改名"}, headers=counter)
    assert renamed.status_code == 400 and renamed.json()["errors"][0]["field"] == "name"
    # The counter page clears an address by sending null (an absent key leaves it).
    moved = client.patch(f"/persons/{person['id']}", json={"address": "长沙县星沙街道开元路18号"}, headers=counter)
    assert moved.status_code == 200 and moved.json()["address"] == "长沙县星沙街道开元路18号"
    kept = client.patch(f"/persons/{person['id']}", json={"skills": ["保洁"]}, headers=counter).json()
    assert kept["address"] == "长沙县星沙街道开元路18号"
    cleared = client.patch(f"/persons/{person['id']}", json={"address": None}, headers=counter)
    assert cleared.status_code == 200 and not cleared.json()["address"]
    engine = db.make_engine(url)
    with engine.connect() as conn:
        actions = conn.execute(
            select(AuditEntry.action, AuditEntry.fields).where(AuditEntry.subject_person_id == person["id"])
        ).all()
    engine.dispose()
    assert ("update", ["phone", "skills", "wished_schedules", "wished_work"]) in [(a, f) for a, f in actions]
    assert ("read", sorted(FULL_FIELDS)) in [(a, f) for a, f in actions]  # the whole record it answered with

    found = client.post("/persons/by-phone", json={"phone": "13907311111", "purpose": PURPOSE}, headers=counter)
    assert found.status_code == 200 and [c["masked_name"] for c in found.json()["items"]] == ["刘**"]
    wrong = client.post("/persons/by-phone", json={"phone": "12", "purpose": PURPOSE}, headers=counter)
    assert wrong.status_code == 422 and "请核对" in wrong.json()["errors"][0]["message"]


def test_the_slip_prints_pay_without_decimals_the_market_and_a_qr_code(api, monkeypatch):
    client, counter, _ = api
    monkeypatch.setenv("JIUYUAN_MARKET_NAME", "长沙县零工市场")
    monkeypatch.setenv("JIUYUAN_MARKET_PHONE", "0731-84012345")
    get_settings.cache_clear()
    try:
        post = client.post(
            "/postings",
            headers=counter,
            json={
                "title": "超市理货员",
                "kind": "gig",
                "schedule": "daily",
                "wage_unit": "day",
                "wage_min": "136",
                "wage_max": "149",
                "region_code": "430121",
                "employer_id": 1,
                "valid_from": clock.today().isoformat(),
                "valid_until": clock.today().isoformat(),
            },
        )
        assert post.status_code == 201, post.text
        post = post.json()
        slip = client.get("/slips", params={"posting": [post["id"], 1]}, headers=counter)
        assert slip.status_code == 200, slip.text
        body = slip.json()
        first = body["posts"][0]
        assert (body["market_name"], body["market_phone"]) == ("长沙县零工市场", "0731-84012345")
        assert first["pay"] == "136–149 元/天" and first["hours"].startswith("日结")
        assert first["qr_svg"].startswith("data:image/svg+xml") and post["ref"] in first["qr_text"]
        assert "0731-84012345" in first["qr_text"]
        assert "null" not in slip.text and "None" not in slip.text and ".00 " not in slip.text
        assert client.get("/slips", params={"posting": [1, 1]}, headers=counter).status_code == 422
        assert client.get("/slips", params={"posting": 99999}, headers=counter).status_code == 404
    finally:
        get_settings.cache_clear()
