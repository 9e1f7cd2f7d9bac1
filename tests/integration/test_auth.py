"""Authentication and roles (API issue): tokens from `jiuyuan keys`, 401 for a bad token, 403 for
the wrong role or tenant or jurisdiction."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select

from api.app import create_app
from cli.main import main
from demo.generate import generate
from demo.load import load
from jiuyuan.settings import DatabaseSettings, Settings
from ledger.access import authenticate
from ledger.models import ApiKey, Employer, JobPosting
from tests.conftest import bearer


@pytest.fixture
def app_client(migrated_url, sessions):
    with sessions.begin() as s:
        load(s, generate(3, 200, 20, date(2026, 11, 22)))
    with TestClient(create_app(Settings(db=DatabaseSettings(url=migrated_url)))) as c:
        yield c


def _problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def test_missing_tampered_expired_and_revoked_tokens_are_401(app_client, migrated_url, sessions):
    assert app_client.get("/health").status_code == 200  # public
    body = _problem(app_client.get("/postings"), 401)
    assert "缺少访问令牌" in body["detail"]
    good = bearer(migrated_url)
    assert app_client.get("/postings", headers=good).status_code == 200
    token = good["Authorization"]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert "无效" in _problem(app_client.get("/postings", headers={"Authorization": tampered}), 401)["detail"]
    assert _problem(app_client.get("/postings", headers={"Authorization": "Basic abc"}), 401)
    key_id = token.split("jy_")[1].split(".")[0]
    with sessions.begin() as s:
        row = s.scalar(select(ApiKey).where(ApiKey.key_id == key_id))
        row.created_at, row.expires_at = row.created_at - timedelta(days=91), row.created_at - timedelta(seconds=1)
    response = app_client.get("/postings", headers=good)
    _problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    other = bearer(migrated_url)
    other_id = other["Authorization"].split("jy_")[1].split(".")[0]
    assert main(["--database-url", migrated_url, "keys", "revoke", "--key-id", other_id]) == 0
    _problem(app_client.get("/postings", headers=other), 401)


def test_roles_reach_only_their_routes_and_tenants(app_client, migrated_url, sessions):
    with sessions() as s:
        employer = s.scalars(select(Employer).join(JobPosting).order_by(Employer.id)).first()
        own = set(s.scalars(select(JobPosting.id).where(JobPosting.employer_id == employer.id)))
        foreign = s.scalar(select(JobPosting.id).where(JobPosting.employer_id != employer.id))
    as_employer = bearer(migrated_url, "employer", "某公司人事", employer_uscc=employer.uscc)
    listed = app_client.get("/postings", headers=as_employer, params={"limit": 200}).json()
    assert {p["id"] for p in listed["items"]} == own and listed["total"] == len(own)
    _problem(app_client.get(f"/postings/{foreign}", headers=as_employer), 404)
    assert (
        "无权"
        in _problem(
            app_client.get(
                "/reports/dispatch", headers=as_employer, params={"region": "43", "as_of": "2026-11-22", **DUTY}
            ),
            403,
        )["detail"]
    )
    _problem(app_client.get("/postings/changes", headers=as_employer), 403)

    changsha = bearer(migrated_url, "officer", "长沙市人社局", region="4301")
    assert (
        app_client.get(
            "/reports/dispatch", headers=changsha, params={"region": "430121", "as_of": "2026-11-22"}
        ).status_code
        == 200
    )
    body = _problem(
        app_client.get("/reports/dispatch", headers=changsha, params={"region": "43", "as_of": "2026-11-22", **DUTY}),
        403,
    )
    assert "管辖范围" in body["detail"]
    counter = bearer(migrated_url, "counter", "雨花区零工市场", region="430111")
    _problem(
        app_client.get("/reports/dispatch", headers=counter, params={"region": "430111", "as_of": "2026-11-22"}), 403
    )


def test_keys_command_issues_lists_and_refuses_bad_scopes(migrated_url, capsys):
    base = ["--database-url", migrated_url, "keys"]
    assert main([*base, "issue", "--role", "officer", "--name", "经办员", "--region", "4301"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token.startswith("jy_")
    assert main([*base, "issue", "--role", "counter", "--name", "窗口"]) == 2
    assert "管辖区划" in capsys.readouterr().err
    # an unregistered company may get a key (it registers itself), but not a USCC with a wrong check digit
    assert main([*base, "issue", "--role", "employer", "--name", "单位", "--employer-uscc", "91430100MA4L000000"]) == 2
    assert "校验位不正确" in capsys.readouterr().err
    assert main([*base, "issue", "--role", "employer", "--name", "单位"]) == 2
    assert "请填写统一社会信用代码" in capsys.readouterr().err
    assert main([*base, "list"]) == 0
    assert "officer" in capsys.readouterr().out and token not in capsys.readouterr().out


def test_a_token_is_checked_against_its_hash_not_stored(sessions):
    from jiuyuan.vocab import Role
    from ledger import access

    with sessions.begin() as s:
        token, row = access.issue(s, Role.ADMIN, "管理员")
        assert token.split(".", 1)[1] not in (row.secret_sha256, row.key_id)
    with sessions() as s:
        assert authenticate(s, token).role is Role.ADMIN
        assert authenticate(s, token + "x") is None and authenticate(s, "jy_nothing.here") is None


def test_a_revocation_applies_on_the_very_next_request(app_client, migrated_url):
    headers = bearer(migrated_url)
    key_id = headers["Authorization"].split("jy_")[1].split(".")[0]
    assert app_client.get("/postings", headers=headers).status_code == 200
    assert main(["--database-url", migrated_url, "keys", "revoke", "--key-id", key_id]) == 0
    assert app_client.get("/postings", headers=headers).status_code == 401  # no cache to wait out


DUTY = {"purpose": "就业援助责任清单"}


def test_duty_lists_are_for_officers_in_their_jurisdiction_and_masked(app_client, migrated_url, sessions):
    """002 §2, §4, §5 duty lists: officers only, inside their region, names masked, each person audited."""
    from ledger.models import AuditEntry, Person

    officer = bearer(migrated_url, "officer", "湖南省人社厅", region="43")
    listed = app_client.get("/reports/duties", headers=officer, params={"region": "43", "as_of": "2026-11-22", **DUTY})
    assert listed.status_code == 200
    items = listed.json()["items"]
    with sessions() as s:
        names = set(s.scalars(select(Person.name)))
        audited = s.scalar(select(func.count()).where(AuditEntry.action == "duty_list"))
    assert items and all("*" in i["masked_name"] and i["masked_name"] not in names for i in items)
    assert audited == len({i["person_id"] for i in items})
    assert (
        _problem(
            app_client.get("/reports/duties", headers=officer, params={"region": "4x", "as_of": "2026-11-22", **DUTY}),
            422,
        )["errors"][0]["field"]
        == "region"
    )
    assert _problem(app_client.get("/reports/duties", headers=officer, params={"region": "43", **DUTY}), 400)[
        "errors"
    ] == [{"field": "as_of", "message": "缺少必填参数"}]
    changsha = bearer(migrated_url, "officer", "长沙市人社局", region="4301")
    _problem(
        app_client.get("/reports/duties", headers=changsha, params={"region": "43", "as_of": "2026-11-22", **DUTY}), 403
    )
    counter = bearer(migrated_url, "counter", "窗口", region="43")
    _problem(
        app_client.get("/reports/duties", headers=counter, params={"region": "43", "as_of": "2026-11-22", **DUTY}), 403
    )
