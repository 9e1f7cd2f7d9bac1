"""The privacy/abuse issue's hardening findings, through the API: security headers on every
answer, bounded free text, no 500 a caller can trigger with a far date or deep JSON, and a
public /health in the OpenAPI document."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from api.app import create_app
from jiuyuan.settings import DatabaseSettings, Settings
from tests.conftest import bearer

CJK = "\u4e00-\u9fff"


@pytest.fixture
def api(migrated_url):
    with TestClient(create_app(Settings(db=DatabaseSettings(url=migrated_url)))) as client:
        yield {
            "client": client,
            "counter": bearer(migrated_url, "counter", "长沙县零工市场", region="430121"),
            "officer": bearer(migrated_url, "officer", "长沙县人社局", region="430121"),
            "admin": bearer(migrated_url),
        }


def chinese_problem(r, *statuses: int) -> dict:
    assert r.status_code in statuses, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["title"] + body["detail"]), body
    return body


def test_security_headers_on_every_response(api):
    c = api["client"]
    answers = {
        "api": c.get("/me", headers=api["counter"]),
        "problem": c.get("/me"),  # 401
        "unknown": c.get("/no-such-path", headers=api["counter"]),  # 404
        "health": c.get("/health"),
        "ui": c.get("/ui/"),
        "ui_static": c.get("/ui/app.js"),
        "schema": c.get("/schema"),
        "openapi": c.get("/schema/openapi.json"),
        "schema_asset": c.get("/schema-assets/swagger-ui.css"),
    }
    assert answers["problem"].status_code == 401
    assert answers["unknown"].status_code == 404
    for name in ("api", "health", "ui", "ui_static", "schema", "openapi", "schema_asset"):
        assert answers[name].status_code == 200, name
    assert "<html" in answers["schema"].text.lower()
    for name, r in answers.items():
        assert r.headers["x-content-type-options"] == "nosniff", name
        assert r.headers["referrer-policy"] == "no-referrer", name
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], name
        assert "default-src 'self'" in r.headers["content-security-policy"], name
    for name in ("api", "problem", "unknown", "health", "schema", "openapi"):
        assert answers[name].headers["cache-control"] == "no-store", name
    # The /ui page loads only same-origin scripts and styles: no inline allowance for it.
    assert "unsafe-inline" not in answers["ui"].headers["content-security-policy"]
    assert "no-store" not in answers["ui_static"].headers.get("cache-control", "")


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/search/postings", "counter"),
        ("/search/suggest", "counter"),
        ("/postings?region=", "admin"),
        ("/reports/duties?as_of=2026-01-01&purpose=就业援助责任清单&region=", "officer"),
    ],
)
def test_unbounded_search_text(api, path, role):
    long = "保洁" * 2500  # 5,000 characters
    name = "region" if "region=" in path else "q"
    base, _, rest = path.partition("?")
    params = {name: long}
    if rest:
        params.update(dict(p.split("=", 1) for p in rest.split("&") if not p.startswith(name + "=")))
    body = chinese_problem(api["client"].get(base, params=params, headers=api[role]), 400, 422)
    assert any(e["field"] == name and "长度" in e["message"] for e in body["errors"]), body


@pytest.mark.parametrize(
    ("path", "field", "role"),
    [
        ("/persons/1/matches?purpose=窗口求职登记&on={day}", "on", "counter"),
        ("/recognitions/1?purpose=窗口求职登记&as_of={day}", "as_of", "officer"),
        ("/reports/duties?region=430121&purpose=就业援助责任清单&as_of={day}", "as_of", "officer"),
        ("/reports/dispatch?region=430121&as_of={day}", "as_of", "officer"),
        ("/search/postings?valid_on={day}", "valid_on", "counter"),
        ("/postings?valid_on={day}", "valid_on", "admin"),
    ],
)
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_far_dates_answer_4xx_in_chinese(api, path, field, role, day):
    body = chinese_problem(api["client"].get(path.format(day=day), headers=api[role]), 400, 422)
    assert any(e["field"] == field and "日期" in e["message"] for e in body["errors"]), body


def test_deeply_nested_json_answers_400_in_chinese(api):
    deep = "[" * 5000 + "]" * 5000
    r = api["client"].post("/postings", content=deep, headers={**api["admin"], "Content-Type": "application/json"})
    chinese_problem(r, 400, 422)


def test_health_is_public_in_openapi(api):
    spec = api["client"].get("/schema/openapi.json").json()
    assert spec["paths"]["/health"]["get"]["security"] == []
    assert spec["security"]  # everything else still needs the token
    assert "security" not in spec["paths"]["/me"]["get"]


def test_options_lists_every_method_of_the_path_and_never_fails(api):
    """Finding: OPTIONS answered 500 on routes with a role guard (no token, no user), and listed
    one controller's methods where several share a path."""
    client = api["client"]
    paths = client.get("/schema/openapi.json").json()["paths"]
    for path, operations in paths.items():
        concrete = path
        for name in [p for p in path.split("/") if p.startswith("{")]:
            concrete = concrete.replace(name, "1")
        r = client.options(concrete)
        assert r.status_code == 204, (path, r.status_code, r.text)
        documented = {m.upper() for m in operations} & {"GET", "POST", "PUT", "PATCH", "DELETE"}
        assert documented | {"OPTIONS"} == set(r.headers["allow"].replace(" ", "").split(",")), path
